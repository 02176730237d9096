import { describe, expect, test } from 'vitest';
import { ConfigError } from './config-error.js';
import { groupByPort, parseKey } from './keys.js';
import type { ServerBlock } from './types.js';

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('parseKey', () => {
  test.each<[string, string[]]>([
    ['.', ['.:53']],
    ['.:53', ['.:53']],
    [':1053', ['.:1053']],
    ['cluster.local', ['cluster.local.:53']],
    ['Cluster.LOCAL.:1053', ['cluster.local.:1053']],
    ['dns://.', ['.:53']],
    ['DNS://example.org:5300', ['example.org.:5300']],
    ['dns://:0', ['.:0']],
    ['example.org:65535', ['example.org.:65535']],
    ['10.0.0.0/8', ['10.in-addr.arpa.:53']],
    ['10.0.0.0/24:1053', ['0.0.10.in-addr.arpa.:1053']],
    ['dns://192.168.0.0/16', ['168.192.in-addr.arpa.:53']],
    ['10.0.0.0/23', ['0.0.10.in-addr.arpa.:53', '1.0.10.in-addr.arpa.:53']],
    ['10.0.0.0/30:53', ['0.0.0.10.in-addr.arpa.:53', '1.0.0.10.in-addr.arpa.:53', '2.0.0.10.in-addr.arpa.:53', '3.0.0.10.in-addr.arpa.:53']],
    ['fd00::/8', ['d.f.ip6.arpa.:53']],
    ['2001:db8::/32:1053', ['8.b.d.0.1.0.0.2.ip6.arpa.:1053']],
    ['fd00::/7', ['c.f.ip6.arpa.:53', 'd.f.ip6.arpa.:53']],
    ['in-addr.arpa', ['in-addr.arpa.:53']],
    ['a\\.b.example', ['a\\.b.example.:53']],
  ])('%s', (key, want) => {
    const got = parseKey(key, 53);
    expect(got.map((k) => `${k.zone}:${k.port}`)).toEqual(want);
    expect(got.every((k) => k.scheme === 'dns')).toBe(true);
  });

  test('the default port applies only when none is written', () => {
    expect(parseKey('example.org', 1053)).toEqual([{ scheme: 'dns', zone: 'example.org.', port: 1053 }]);
    expect(parseKey('example.org:53', 1053)).toEqual([{ scheme: 'dns', zone: 'example.org.', port: 53 }]);
  });

  test.each<[string, string]>([
    ['tls://.:853', "unsupported scheme 'tls://' in 'tls://.:853': clusterdns serves dns:// only"],
    ['grpc://example.org', "unsupported scheme 'grpc://' in 'grpc://example.org': clusterdns serves dns:// only"],
    ['https://.', "unsupported scheme 'https://' in 'https://.': clusterdns serves dns:// only"],
    ['quic://.', "unsupported scheme 'quic://' in 'quic://.': clusterdns serves dns:// only"],
    ['ftp://.', "unknown scheme 'ftp://' in 'ftp://.'"],
    ['.:', "expecting data after last colon: '.:'"],
    ['.:65536', "invalid port '65536' in '.:65536'"],
    ['.:-1', "invalid port '-1' in '.:-1'"],
    ['example.org:dns', "invalid port 'dns' in 'example.org:dns'"],
    ['.:123456', "invalid port '123456' in '.:123456'"],
    ['a..b', 'zone is not a valid domain name: a..b'],
    ['.org', 'zone is not a valid domain name: .org'],
    [`${'x'.repeat(64)}.org`, `zone is not a valid domain name: ${'x'.repeat(64)}.org`],
    [`${'abcdefg.'.repeat(32)}x`, 'specified zone is too long: 257 > 255'],
    ['10.0.0.0/33', 'invalid CIDR 10.0.0.0/33'],
    ['10.0.0/8', 'invalid CIDR 10.0.0/8'],
    ['300.0.0.0/8', 'invalid CIDR 300.0.0.0/8'],
    ['::/0', 'invalid CIDR ::/0'],
    ['a/b', 'invalid CIDR a/b'],
  ])('%s is refused', (key, reason) => {
    const err = errorOf(() => parseKey(key, 53));
    expect(err.reason).toBe(reason);
    expect(err.pos).toBeUndefined();
  });
});

function block(line: number, ...keys: string[]): ServerBlock {
  return { keys, directives: [], file: 'Corefile', line };
}

describe('groupByPort', () => {
  test('zones grouped per port in Corefile order, one block per zone', () => {
    const a = block(1, '.:53', 'cluster.local:53');
    const b = block(5, 'example.org:1053', '10.0.0.0/23');
    const c = block(9, 'dns://example.org');
    const groups = groupByPort([a, b, c], 53);
    expect([...groups.keys()]).toEqual([53, 1053]);
    const show = (p: number): string[] => groups.get(p)!.map((z) => `${z.zone}<-${z.key}@${z.block.line}`);
    expect(show(53)).toEqual(['.<-.:53@1', 'cluster.local.<-cluster.local:53@1', '0.0.10.in-addr.arpa.<-10.0.0.0/23@5', '1.0.10.in-addr.arpa.<-10.0.0.0/23@5', 'example.org.<-dns://example.org@9']);
    expect(show(1053)).toEqual(['example.org.<-example.org:1053@5']);
    expect(groups.get(1053)![0]!.block).toBe(b);
  });

  test('the same zone on different ports is fine', () => {
    expect(groupByPort([block(1, '.:53'), block(4, '.:1053')], 53).size).toBe(2);
  });

  test.each<[string, ServerBlock[], string]>([
    ['two blocks, same zone and port', [block(1, '.:53'), block(4, 'example.org'), block(8, 'dns://.')], 'Corefile:8 - Error during parsing: cannot serve dns://.:53 - it is already defined'],
    ['case and trailing dot do not hide a duplicate', [block(1, 'Example.org'), block(3, 'example.org.:53')], 'Corefile:3 - Error during parsing: cannot serve dns://example.org.:53 - it is already defined'],
    ['duplicate within one block', [block(2, 'a.org', 'a.org')], 'Corefile:2 - Error during parsing: cannot serve dns://a.org.:53 - it is already defined'],
    ['CIDR overlapping a written reverse zone', [block(1, '0.0.10.in-addr.arpa'), block(6, '10.0.0.0/24')], 'Corefile:6 - Error during parsing: cannot serve dns://0.0.10.in-addr.arpa.:53 - it is already defined'],
    ['a bad key gets its block position', [block(1, '.'), block(7, 'tls://.')], "Corefile:7 - Error during parsing: unsupported scheme 'tls://' in 'tls://.': clusterdns serves dns:// only"],
  ])('%s', (_name, blocks, want) => {
    expect(errorOf(() => groupByPort(blocks, 53)).message).toBe(want);
  });
});
