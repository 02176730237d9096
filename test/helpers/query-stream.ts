/**
 * A steady stream of UDP queries, one at a time, sent from a worker thread so that the latency it
 * measures is the server's and not this test process's (the API simulator may be busy here).
 * A query unanswered within the timeout counts as lost. Use it to watch a server's event loop
 * from outside: a loop blocked for X ms shows as a query that took about X ms.
 */
import { Worker } from 'node:worker_threads';

/** What the stream saw; arrays are per query, in order. */
export interface StreamResult {
  /** ms since the stream started when each query was sent. */
  sentAtMs: number[];
  /** Round-trip time in ms (the timeout for a lost query). */
  latencyMs: number[];
  /** Reply rcode, -1 when lost. */
  rcode: number[];
  /** ANCOUNT of the reply, -1 when lost. */
  answers: number[];
}

/** A running stream. */
export interface QueryStream {
  /** Stops after the query in flight and resolves with everything seen. */
  stop(): Promise<StreamResult>;
  /** Resolves when `count` queries were done (or stop() was called). */
  readonly done: Promise<StreamResult>;
}

/** Options of startQueryStream. */
export interface StreamOptions {
  port: number;
  host?: string;
  /** Encoded queries, used round-robin; their IDs are overwritten. */
  queries: Uint8Array[];
  /** Pause between a reply and the next query (default 2 ms). */
  gapMs?: number;
  /** A query unanswered this long is lost (default 1000 ms). */
  timeoutMs?: number;
  /** Stop by itself after this many queries (default: run until stop()). */
  count?: number;
}

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const dgram = require('node:dgram');
const { port, host, queries, gapMs, timeoutMs, count } = workerData;
const out = { sentAtMs: [], latencyMs: [], rcode: [], answers: [] };
const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
let stopped = false;
let pending = null;
parentPort.on('message', (m) => { if (m === 'stop') stopped = true; });
sock.on('message', (buf) => {
  if (!pending || buf.length < 12 || buf.readUInt16BE(0) !== pending.id) return;
  const p = pending;
  pending = null;
  clearTimeout(p.timer);
  p.done(buf[3] & 15, buf.readUInt16BE(6));
});
const t0 = performance.now();
const one = (i) => new Promise((resolve) => {
  const q = Buffer.from(queries[i % queries.length]);
  const id = i & 0xffff;
  q.writeUInt16BE(id, 0);
  const start = performance.now();
  out.sentAtMs.push(start - t0);
  const finish = (rc, an) => {
    out.latencyMs.push(performance.now() - start);
    out.rcode.push(rc);
    out.answers.push(an);
    resolve();
  };
  pending = { id, done: finish, timer: setTimeout(() => { pending = null; finish(-1, -1); }, timeoutMs) };
  sock.send(q, port, host);
});
sock.bind(0, async () => {
  for (let i = 0; !stopped && i < count; i++) {
    await one(i);
    if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
  }
  sock.close();
  parentPort.postMessage(out);
});
`;

/** Starts the stream in a worker thread. */
export function startQueryStream(o: StreamOptions): QueryStream {
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: {
      port: o.port,
      host: o.host ?? '127.0.0.1',
      queries: o.queries.map((q) => Buffer.from(q)),
      gapMs: o.gapMs ?? 2,
      timeoutMs: o.timeoutMs ?? 1000,
      count: o.count ?? Number.MAX_SAFE_INTEGER,
    },
  });
  const done = new Promise<StreamResult>((resolve, reject) => {
    worker.once('message', (m: StreamResult) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`query stream worker exited (${code}) before reporting`)));
  });
  return {
    done,
    stop: () => {
      worker.postMessage('stop');
      return done;
    },
  };
}

/** The q-quantile (0..1) of `values` (nearest rank). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}
