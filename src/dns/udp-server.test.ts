import dgram from 'node:dgram';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { RECV_BUFFER_BYTES, UdpServer } from './udp-server.js';

const log = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let client: dgram.Socket | undefined;
afterEach(() => {
  client?.close();
  client = undefined;
});

async function ask(port: number, bytes: Buffer): Promise<Buffer[]> {
  client = dgram.createSocket('udp4');
  const got: Buffer[] = [];
  client.on('message', (m) => got.push(m));
  await new Promise<void>((r) => client!.bind(0, '127.0.0.1', () => r()));
  client.send(bytes, port, '127.0.0.1');
  return got;
}

describe('UdpServer close', () => {
  it('sends the replies of queries still in flight before closing', async () => {
    const srv = new UdpServer({ host: '127.0.0.1', port: 0, log }, (msg) => sleep(200).then(() => msg));
    await srv.listen();
    const got = await ask(srv.port, Buffer.from('slow answer'));
    await sleep(30);
    const t0 = performance.now();
    await srv.close();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(100);
    await sleep(30);
    expect(got.map(String)).toEqual(['slow answer']);
  });

  it('gives up waiting after drainMs, and closes at once when nothing is in flight', async () => {
    const stuck = new UdpServer({ host: '127.0.0.1', port: 0, log }, () => new Promise<Buffer | null>(() => {}));
    await stuck.listen();
    await ask(stuck.port, Buffer.from('never answered'));
    await sleep(30);
    let t0 = performance.now();
    await stuck.close(150);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    expect(performance.now() - t0).toBeLessThan(1000);

    const idle = new UdpServer({ host: '127.0.0.1', port: 0, log }, (msg) => msg);
    await idle.listen();
    t0 = performance.now();
    await idle.close();
    expect(performance.now() - t0).toBeLessThan(50);
  });
});

describe('UdpServer fast path', () => {
  it('answers from `fast` without calling serve; a miss goes to serve, told the fast path missed', async () => {
    const seen: Array<[string, boolean | undefined]> = [];
    const fast = (msg: Buffer, tcp: boolean, family: 1 | 2) => (String(msg) === 'kept' && !tcp && family === 1 ? Buffer.from('from fast') : undefined);
    const srv = new UdpServer({ host: '127.0.0.1', port: 0, log }, (msg, _peer, missed) => {
      seen.push([String(msg), missed]);
      return Buffer.from('from serve');
    }, fast);
    await srv.listen();
    const got = await ask(srv.port, Buffer.from('kept'));
    client!.send(Buffer.from('other'), srv.port, '127.0.0.1');
    await sleep(50);
    expect(got.map(String).sort()).toEqual(['from fast', 'from serve']);
    expect(seen).toEqual([['other', true]]);
    await srv.close();
  });

  it('lets the fast path lend its bytes only while no send waits in the queue', async () => {
    // A stand-in for the wire cache: lent, it patches and returns one shared buffer; else a copy.
    const shared = Buffer.alloc(2);
    const lentFlags: boolean[] = [];
    const fast = (msg: Buffer, _tcp: boolean, _family: 1 | 2, lent?: boolean) => {
      lentFlags.push(lent === true);
      const out = lent ? shared : Buffer.alloc(2);
      out[0] = msg[0]!;
      return out;
    };
    const srv = new UdpServer({ host: '127.0.0.1', port: 0, log }, (msg) => msg, fast);
    await srv.listen();
    // Node's queue, as when the kernel's buffer is full: the first send waits there holding its buffer.
    const socket = (srv as unknown as { socket: dgram.Socket }).socket;
    const held: Buffer[] = [];
    let queued = 0;
    socket.getSendQueueCount = () => queued;
    socket.send = ((buf: Buffer) => {
      if (held.length === 0) queued = 1;
      held.push(buf);
    }) as never;
    const got = await ask(srv.port, Buffer.from([1]));
    await sleep(30);
    client!.send(Buffer.from([2]), srv.port, '127.0.0.1');
    client!.send(Buffer.from([3]), srv.port, '127.0.0.1');
    await sleep(30);
    expect(held.map((b) => b[0])).toEqual([1, 2, 3]);
    queued = 0;
    client!.send(Buffer.from([4]), srv.port, '127.0.0.1');
    await sleep(30);
    expect(got).toEqual([]);
    // The queued reply kept its bytes: the hits after it got copies until the queue drained.
    expect(lentFlags).toEqual([true, false, false, true]);
    expect(held.map((b) => b[0])).toEqual([4, 2, 3, 4]);
    expect(held[0]).toBe(shared);
    await srv.close();
  });

  it('delivers every reply of a burst (sent without callbacks) and closes promptly afterwards', async () => {
    const srv = new UdpServer({ host: '127.0.0.1', port: 0, log }, (msg) => msg, (msg) => (msg[0]! % 2 === 0 ? Buffer.from(msg) : undefined));
    await srv.listen();
    const got = await ask(srv.port, Buffer.from([0, 0]));
    for (let i = 1; i < 200; i++) client!.send(Buffer.from([i, i >> 8]), srv.port, '127.0.0.1');
    const t0 = Date.now();
    while (got.length < 200 && Date.now() - t0 < 2000) await sleep(10);
    expect(got.length).toBe(200);
    expect(new Set(got.map((b) => b[0]! + (b[1]! << 8))).size).toBe(200);
    const t1 = performance.now();
    await srv.close();
    expect(performance.now() - t1).toBeLessThan(100);
  });
});

