import { describe, expect, it } from 'vitest';
import { Opcode, Rcode, Type } from '../../dns/constants.js';
import { newQuery, replyTo, type Msg, type RR } from '../../dns/message.js';
import { answersQuestion, cacheKind, isCacheable, Kind, minimalTtl } from './classify.js';
import { typify } from '../../plugin/response.js';

const NOW = 1_700_000_000;

function reply(qname: string, qtype: number, over: Partial<Msg> = {}): Msg {
  return { ...replyTo(newQuery(qname, qtype)), ...over };
}
const A = (name: string, ttl = 300): RR => ({ name, type: Type.A, class: 1, ttl, address: '192.0.2.1' });
const CNAME = (name: string, domain: string, ttl = 300): RR => ({ name, type: Type.CNAME, class: 1, ttl, domain });
const SOA = (ttl = 3600, minimum = 60): RR => ({ name: 'example.', type: Type.SOA, class: 1, ttl, primary: 'ns.example.', admin: 'h.example.', serial: 1, refresh: 1, retry: 1, expiration: 1, minimum });
const NS: RR = { name: 'sub.example.', type: Type.NS, class: 1, ttl: 300, ns: 'ns.sub.example.' };

function rrsig(inception: number, expiration: number): RR {
  const d = new Uint8Array(18);
  const v = new DataView(d.buffer);
  v.setUint16(0, Type.A);
  v.setUint32(8, expiration);
  v.setUint32(12, inception);
  return { name: 'a.example.', type: Type.RRSIG, class: 1, ttl: 300, rdata: d };
}

describe('classify', () => {
  it.each<[string, Msg, Kind]>([
    ['answer', reply('a.example.', Type.A, { answer: [A('a.example.')] }), Kind.NOERROR],
    ['NXDOMAIN', reply('a.example.', Type.A, { rcode: Rcode.NXDOMAIN, ns: [SOA()] }), Kind.NXDOMAIN],
    ['NXDOMAIN with answers', reply('a.example.', Type.A, { rcode: Rcode.NXDOMAIN, answer: [A('a.example.')] }), Kind.OTHERERROR],
    ['NODATA', reply('a.example.', Type.A, { ns: [SOA()] }), Kind.NODATA],
    ['SERVFAIL', reply('a.example.', Type.A, { rcode: Rcode.SERVFAIL }), Kind.SERVERERROR],
    ['NOTIMP', reply('a.example.', Type.A, { rcode: Rcode.NOTIMP }), Kind.SERVERERROR],
    ['REFUSED', reply('a.example.', Type.A, { rcode: Rcode.REFUSED }), Kind.OTHERERROR],
    ['delegation', reply('a.sub.example.', Type.A, { ns: [NS] }), Kind.DELEGATION],
    ['empty NOERROR', reply('a.example.', Type.A), Kind.NOERROR],
    ['AXFR', reply('example.', Type.AXFR, { answer: [SOA()] }), Kind.META],
    ['NOTIFY', reply('example.', Type.SOA, { opcode: Opcode.NOTIFY }), Kind.META],
    ['UPDATE', reply('example.', Type.SOA, { opcode: Opcode.UPDATE }), Kind.UPDATE],
  ])('typify %s', (_n, m, kind) => {
    expect(typify(m, NOW)).toBe(kind);
  });

  it('treats an expired RRSIG as an error only when DO is set', () => {
    const opt = { udpSize: 1232, version: 0, do: true, extendedRcode: 0, options: [] };
    const expired = reply('a.example.', Type.A, { answer: [A('a.example.'), rrsig(NOW - 200, NOW - 100)], opt });
    const valid = reply('a.example.', Type.A, { answer: [A('a.example.'), rrsig(NOW - 200, NOW + 100)], opt });
    expect(typify(expired, NOW)).toBe(Kind.OTHERERROR);
    expect(typify(valid, NOW)).toBe(Kind.NOERROR);
    expect(typify({ ...expired, opt: undefined }, NOW)).toBe(Kind.NOERROR);
  });

  it.each<[string, Msg, boolean]>([
    ['direct', reply('a.example.', Type.A, { answer: [A('A.example.')] }), true],
    ['chain', reply('w.example.', Type.A, { answer: [CNAME('w.example.', 'x.example.'), CNAME('x.example.', 'a.example.'), A('a.example.')] }), true],
    ['dangling chain', reply('w.example.', Type.A, { answer: [CNAME('w.example.', 'x.example.')] }), false],
    ['wrong owner', reply('w.example.', Type.A, { answer: [A('b.example.')] }), false],
    ['loop', reply('w.example.', Type.A, { answer: [CNAME('w.example.', 'x.example.'), CNAME('x.example.', 'w.example.')] }), false],
    ['two targets', reply('w.example.', Type.A, { answer: [CNAME('w.example.', 'a.example.'), CNAME('w.example.', 'b.example.'), A('a.example.')] }), false],
    ['CNAME query', reply('w.example.', Type.CNAME, { answer: [CNAME('w.example.', 'x.example.')] }), true],
    ['ANY query', reply('w.example.', Type.ANY, { answer: [A('w.example.')] }), true],
  ])('answersQuestion %s', (_n, m, want) => {
    expect(answersQuestion(m)).toBe(want);
  });

  it('reclassifies a non-answering chain with SOA as NODATA and refuses it without SOA', () => {
    const dangling = reply('w.example.', Type.A, { answer: [CNAME('w.example.', 'x.example.')] });
    expect(cacheKind({ ...dangling, ns: [SOA()] }, NOW)).toBe(Kind.NODATA);
    expect(isCacheable(dangling, cacheKind(dangling, NOW))).toBe(false);
  });

  it.each<[string, Msg, boolean]>([
    ['answer', reply('a.example.', Type.A, { answer: [A('a.example.')] }), true],
    ['truncated', reply('a.example.', Type.A, { tc: true, answer: [A('a.example.')] }), false],
    ['NXDOMAIN with SOA', reply('a.example.', Type.A, { rcode: Rcode.NXDOMAIN, ns: [SOA()] }), true],
    ['NXDOMAIN without SOA', reply('a.example.', Type.A, { rcode: Rcode.NXDOMAIN }), false],
    ['SERVFAIL', reply('a.example.', Type.A, { rcode: Rcode.SERVFAIL }), true],
    ['REFUSED', reply('a.example.', Type.A, { rcode: Rcode.REFUSED }), false],
  ])('isCacheable %s', (_n, m, want) => {
    expect(isCacheable(m, cacheKind(m, NOW))).toBe(want);
  });

  it.each<[string, Msg, number]>([
    ['lowest record TTL', reply('a.example.', Type.A, { answer: [A('a.example.', 300), A('a.example.', 120)], extra: [A('x.example.', 200)] }), 120],
    ['capped by max', reply('a.example.', Type.A, { answer: [A('a.example.', 9000)] }), 3600],
    ['SOA TTL', reply('a.example.', Type.A, { rcode: Rcode.NXDOMAIN, ns: [SOA(30, 60)] }), 30],
    ['SOA minimum', reply('a.example.', Type.A, { rcode: Rcode.NXDOMAIN, ns: [SOA(3600, 60)] }), 60],
    ['no records', reply('a.example.', Type.A), 5],
    ['delegation', reply('a.sub.example.', Type.A, { ns: [NS] }), 5],
  ])('minimalTtl: %s', (_n, m, want) => {
    expect(minimalTtl(m, cacheKind(m, NOW), 3600)).toBe(want);
  });
});
