import { describe, expect, it } from 'vitest';
import dns2 from 'dns2';
import { Class, Type } from './constants.js';
import { decode, readName } from './decode.js';
import { encode } from './encode.js';
import { newQuery, type Msg, type RR } from './message.js';
import { WireError } from './wire-error.js';

const { Packet } = dns2 as unknown as { Packet: { parse(b: Buffer): { answers: Array<Record<string, unknown>>; header: Record<string, number> } } };

function reply(answer: RR[], extra: RR[] = []): Msg {
  return { ...newQuery('example.org.', Type.A, { id: 7 }), qr: true, aa: true, answer, extra };
}

describe('encode/decode round trip', () => {
  const rrs: RR[] = [
    { name: 'a.example.org.', type: Type.A, class: Class.IN, ttl: 30, address: '10.0.0.1' },
    { name: 'a.example.org.', type: Type.AAAA, class: Class.IN, ttl: 30, address: 'fd00::1' },
    { name: 'c.example.org.', type: Type.CNAME, class: Class.IN, ttl: 5, domain: 'a.example.org.' },
    { name: '_http._tcp.example.org.', type: Type.SRV, class: Class.IN, ttl: 5, priority: 0, weight: 100, port: 80, target: 'a.example.org.' },
    { name: 'example.org.', type: Type.SOA, class: Class.IN, ttl: 5, primary: 'ns.dns.example.org.', admin: 'hostmaster.example.org.', serial: 1700000000, refresh: 7200, retry: 1800, expiration: 86400, minimum: 5 },
    { name: 'example.org.', type: Type.TXT, class: Class.IN, ttl: 5, strings: ['1.1.0'] },
    { name: '1.0.0.10.in-addr.arpa.', type: Type.PTR, class: Class.IN, ttl: 5, domain: 'a.example.org.' },
    { name: 'example.org.', type: Type.NS, class: Class.IN, ttl: 5, ns: 'ns.dns.example.org.' },
  ];
  it.each(rrs.map((r) => [Type[Object.keys(Type).find((k) => Type[k as keyof typeof Type] === r.type) as keyof typeof Type] && r.type, r] as const))('type %i survives', (_t, rr) => {
    const back = decode(encode(reply([rr])));
    expect(back.answer).toEqual([rr]);
  });

  it('is readable by an independent decoder (dns2)', () => {
    const buf = encode(reply(rrs.slice(0, 4)));
    const p = Packet.parse(buf);
    expect(p.header.ancount).toBe(4);
    expect(p.answers[0]).toMatchObject({ name: 'a.example.org', address: '10.0.0.1' });
    expect(p.answers[3]).toMatchObject({ port: 80, target: 'a.example.org' });
  });

  it('compresses repeated names', () => {
    const many = Array.from({ length: 10 }, (_, i) => ({ name: 'svc.ns.svc.cluster.local.', type: Type.A, class: Class.IN, ttl: 5, address: `10.0.0.${i}` }));
    const buf = encode(reply(many));
    // 10 owners: one full name (27 bytes) then 2-byte pointers.
    expect(buf.length).toBeLessThan(12 + 17 + 27 + 10 * (2 + 10 + 4) + 20);
    expect(decode(buf).answer).toHaveLength(10);
  });

  it('points each name at the longest suffix written before, case-insensitively, and keeps the case written first', () => {
    const buf = encode(reply([
      { name: 'Web.NS.svc.cluster.local.', type: Type.A, class: Class.IN, ttl: 5, address: '10.0.0.1' },
      { name: 'db.ns.svc.cluster.local.', type: Type.A, class: Class.IN, ttl: 5, address: '10.0.0.2' },
      { name: 'WEB.ns.SVC.cluster.local.', type: Type.A, class: Class.IN, ttl: 5, address: '10.0.0.3' },
    ]));
    // Question example.org. at 12 (13 bytes + type/class); first owner at 29, written in full.
    const first = 12 + 13 + 4;
    expect(buf.subarray(first, first + 4).toString('latin1')).toBe('\x03Web');
    const second = first + 26 + 14;
    // "db" then a pointer to "NS.svc.cluster.local." inside the first owner (offset first + 4).
    expect([...buf.subarray(second, second + 5)]).toEqual([2, 0x64, 0x62, 0xc0 | ((first + 4) >> 8), (first + 4) & 0xff]);
    // The third owner is the first name again: only a pointer to it.
    const third = second + 5 + 14;
    expect([...buf.subarray(third, third + 2)]).toEqual([0xc0, first]);
    expect(decode(buf).answer.map((r) => r.name)).toEqual(['Web.NS.svc.cluster.local.', 'db.NS.svc.cluster.local.', 'Web.NS.svc.cluster.local.']);
  });

  it('does not compress SRV targets, nor against them (RFC 2782)', () => {
    const srv: RR = { name: '_p._tcp.example.org.', type: Type.SRV, class: Class.IN, ttl: 5, priority: 0, weight: 1, port: 53, target: 'host.example.org.' };
    const a: RR = { name: 'host.example.org.', type: Type.A, class: Class.IN, ttl: 5, address: '10.0.0.9' };
    const buf = encode(reply([srv], [a]));
    // The target is written in full even though example.org. was written before it ...
    expect(buf.indexOf(Buffer.from('\x04host\x07example\x03org\x00', 'latin1'))).toBeGreaterThan(0);
    // ... and the A record's owner points at example.org. of the question, not at the target.
    const back = decode(buf);
    expect(back.answer[0]!.target).toBe('host.example.org.');
    expect(back.extra[0]!.name).toBe('host.example.org.');
    expect(buf.indexOf(Buffer.from([4, 0x68, 0x6f, 0x73, 0x74, 0xc0, 12]))).toBeGreaterThan(0);
  });

  it('never points into a record rolled back for truncation', () => {
    const owners = Array.from({ length: 40 }, (_, i) => ({ name: `host-${i}.zone-${i}.example.org.`, type: Type.A, class: Class.IN, ttl: 5, address: `10.0.0.${i}` }));
    for (let max = 60; max < 700; max += 7) {
      const m = decode(encode(reply(owners.slice(0, 20), owners.slice(20)), max));
      // Every name decodes to what was written (a pointer into dropped bytes would read garbage).
      m.answer.forEach((r, i) => expect(r.name).toBe(owners[i]!.name));
      m.extra.forEach((r, i) => expect(r.name).toBe(owners[20 + i]!.name));
    }
  });

  it('splits TXT strings longer than 255 bytes', () => {
    const long = 'x'.repeat(600);
    const back = decode(encode(reply([{ name: 't.org.', type: Type.TXT, class: Class.IN, ttl: 1, strings: [long] }])));
    expect(back.answer[0]!.strings!.map((s) => s.length)).toEqual([255, 255, 90]);
    expect(back.answer[0]!.strings!.join('')).toBe(long);
  });

  it('keeps a label holding a dot and binary bytes byte-exact', () => {
    const name = 'a\\.b.\\000\\255x.example.';
    const buf = encode(reply([{ name, type: Type.A, class: Class.IN, ttl: 1, address: '1.2.3.4' }]));
    const back = decode(buf);
    expect(back.answer[0]!.name).toBe(name);
    // On the wire: label "a.b" (3 bytes), label 00 FF 'x'.
    const at = buf.indexOf(Buffer.from([3, 0x61, 0x2e, 0x62, 3, 0x00, 0xff, 0x78]));
    expect(at).toBeGreaterThan(0);
  });
});

