import { describe, expect, it } from 'vitest';
import { Class, Rcode, Type } from '../../src/dns/constants.js';
import { newQuery, replyTo, type Msg } from '../../src/dns/message.js';
import { loadCases, type ConformanceCase } from './cases.js';
import { compareCase } from './compare.js';

const corpus = loadCases();
const byId = (id: string): ConformanceCase => corpus.cases.find((c) => c.id === id)!;

function reply(c: ConformanceCase, rcode: number, fill: (m: Msg) => void): Msg {
  const m = replyTo(newQuery(c.q, Type.A), rcode);
  m.aa = true;
  fill(m);
  return m;
}

const a = (name: string, ttl: number, address: string) => ({ name, type: Type.A, class: Class.IN, ttl, address });
const soa = (zone: string, ttl: number, serial: number) => ({
  name: zone, type: Type.SOA, class: Class.IN, ttl: Math.min(ttl, 300), primary: `ns.dns.${zone}`, admin: `hostmaster.${zone}`,
  serial, refresh: 7200, retry: 1800, expiration: 86400, minimum: ttl,
});

describe('compareCase', () => {
  const svc = byId('svc-clusterip-a');

  it('accepts the expected answer, in any order and case', () => {
    expect(compareCase(svc, reply(svc, Rcode.NOERROR, (m) => (m.answer = [a('SVC1.testns.svc.cluster.local.', 30, '10.96.10.1')])))).toEqual([]);
  });

  it('reports a wrong rcode, record, TTL, missing AA and extra records', () => {
    expect(compareCase(svc, reply(svc, Rcode.NXDOMAIN, () => {}))).toEqual([
      'rcode: want NOERROR, got NXDOMAIN',
      'answer: missing svc1.testns.svc.cluster.local. 30 IN A 10.96.10.1',
    ]);
    expect(compareCase(svc, reply(svc, Rcode.NOERROR, (m) => (m.answer = [a('svc1.testns.svc.cluster.local.', 5, '10.96.10.1')])))).toHaveLength(2);
    const noAA = reply(svc, Rcode.NOERROR, (m) => (m.answer = [a('svc1.testns.svc.cluster.local.', 30, '10.96.10.1'), a('x.', 30, '1.1.1.1')]));
    noAA.aa = false;
    expect(compareCase(svc, noAA)).toEqual(['aa: want the authoritative flag set', 'answer: unexpected x. 30 IN A 1.1.1.1']);
  });

  it('expands the soa shorthand and ignores the serial, but not the TTLs', () => {
    const nx = byId('service-missing-nx');
    expect(compareCase(nx, reply(nx, Rcode.NXDOMAIN, (m) => (m.ns = [soa('cluster.local.', 30, 12345)])))).toEqual([]);
    expect(compareCase(nx, reply(nx, Rcode.NXDOMAIN, (m) => (m.ns = [soa('cluster.local.', 5, 12345)])))).not.toEqual([]);
    expect(compareCase(nx, reply(nx, Rcode.NXDOMAIN, () => {}))).not.toEqual([]);
  });

  it('compares owners exactly in case-tagged cases', () => {
    const c = byId('case-mixed-nx-soa');
    expect(compareCase(c, reply(c, Rcode.NXDOMAIN, (m) => (m.ns = [soa('Cluster.Local.', 30, 1)])))).toEqual([]);
    expect(compareCase(c, reply(c, Rcode.NXDOMAIN, (m) => (m.ns = [soa('cluster.local.', 30, 1)])))).not.toEqual([]);
  });

  it('matches {any} to one or more records of that owner and type', () => {
    const c = byId('ns-dns-a');
    expect(compareCase(c, reply(c, Rcode.NOERROR, (m) => (m.answer = [a('ns.dns.cluster.local.', 30, '192.0.2.1'), a('ns.dns.cluster.local.', 30, '192.0.2.2')])))).toEqual([]);
    expect(compareCase(c, reply(c, Rcode.NOERROR, () => {}))).toEqual(['answer: missing ns.dns.cluster.local. 30 IN A {any}']);
  });
});
