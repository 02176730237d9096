import { describe, expect, it } from 'vitest';
import { add, remove, values, type Index } from './cluster-index.js';

describe('Index', () => {
  it('keeps one value as a string, several as a set, in insertion order', () => {
    const idx: Index = new Map();
    add(idx, 'ip', 'a');
    add(idx, 'ip', 'a');
    expect(idx.get('ip')).toBe('a');
    add(idx, 'ip', 'b');
    add(idx, 'ip', 'c');
    expect([...values(idx, 'ip')]).toEqual(['a', 'b', 'c']);
    remove(idx, 'ip', 'b');
    remove(idx, 'ip', 'a');
    expect(idx.get('ip')).toBe('c');
    remove(idx, 'ip', 'x');
    remove(idx, 'ip', 'c');
    expect(idx.has('ip')).toBe(false);
    expect([...values(idx, 'ip')]).toEqual([]);
    remove(idx, 'none', 'a');
    expect(idx.size).toBe(0);
  });
});
