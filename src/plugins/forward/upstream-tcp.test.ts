import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Type } from '../../dns/constants.js';
import { decode } from '../../dns/decode.js';
import { encode } from '../../dns/encode.js';
import { newQuery, type Msg } from '../../dns/message.js';
import { answerA, startStub, type Stub } from '../../../test/helpers/stub-upstream.js';
import { TcpPool } from './upstream-tcp.js';
import { TimeoutError } from './upstream-udp.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function query(name: string, id: number): [Uint8Array, { id: number; question: Msg['question'][0] }] {
  const q = newQuery(name, Type.A, { id });
  return [encode(q), { id, question: q.question[0]! }];
}

function pool(port: number, expire = 10_000): TcpPool {
  const p = new TcpPool({ host: '127.0.0.1', port }, { expire, maxIdle: 0 });
  cleanups.push(() => p.stop());
  return p;
}

async function stub(): Promise<Stub> {
  const s = await startStub((q) => answerA(q, '192.0.2.1'));
  cleanups.push(() => s.close());
  return s;
}

describe('TcpPool', () => {
  it('reuses one connection for sequential queries', async () => {
    const s = await stub();
    const p = pool(s.port);
    for (let i = 0; i < 3; i++) {
      const [wire, expect_] = query(`q${i}.example.`, 100 + i);
      const r = await p.exchange(wire, expect_, Date.now() + 1000);
      expect(r.id).toBe(100 + i);
    }
    expect(s.tcpConnections).toBe(1);
    expect(p.idleCount).toBe(1);
  });

  it('does not reuse a connection idle longer than expire', async () => {
    const s = await stub();
    const p = pool(s.port, 40);
    const [w1, e1] = query('a.example.', 1);
    await p.exchange(w1, e1, Date.now() + 1000);
    await new Promise((r) => setTimeout(r, 80));
    const [w2, e2] = query('b.example.', 2);
    await p.exchange(w2, e2, Date.now() + 1000);
    expect(s.tcpConnections).toBe(2);
  });

  it('retries on a fresh connection when the cached one was closed by the peer', async () => {
    let conns = 0;
    const server = net.createServer((sock) => {
      conns++;
      sock.on('data', (chunk) => {
        const q = decode(chunk.subarray(2));
        const wire = encode(answerA(q, '192.0.2.2'));
        const head = Buffer.alloc(2);
        head.writeUInt16BE(wire.length);
        // Answer, then close a moment later: the pooled connection is dead when reused.
        sock.write(Buffer.concat([head, wire]), () => setTimeout(() => sock.end(), 5));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => server.close(r)));
    const port = (server.address() as net.AddressInfo).port;
    const p = pool(port);
    const [w1, e1] = query('a.example.', 1);
    await p.exchange(w1, e1, Date.now() + 1000);
    await new Promise((r) => setTimeout(r, 30));
    const [w2, e2] = query('b.example.', 2);
    const r = await p.exchange(w2, e2, Date.now() + 1000);
    expect(r.answer[0]!.address).toBe('192.0.2.2');
    expect(conns).toBe(2);
  });

  it('drops a connection whose query timed out and ignores frames for other IDs', async () => {
    const s = await startStub((q) => ({ ...answerA(q, '192.0.2.3'), id: (q.id + 1) & 0xffff }));
    cleanups.push(() => s.close());
    const p = pool(s.port);
    const [w, e] = query('a.example.', 5);
    const err = await p.exchange(w, e, Date.now() + 100).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(p.idleCount).toBe(0);
  });

  it('fails fast on a refused connection', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((r) => server.close(r));
    const p = pool(port);
    const [w, e] = query('a.example.', 5);
    const t0 = Date.now();
    const err = await p.exchange(w, e, Date.now() + 2000).catch((x: unknown) => x);
    expect((err as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