describe('truncation', () => {
  const big = Array.from({ length: 60 }, (_, i) => ({ name: 'big.example.org.', type: Type.A, class: Class.IN, ttl: 5, address: `10.0.${i >> 8}.${i & 255}` }));
  it('drops whole RRsets and sets TC when the answer does not fit', () => {
    const buf = encode(reply(big), 512);
    const m = decode(buf);
    expect(buf.length).toBeLessThanOrEqual(512);
    expect(m.tc).toBe(true);
    expect(m.answer).toHaveLength(0);
  });
  it('keeps the OPT when truncating', () => {
    const msg = reply(big);
    msg.opt = { udpSize: 1232, version: 0, do: false, extendedRcode: 0, options: [] };
    const m = decode(encode(msg, 512));
    expect(m.tc).toBe(true);
    expect(m.opt?.udpSize).toBe(1232);
  });
  it('drops additional data without TC', () => {
    const msg = reply(big.slice(0, 1), big.map((r) => ({ ...r, name: 'glue.example.org.' })));
    const m = decode(encode(msg, 512));
    expect(m.tc).toBe(false);
    expect(m.answer).toHaveLength(1);
    expect(m.extra).toHaveLength(0);
  });
  it('fits everything over TCP', () => {
    const m = decode(encode(reply(big), 65535));
    expect(m.tc).toBe(false);
    expect(m.answer).toHaveLength(60);
  });
});

