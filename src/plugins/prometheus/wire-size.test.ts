import { describe, expect, it } from 'vitest';
import { Type } from '../../dns/constants.js';
import { encode } from '../../dns/encode.js';
import { decode } from '../../dns/decode.js';
import { newQuery, replyTo, type Msg, type RR } from '../../dns/message.js';
import { messageSize } from './wire-size.js';

const rr = (name: string, type: number, data: Partial<RR>, ttl = 5): RR => ({ name, type, class: 1, ttl, ...data });

function reply(qname: string, qtype: number, sections: { answer?: RR[]; ns?: RR[]; extra?: RR[] }, rcode = 0): Msg {
  const m = replyTo(newQuery(qname, qtype), rcode);
  m.answer = sections.answer ?? [];
  m.ns = sections.ns ?? [];
  m.extra = sections.extra ?? [];
  return m;
}

const soa = rr('cluster.local.', Type.SOA, { primary: 'ns.dns.cluster.local.', admin: 'hostmaster.cluster.local.', serial: 1, refresh: 7200, retry: 1800, expiration: 86400, minimum: 5 });
const svc = 'web.default.svc.cluster.local.';
const srvAnswer = [0, 1, 2].map((i) => rr(`_http._tcp.${svc}`, Type.SRV, { priority: 0, weight: 33, port: 80, target: `10-0-0-${i}.${svc}` }));
const glue = [0, 1, 2].map((i) => rr(`10-0-0-${i}.${svc}`, Type.A, { address: `10.0.0.${i}` }));

describe('messageSize equals the encoded size for the shapes the server sends', () => {
  it.each<[string, Msg]>([
    ['query', newQuery(svc, Type.A)],
    ['query with EDNS', newQuery(svc, Type.A, { opt: { udpSize: 1232, version: 0, do: true, extendedRcode: 0, options: [[10, new Uint8Array(8)]] } })],
    ['A', reply(svc, Type.A, { answer: [rr(svc, Type.A, { address: '10.96.0.1' })] })],
    ['A, client used upper case', reply('WEB.Default.svc.cluster.local.', Type.A, { answer: [rr('WEB.Default.svc.cluster.local.', Type.A, { address: '10.96.0.1' })] })],
    ['AAAA x2', reply(svc, Type.AAAA, { answer: [rr(svc, Type.AAAA, { address: 'fd00::1' }), rr(svc, Type.AAAA, { address: 'fd00::2' })] })],
    ['NXDOMAIN with SOA', reply(`nope.${svc}`, Type.A, { ns: [soa] }, 3)],
    ['SRV with glue', reply(`_http._tcp.${svc}`, Type.SRV, { answer: srvAnswer, extra: glue })],
    ['PTR', reply('1.0.96.10.in-addr.arpa.', Type.PTR, { answer: [rr('1.0.96.10.in-addr.arpa.', Type.PTR, { domain: svc })] })],
    ['external CNAME', reply('ext.default.svc.cluster.local.', Type.A, { answer: [rr('ext.default.svc.cluster.local.', Type.CNAME, { domain: 'example.com.' })] })],
    ['TXT', reply('dns-version.cluster.local.', Type.TXT, { answer: [rr('dns-version.cluster.local.', Type.TXT, { strings: ['1.1.0', 'x'.repeat(300)] })] })],
    ['root', reply('.', Type.NS, { answer: [rr('.', Type.NS, { ns: 'a.root-servers.net.' })] })],
  ])('%s', (_name, msg) => {
    expect(messageSize(msg)).toBe(encode(msg).length);
  });

  it('uses the question bytes as received', () => {
    const wire = encode(newQuery('Mixed.Case.example.', Type.MX));
    const q = decode(wire);
    expect(messageSize(q)).toBe(wire.length);
  });
});

describe('messageSize overestimates, never under, where it does not track every earlier name', () => {
  it('a CNAME chain to a second target', () => {
    const m = reply('a.example.', Type.A, {
      answer: [rr('a.example.', Type.CNAME, { domain: 'b.other.' }), rr('b.other.', Type.CNAME, { domain: 'c.other.' }), rr('c.other.', Type.A, { address: '1.2.3.4' })],
    });
    const est = messageSize(m);
    const real = encode(m).length;
    expect(est).toBeGreaterThanOrEqual(real);
    expect(est - real).toBeLessThanOrEqual(10);
  });
});
