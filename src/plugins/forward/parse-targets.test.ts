import { describe, expect, it } from 'vitest';
import type { Directive } from '../../corefile/types.js';
import { ConfigError } from '../../corefile/config-error.js';
import { parseTargets } from './parse-targets.js';

const d: Directive = { name: 'forward', args: [], block: null, file: 'Corefile', line: 4 };

const files: Record<string, string> = {
  '/etc/resolv.conf': '# comment\nsearch svc.cluster.local\nnameserver 10.0.0.10\nnameserver fe80::1%eth0\n; x\nnameserver 10.0.0.10\noptions ndots:5\n',
  '/empty.conf': 'search example.org\n',
  '/bad.conf': 'nameserver dns.example.\n',
};
const read = (p: string) => {
  if (p in files) return files[p]!;
  throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
};

describe('parseTargets', () => {
  it.each([
    [['8.8.8.8'], ['8.8.8.8:53']],
    [['8.8.8.8:5353'], ['8.8.8.8:5353']],
    [['dns://1.1.1.1'], ['1.1.1.1:53']],
    [['dns://1.1.1.1:1053'], ['1.1.1.1:1053']],
    [['::1'], ['[::1]:53']],
    [['[2003::1]:53'], ['[2003::1]:53']],
    [['[2003::1]'], ['[2003::1]:53']],
    [['dns://[::1]:1053'], ['[::1]:1053']],
    [['/etc/resolv.conf'], ['10.0.0.10:53', '[fe80::1]:53']],
    [['10.0.0.10', '/etc/resolv.conf', '/empty.conf'], ['10.0.0.10:53', '[fe80::1]:53']],
  ])('%j -> %j', (to, want) => {
    expect(parseTargets(to, d, read).map((u) => u.addr)).toEqual(want);
  });

  it('splits host and port', () => {
    expect(parseTargets(['[::1]:1053', '127.0.0.1:9'], d, read).map(({ host, port }) => [host, port])).toEqual([['::1', 1053], ['127.0.0.1', 9]]);
  });

  it.each([
    [['/missing.conf'], /not an IP address or file: '\/missing.conf'/],
    [['dns.google'], /not an IP address or file/],
    [['tls://9.9.9.9'], /DNS-over-TLS upstreams are not supported/],
    [['https://9.9.9.9'], /'https' is not supported as a destination protocol/],
    [['grpc://9.9.9.9'], /'grpc' is not supported/],
    [['1.2.3.4:0'], /invalid port '0'/],
    [['1.2.3.4:70000'], /invalid port/],
    [['1.2.3.4:x'], /invalid port/],
    [['dns://'], /invalid address/],
    [['/empty.conf'], /no valid upstream addresses found/],
    [['/bad.conf'], /nameserver 'dns.example.' is not an IP address/],
    [Array.from({ length: 16 }, (_, i) => `10.0.0.${i}`), /more than 15 TOs configured: 16/],
  ])('rejects %j', (to, why) => {
    let err: unknown;
    try {
      parseTargets(to, d, read);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(why);
    expect((err as Error).message).toContain('plugin/forward: Corefile:4');
  });

  it('accepts exactly 15 upstreams', () => {
    expect(parseTargets(Array.from({ length: 15 }, (_, i) => `10.0.0.${i}`), d, read)).toHaveLength(15);
  });
});