describe('hostile wire input', () => {
  const header = (qd = 1) => Buffer.from([0x12, 0x34, 0x01, 0x00, 0, qd, 0, 0, 0, 0, 0, 0]);
  it('rejects a pointer loop', () => {
    const buf = Buffer.concat([header(), Buffer.from([0xc0, 12, 0, 1, 0, 1])]);
    expect(() => decode(buf)).toThrow(WireError);
  });
  it('rejects a forward pointer and a pointer past the end', () => {
    expect(() => readName(Buffer.from([0xc0, 5, 0, 0, 0, 0]), 0)).toThrow(/backwards/);
    expect(() => readName(Buffer.from([0xc0]), 0)).toThrow(/truncated/);
  });
  it('rejects labels over 63 bytes (reserved label types) and names over 255', () => {
    expect(() => readName(Buffer.from([64, ...Buffer.alloc(64, 97), 0]), 0)).toThrow(/label type/);
    const parts: number[] = [];
    for (let i = 0; i < 5; i++) parts.push(63, ...Buffer.alloc(63, 97));
    expect(() => readName(Buffer.from([...parts, 0]), 0)).toThrow(/255/);
  });
  it('rejects two OPT records and reports the ID', () => {
    const opt = [0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0];
    const buf = Buffer.concat([Buffer.from([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 2]), Buffer.from([1, 97, 0, 0, 1, 0, 1]), Buffer.from(opt), Buffer.from(opt)]);
    try {
      decode(buf);
      expect.fail('decoded');
    } catch (e) {
      expect(e).toBeInstanceOf(WireError);
      expect((e as WireError).id).toBe(0x1234);
    }
  });
  it('rejects counts that promise more records than the message holds', () => {
    const buf = Buffer.concat([Buffer.from([0, 1, 1, 0, 0, 1, 0, 5, 0, 0, 0, 0]), Buffer.from([1, 97, 0, 0, 1, 0, 1])]);
    expect(() => decode(buf)).toThrow(WireError);
  });
  it('a compressed question is not echoed raw: its pointer would land in the reply\'s header', () => {
    // The question name is a pointer to offset 2 of the query: flags 0x01 0x00 read as the label "\\000".
    const query = Buffer.concat([header(), Buffer.from([0xc0, 2, 0, 1, 0, 1])]);
    const q = decode(query);
    expect(q.question[0]!.name).toBe('\\000.');
    expect(q.question[0]!.raw).toBeUndefined();
    const back = decode(encode({ ...q, qr: true }));
    expect(back.question).toEqual([{ name: '\\000.', type: Type.A, class: Class.IN, raw: expect.any(Uint8Array) }]);
    // An uncompressed question still is echoed byte for byte (the client's case kept).
    const plain = decode(Buffer.concat([header(), Buffer.from([1, 65, 0, 0, 1, 0, 1])]));
    expect([...plain.question[0]!.raw!]).toEqual([1, 65, 0, 0, 1, 0, 1]);
  });
});

