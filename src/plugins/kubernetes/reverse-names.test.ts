import { describe, expect, it } from 'vitest';
import { Type } from '../../dns/constants.js';
import { ReverseNames } from './reverse-names.js';

describe('ReverseNames', () => {
  const asked: string[] = [];
  const targets: Record<string, string[]> = { '10.0.0.1': ['web.shop.svc.cluster.local.'], 'fd00::1': ['a.web.shop.svc.cluster.local.', 'b.web.shop.svc.cluster.local.'] };
  const names = new ReverseNames((ip) => (asked.push(ip), targets[ip] ?? []), () => ['10.0.0.1', 'fd00::1', '10.0.0.1', '10.0.0.2'], 30);

  it('computes the PTRs of the IP a name spells', () => {
    const got = names.lookup('1.0.0.10.in-addr.arpa.', Type.PTR);
    expect(got.kind === 'success' && got.rrs).toEqual([{ name: '1.0.0.10.in-addr.arpa.', type: Type.PTR, class: 1, ttl: 30, domain: 'web.shop.svc.cluster.local.' }]);
    const v6 = `1.${'0.'.repeat(27)}0.0.d.f.ip6.arpa.`;
    const six = names.lookup(v6, Type.PTR);
    expect(six.kind === 'success' && six.rrs.map((r) => r.domain)).toEqual(targets['fd00::1']);
    expect(names.lookup('1.0.0.10.in-addr.arpa.', Type.A).kind).toBe('nodata');
    expect(asked.slice(0, 2)).toEqual(['10.0.0.1', 'fd00::1']);
  });

  it('has no name for an IP without targets, or a name that is no complete address', () => {
    expect(names.lookup('2.0.0.10.in-addr.arpa.', Type.PTR).kind).toBe('nxdomain');
    for (const n of ['0.0.10.in-addr.arpa.', '01.0.0.10.in-addr.arpa.', '256.0.0.10.in-addr.arpa.', 'in-addr.arpa.', 'web.shop.svc.']) expect(names.has(n), n).toBe(false);
  });

  it('counts names with targets once', () => {
    expect(names.size).toBe(2);
  });
});
