/**
 * Hostile input against the real CLI: after every abuse the server must still answer a normal
 * query correctly. Guard-layer rules: miekg/dns acceptfunc, RFC 1035 §4.1.4, RFC 6891, RFC 7766.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rcode, Type } from '../../src/dns/constants.js';
import { decode } from '../../src/dns/decode.js';
import { encode } from '../../src/dns/encode.js';
import { newQuery } from '../../src/dns/message.js';
import { startCli, type Running } from '../helpers/cli.js';
import { frame, tcpConnect, udpQuery, udpRaw } from '../helpers/wire-client.js';

let srv: Running;
const COREFILE = `example.test:{port} {
  bind 127.0.0.1
  hosts {
    192.0.2.1 www.example.test
    fallthrough
  }
}
`;

async function healthy(): Promise<void> {
  const r = await udpQuery(srv.port, 'www.example.test.', Type.A, { id: 4711 });
  expect(r.id).toBe(4711);
  expect(r.rcode).toBe(Rcode.NOERROR);
  expect(r.answer.map((a) => a.address)).toEqual(['192.0.2.1']);
}

const hdr = (id: number, flags: number, qd: number, an = 0, ns = 0, ar = 0) =>
  Buffer.from([id >> 8, id & 255, flags >> 8, flags & 255, 0, qd, 0, an, 0, ns, 0, ar]);
const question = Buffer.from([3, 119, 119, 119, 7, ...Buffer.from('example'), 4, ...Buffer.from('test'), 0, 0, 1, 0, 1]);

beforeAll(async () => {
  srv = await startCli(COREFILE);
});
afterAll(async () => {
  await srv?.stop();
});

describe('UDP abuse', () => {
  it.each([
    ['a one-byte datagram', Buffer.from([0x01]), null],
    ['a short header (FORMERR, ID kept)', Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00]), Rcode.FORMERR],
    ['a response (QR=1) is not answered', Buffer.concat([hdr(1, 0x8100, 1), question]), null],
    ['an unknown opcode (NOTIMP)', Buffer.concat([hdr(2, 0x7900, 1), question]), Rcode.NOTIMP],
    ['two questions (FORMERR)', Buffer.concat([hdr(3, 0x0100, 2), question, question]), Rcode.FORMERR],
    ['no question (FORMERR)', hdr(4, 0x0100, 0), Rcode.FORMERR],
    ['a compression pointer loop (FORMERR)', Buffer.concat([hdr(5, 0x0100, 1), Buffer.from([0xc0, 12, 0, 1, 0, 1])]), Rcode.FORMERR],
    ['a label over 63 bytes (FORMERR)', Buffer.concat([hdr(6, 0x0100, 1), Buffer.from([64]), Buffer.alloc(64, 97), Buffer.from([0, 0, 1, 0, 1])]), Rcode.FORMERR],
    ['a name over 255 bytes (FORMERR)', Buffer.concat([hdr(7, 0x0100, 1), ...Array.from({ length: 5 }, () => Buffer.concat([Buffer.from([60]), Buffer.alloc(60, 97)])), Buffer.from([0, 0, 1, 0, 1])]), Rcode.FORMERR],
    ['two OPT records (FORMERR)', Buffer.concat([hdr(8, 0x0100, 1, 0, 0, 2), question, Buffer.from([0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0]), Buffer.from([0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0])]), Rcode.FORMERR],
    ['EDNS version 1 (BADVERS)', Buffer.concat([hdr(9, 0x0100, 1, 0, 0, 1), question, Buffer.from([0, 0, 41, 4, 0xd0, 0, 1, 0, 0, 0, 0])]), Rcode.BADVERS],
    ['class CHAOS (REFUSED)', Buffer.concat([hdr(10, 0x0100, 1), question.subarray(0, question.length - 1), Buffer.from([3])]), Rcode.REFUSED],
    ['a record count larger than the message (FORMERR)', Buffer.concat([hdr(11, 0x0100, 1, 9), question]), Rcode.FORMERR],
  ] as const)('%s', async (_name, bytes, rcode) => {
    const r = await udpRaw(srv.port, bytes, rcode === null ? 300 : 2000);
    if (rcode === null) expect(r).toBeNull();
    else {
      expect(r).not.toBeNull();
      const id = (bytes[0]! << 8) | bytes[1]!;
      expect(r!.readUInt16BE(0)).toBe(id);
      const m = decode(r!);
      expect(m.qr).toBe(true);
      expect(m.rcode).toBe(rcode);
    }
    await healthy();
  });

  it('echoes the OPT, clamps the size to 1232, and keeps the question spelling', async () => {
    const q = newQuery('WwW.ExAmPlE.TeSt.', Type.A, { id: 77, opt: { udpSize: 65000, version: 0, do: true, extendedRcode: 0, options: [] } });
    const r = decode((await udpRaw(srv.port, encode(q)))!);
    expect(r.opt).toMatchObject({ udpSize: 1232, version: 0, do: true });
    expect(r.question[0]!.name).toBe('WwW.ExAmPlE.TeSt.');
  });

  it('answers REFUSED for a name outside every zone', async () => {
    const r = await udpQuery(srv.port, 'example.org.', Type.A);
    expect(r.rcode).toBe(Rcode.REFUSED);
  });

  it('survives 2,000 random datagrams', async () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed);
    for (let i = 0; i < 2000; i++) {
      const base = encode(newQuery('www.example.test.', Type.A, { id: i }));
      const b = Buffer.from(base);
      for (let k = 0; k < 1 + (rnd() % 4); k++) b[rnd() % b.length] = rnd() & 255;
      void udpRaw(srv.port, b.subarray(0, 1 + (rnd() % b.length)), 50);
    }
    await new Promise((r) => setTimeout(r, 300));
    await healthy();
  });
});

describe('TCP abuse (RFC 7766)', () => {
  it('answers pipelined queries on one connection, each with its own ID', async () => {
    const c = await tcpConnect(srv.port);
    const ids = [101, 102, 103, 104, 105];
    c.sock.write(Buffer.concat(ids.map((id) => frame(encode(newQuery('www.example.test.', Type.A, { id }))))));
    const replies = await c.waitReplies(ids.length);
    expect(replies.map((r) => r.readUInt16BE(0)).sort()).toEqual(ids);
    c.sock.destroy();
  });

  it('closes a connection whose frame length cannot hold a header', async () => {
    const c = await tcpConnect(srv.port);
    c.sock.write(Buffer.from([0, 3, 1, 2, 3]));
    expect(await c.waitClosed()).toBe(true);
    await healthy();
  });

  it('closes a slowloris that never completes its message, while others are served', async () => {
    const c = await tcpConnect(srv.port);
    const msg = frame(encode(newQuery('www.example.test.', Type.A, { id: 9 })));
    let i = 0;
    const drip = setInterval(() => { if (i < 4 && !c.closed) c.sock.write(msg.subarray(i, ++i)); }, 400);
    await healthy();
    const closed = await c.waitClosed(6000);
    clearInterval(drip);
    expect(closed).toBe(true);
    expect(c.replies).toHaveLength(0);
  });

  it('a frame that lies about its length and hangs up does not disturb the server', async () => {
    const c = await tcpConnect(srv.port);
    c.sock.write(Buffer.concat([Buffer.from([1, 44]), Buffer.alloc(10, 7)]));
    c.sock.destroy();
    await healthy();
  });

  it('serves UDP and new TCP queries while 200 idle connections are held open', async () => {
    const idle = await Promise.all(Array.from({ length: 200 }, () => tcpConnect(srv.port)));
    await healthy();
    const c = await tcpConnect(srv.port);
    c.sock.write(frame(encode(newQuery('www.example.test.', Type.A, { id: 555 }))));
    const [r] = await c.waitReplies(1);
    expect(decode(r!).answer[0]!.address).toBe('192.0.2.1');
    for (const x of [...idle, c]) x.sock.destroy();
  });
});
