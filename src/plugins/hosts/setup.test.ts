import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Directive } from '../../corefile/types.js';
import { parseHosts } from './setup.js';

const line = (name: string, args: string[] = []): Directive => ({ file: 'Corefile', line: 5, name, args, block: null });
const hosts = (args: string[], block: Directive[] | null = null): Directive => ({ file: 'Corefile', line: 4, name: 'hosts', args, block });

describe('hosts setup', () => {
  it('has CoreDNS defaults', () => {
    const c = parseHosts([hosts([])], ['cluster.local.']);
    expect([c.path, c.zones, c.ttl, c.reloadMs, c.autoReverse, c.inline, c.fall.through('x.')]).toEqual(
      ['/etc/hosts', ['cluster.local.'], 3600, 5000, true, '', false]);
  });

  it('parses file, zones and every option', () => {
    const c = parseHosts([hosts(['example.hosts', 'Example.org', '10.0.0.0/8'], [
      line('10.0.0.1', ['a.example.org', 'b']),
      line('::1', ['c.example.org']),
      line('ttl', ['60']), line('no_reverse'), line('reload', ['1m']),
      line('fallthrough', ['in-addr.arpa']), line('fallthrough_unsupported'),
    ])], ['.']);
    expect(c.path).toBe(resolve('example.hosts'));
    expect(c.zones).toEqual(['example.org.', '10.in-addr.arpa.']);
    expect([c.ttl, c.reloadMs, c.autoReverse, c.fallUnsupported]).toEqual([60, 60_000, false, true]);
    expect(c.inline).toBe('10.0.0.1 a.example.org b\n::1 c.example.org');
    expect(c.fall.through('1.10.in-addr.arpa.')).toBe(true);
    expect(c.fall.through('example.org.')).toBe(false);
    expect(parseHosts([hosts([], [line('reload', ['0'])])], ['.']).reloadMs).toBe(0);
  });

  it.each([
    ['used twice', [hosts([]), hosts([])], 'only be used once'],
    ['ttl 0', [hosts([], [line('ttl', ['0'])])], 'ttl provided is invalid'],
    ['ttl too big', [hosts([], [line('ttl', ['65536'])])], 'ttl provided is invalid'],
    ['ttl not a number', [hosts([], [line('ttl', ['1h'])])], 'ttl needs a number of second'],
    ['ttl missing', [hosts([], [line('ttl')])], 'ttl needs a time in second'],
    ['bad reload', [hosts([], [line('reload', ['soon'])])], "invalid duration: 'soon'"],
    ['reload missing', [hosts([], [line('reload')])], 'reload needs a duration'],
    ['a typo', [hosts([], [line('tll', ['60'])])], "unknown property 'tll'"],
    ['an address alone', [hosts([], [line('10.0.0.1')])], "no host name after address '10.0.0.1'"],
    ['unsupported without fallthrough', [hosts([], [line('fallthrough_unsupported')])], 'requires fallthrough'],
    ['a bad zone', [hosts(['f', '10.0.0.0/99'])], 'invalid zone'],
  ])('rejects %s', (_n, dirs, msg) => {
    expect(() => parseHosts(dirs, ['.'])).toThrow(msg);
    expect(() => parseHosts(dirs, ['.'])).toThrow(/^plugin\/hosts: Corefile:\d - Error during parsing: /);
  });
});