describe('UdpServer receive buffer', () => {
  const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
  const rmemDefault = Number(readFileSync('/proc/sys/net/core/rmem_default', 'utf8'));

  /** Sends `n` datagrams before the server can read any (one synchronous burst); returns how many were answered. */
  async function burst(srv: UdpServer, n: number): Promise<number> {
    client = dgram.createSocket('udp4');
    let answered = 0;
    client.on('message', () => answered++);
    await new Promise<void>((r) => client!.bind(0, '127.0.0.1', () => r()));
    await new Promise<void>((r) => client!.connect(srv.port, '127.0.0.1', () => r()));
    const q = Buffer.alloc(40, 7);
    for (let i = 0; i < n; i++) client.send(q);
    let last = -1;
    while (answered !== last) {
      last = answered;
      await sleep(200);
    }
    return answered;
  }

  it('asks for RECV_BUFFER_BYTES (the kernel grants up to net.core.rmem_max, doubled); 0 keeps the default', async () => {
    const big = new UdpServer({ host: '127.0.0.1', port: 0, log }, (m) => m);
    const plain = new UdpServer({ host: '127.0.0.1', port: 0, log, recvBufferBytes: 0 }, (m) => m);
    await big.listen();
    await plain.listen();
    expect(big.receiveBufferSize).toBe(Math.max(rmemDefault, 2 * Math.min(RECV_BUFFER_BYTES, rmemMax)));
    expect(plain.receiveBufferSize).toBe(rmemDefault);
    await big.close();
    await plain.close();
  });

  // Where rmem_max is the stock 208 KiB the larger request is capped away: nothing to show then.
  it.skipIf(rmemMax < 2 << 20)('a burst of 3,000 queries that overflows the default buffer is answered whole', async () => {
    const plain = new UdpServer({ host: '127.0.0.1', port: 0, log, recvBufferBytes: 0 }, (m) => m);
    await plain.listen();
    const lostPlain = 3000 - (await burst(plain, 3000));
    await plain.close();
    client?.close();
    const big = new UdpServer({ host: '127.0.0.1', port: 0, log }, (m) => m);
    await big.listen();
    const lostBig = 3000 - (await burst(big, 3000));
    await big.close();
    expect(lostPlain).toBeGreaterThan(1000);
    expect(lostBig).toBe(0);
  });
});
