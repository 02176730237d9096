import { describe, expect, it } from 'vitest';
import { accept } from './accept.js';
import { Rcode, Type } from './constants.js';
import { decode } from './decode.js';
import { encode } from './encode.js';
import { newQuery, type Msg } from './message.js';

const q = (over: Partial<Msg> = {}) => encode(newQuery('example.org.', Type.A, { id: 99, ...over }));

function rcodeOf(buf: Buffer): number {
  const v = accept(buf, false);
  if (v.kind !== 'reply') throw new Error(`expected a reply, got ${v.kind}`);
  return decode(v.reply).rcode;
}

describe('accept (guard layer)', () => {
  it('serves a plain query with the 512-byte default size', () => {
    const v = accept(q(), false);
    expect(v.kind).toBe('serve');
    if (v.kind === 'serve') expect(v.size).toBe(512);
  });
  it('clamps the EDNS size to [512, 1232] over UDP and uses 65535 over TCP', () => {
    const small = accept(q({ opt: { udpSize: 100, version: 0, do: false, extendedRcode: 0, options: [] } }), false);
    const large = accept(q({ opt: { udpSize: 4096, version: 0, do: true, extendedRcode: 0, options: [] } }), false);
    const tcp = accept(q(), true);
    expect(small.kind === 'serve' && small.size).toBe(512);
    expect(large.kind === 'serve' && large.size).toBe(1232);
    expect(tcp.kind === 'serve' && tcp.size).toBe(65535);
  });
  it('drops responses (QR=1) and scraps shorter than an ID', () => {
    expect(accept(q({ qr: true }), false).kind).toBe('drop');
    expect(accept(Buffer.from([1]), false).kind).toBe('drop');
  });
  it('answers FORMERR to a short header, keeping the ID', () => {
    const v = accept(Buffer.from([0xab, 0xcd, 0x01]), false);
    expect(v.kind).toBe('reply');
    if (v.kind === 'reply') {
      expect(v.reply.readUInt16BE(0)).toBe(0xabcd);
      expect(v.reply[3]! & 0xf).toBe(Rcode.FORMERR);
      expect(v.reply[2]! & 0x80).toBe(0x80);
    }
  });
  it('answers NOTIMP to other opcodes, FORMERR to qdcount 0 or 2, REFUSED to class CH', () => {
    expect(rcodeOf(q({ opcode: 2 }))).toBe(Rcode.NOTIMP);
    expect(rcodeOf(encode({ ...newQuery('a.', 1), question: [] }))).toBe(Rcode.FORMERR);
    const two = newQuery('a.', 1);
    two.question.push({ name: 'b.', type: 1, class: 1 });
    expect(rcodeOf(encode(two))).toBe(Rcode.FORMERR);
    const ch = newQuery('version.bind.', Type.TXT);
    ch.question[0]!.class = 3;
    expect(rcodeOf(encode(ch))).toBe(Rcode.REFUSED);
  });
  it('answers BADVERS (with an OPT of version 0) to EDNS version 1', () => {
    const v = accept(q({ opt: { udpSize: 1232, version: 1, do: false, extendedRcode: 0, options: [] } }), false);
    expect(v.kind).toBe('reply');
    if (v.kind === 'reply') {
      const m = decode(v.reply);
      expect(m.rcode).toBe(Rcode.BADVERS);
      expect(m.opt?.version).toBe(0);
    }
  });
  it('answers FORMERR to garbage after a valid header', () => {
    const buf = Buffer.concat([q().subarray(0, 12), Buffer.from([5, 1, 2])]);
    expect(rcodeOf(buf)).toBe(Rcode.FORMERR);
  });
});
