import net from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { TcpServer } from './tcp-server.js';

const log = pino({ level: 'silent' });
/** A 12-byte "query" framed for TCP; the server below echoes it. */
const framed = (id: number) => Buffer.from([0, 12, id >> 8, id & 255, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: TcpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(readTimeoutMs: number, delayMs = 0): Promise<number> {
  server = new TcpServer({ host: '127.0.0.1', port: 0, log, readTimeoutMs, idleTimeoutMs: 5000 }, (msg) =>
    delayMs ? sleep(delayMs).then(() => msg) : msg,
  );
  await server.listen();
  return server.port;
}

async function connect(port: number) {
  const sock = net.connect({ port, host: '127.0.0.1' });
  await new Promise<void>((res, rej) => sock.once('connect', () => res()).once('error', rej));
  const state = { sock, replies: 0, closedAt: 0 };
  let buf = Buffer.alloc(0);
  sock.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
      state.replies++;
      buf = buf.subarray(2 + buf.readUInt16BE(0));
    }
  });
  sock.on('error', () => {});
  sock.on('close', () => (state.closedAt = performance.now()));
  return state;
}

describe('TcpServer read deadline', () => {
  it('is not extended by a client dripping one byte at a time (slowloris)', async () => {
    const port = await start(300);
    const c = await connect(port);
    const t0 = performance.now();
    const msg = framed(1);
    for (let i = 0; i < msg.length - 1 && !c.closedAt; i++) {
      c.sock.write(msg.subarray(i, i + 1));
      await sleep(50);
    }
    // 13 bytes at 50 ms would take 650 ms: the 300 ms deadline from the first byte ends it first.
    expect(c.closedAt).toBeGreaterThan(0);
    expect(c.closedAt - t0).toBeLessThan(600);
    expect(c.replies).toBe(0);
  });

  it('restarts for each message: a pipelining client making progress is never cut', async () => {
    const port = await start(300);
    const c = await connect(port);
    // Every write completes one message and starts the next, for well over the deadline.
    const stream = Buffer.concat(Array.from({ length: 40 }, (_, i) => framed(i)));
    const cuts = [0, ...Array.from({ length: 40 }, (_, i) => 7 + 14 * i), stream.length];
    for (let i = 1; i < cuts.length; i++) {
      c.sock.write(stream.subarray(cuts[i - 1], cuts[i]));
      await sleep(25);
    }
    await sleep(100);
    expect(c.closedAt).toBe(0);
    expect(c.replies).toBe(40);
    c.sock.destroy();
  });

  it('does not run while the server stopped reading (queries in flight at the cap)', async () => {
    server = new TcpServer({ host: '127.0.0.1', port: 0, log, readTimeoutMs: 200, idleTimeoutMs: 5000, maxInFlight: 2 }, (msg) => sleep(400).then(() => msg));
    await server.listen();
    const c = await connect(server.port);
    // Two slow queries fill the cap; the third arrives half-sent and is completed later.
    c.sock.write(Buffer.concat([framed(1), framed(2), framed(3).subarray(0, 5)]));
    await sleep(300);
    c.sock.write(framed(3).subarray(5));
    await sleep(1000);
    expect(c.closedAt).toBe(0);
    expect(c.replies).toBe(3);
    c.sock.destroy();
  });
});

describe('TcpServer close', () => {
  it('answers what it owes: a query in flight, and the first query of a just-accepted connection', async () => {
    const port = await start(2000, 150);
    const busy = await connect(port);
    const fresh = await connect(port);
    const used = await connect(port);
    used.sock.write(framed(1));
    await sleep(250);
    expect(used.replies).toBe(1);
    busy.sock.write(framed(2));
    await sleep(20);
    const closing = server!.close();
    // The fresh connection's query was "on the wire" when the server began to close.
    await sleep(50);
    fresh.sock.write(framed(3));
    await closing;
    server = undefined;
    await sleep(50);
    expect(busy.replies).toBe(1);
    expect(fresh.replies).toBe(1);
    // Everything is closed afterwards; the idle one at once (long before the others).
    for (const c of [busy, fresh, used]) expect(c.closedAt).toBeGreaterThan(0);
    expect(used.closedAt).toBeLessThan(busy.closedAt);
  });

  it('ends a connection that never sends anything after a short grace, well before the 2 s hard stop', async () => {
    const port = await start(2000);
    const silent = await connect(port);
    const t0 = performance.now();
    await server!.close();
    server = undefined;
    await sleep(50);
    expect(silent.closedAt).toBeGreaterThan(0);
    expect(silent.closedAt - t0).toBeLessThan(1000);
  });
});
