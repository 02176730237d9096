import { describe, expect, it } from 'vitest';
import { parseResolvSearch, readResolvSearch } from './resolv-search.js';

describe('resolv.conf search', () => {
  it('takes the last search or domain line, as FQDNs', () => {
    expect(parseResolvSearch('nameserver 1.1.1.1\nsearch A.example b.example # comment\noptions ndots:5\n')).toEqual(['a.example.', 'b.example.']);
    expect(parseResolvSearch('search a.example\ndomain corp.example\n')).toEqual(['corp.example.']);
    expect(parseResolvSearch('nameserver 1.1.1.1\n')).toEqual([]);
  });

  it('is empty when the file cannot be read', () => {
    expect(readResolvSearch('/nonexistent/resolv.conf')).toEqual([]);
  });
});
