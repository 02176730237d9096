import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStubUpstream, type StubUpstream } from './stub-upstream.ts';
import { head, query, QType } from './lib/wire.ts';

let stub: StubUpstream;
let sock: dgram.Socket;
const replies: Buffer[] = [];
beforeAll(async () => {
  stub = await startStubUpstream();
  sock = dgram.createSocket('udp4');
  sock.on('message', (b) => replies.push(b));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
});
afterAll(async () => {
  sock.close();
  await stub.close();
});

async function send(b: Buffer): Promise<Buffer | undefined> {
  const n = replies.length;
  sock.send(b, Number(stub.addr.split(':')[1]), '127.0.0.1');
  for (let i = 0; i < 30 && replies.length === n; i++) await new Promise((r) => setTimeout(r, 10));
  return replies[n];
}

describe('stub upstream', () => {
  it('answers NXDOMAIN with RA, the query ID, RD and question, and nothing else', async () => {
    const q = query(0x4242, 'www.example.org', QType.A);
    const r = (await send(q))!;
    expect(head(r)).toEqual({ id: 0x4242, rcode: 3, answers: 0 });
    expect(r[2]! & 0x81).toBe(0x81); // QR and RD
    expect(r[3]! & 0x80).toBe(0x80); // RA
    expect(r.subarray(12)).toEqual(q.subarray(12));
  });

  it('ignores responses and cut-short messages', async () => {
    const resp = query(7, 'x.example', QType.A);
    resp[2] = 0x81;
    expect(await send(resp)).toBeUndefined();
    expect(await send(query(8, 'x.example', QType.A).subarray(0, 15))).toBeUndefined();
  });
});
