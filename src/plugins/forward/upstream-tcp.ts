/**
 * DNS over TCP to one upstream with connection reuse (RFC 7766 §6.2.1), as CoreDNS's
 * persistent transport: one query at a time per connection, idle connections kept FIFO (oldest
 * first, for source-port diversity) and closed once idle longer than `expire`. A connection that
 * timed out or saw an error is never put back, so a late reply can't be read by the next query.
 */
import net from 'node:net';
import type { Msg } from '../../dns/message.js';
import { matchReply, type Expect } from './reply-match.js';
import { netError, TimeoutError, type Target } from './upstream-udp.js';

/** Raised when a reused connection turned out to be closed by the peer: retry on a fresh one. */
export class CachedClosedError extends Error {
  constructor() {
    super('cached connection was closed by peer');
    this.name = 'CachedClosedError';
  }
}

/** A framed TCP connection waiting for at most one reply at a time. */
class Conn {
  used = Date.now();
  closed = false;
  private buf: Buffer = Buffer.alloc(0);
  private waiter: ((frame: Buffer | Error) => void) | undefined;

  constructor(readonly sock: net.Socket) {
    sock.setNoDelay(true);
    sock.on('data', (chunk: Buffer) => this.onData(chunk));
    sock.on('error', () => sock.destroy());
    sock.on('close', () => {
      this.closed = true;
      this.waiter?.(new Error('connection closed by peer'));
    });
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    // Each frame is a 2-byte length then the message (RFC 1035 §4.2.2); at most 64 KiB + 2 buffered.
    while (this.buf.length >= 2) {
      const len = this.buf.readUInt16BE(0);
      if (this.buf.length < 2 + len) break;
      const frame = this.buf.subarray(2, 2 + len);
      this.buf = this.buf.subarray(2 + len);
      if (this.waiter) this.waiter(frame);
      else this.sock.destroy(); // unsolicited data on an idle connection: don't trust it
    }
  }

  /** Writes `wire` and waits for a frame that `matchReply` accepts, until `deadline` (epoch ms). */
  exchange(wire: Uint8Array, expect: Expect, deadline: number): Promise<Msg> {
    return new Promise<Msg>((resolve, reject) => {
      const timer = setTimeout(() => end(new TimeoutError(`read tcp ${this.sock.remoteAddress}:${this.sock.remotePort}`)), Math.max(1, deadline - Date.now()));
      const end = (err: Error | undefined, msg?: Msg) => {
        clearTimeout(timer);
        this.waiter = undefined;
        if (err) {
          this.sock.destroy();
          reject(err);
        } else resolve(msg!);
      };
      this.waiter = (frame) => {
        if (frame instanceof Error) return end(frame);
        const msg = matchReply(frame, expect);
        if (msg) end(undefined, msg);
      };
      const head = Buffer.allocUnsafe(2);
      head.writeUInt16BE(wire.length, 0);
      this.sock.write(Buffer.concat([head, wire]), (err) => {
        if (err) end(err);
      });
    });
  }
}

/** Pool settings. */
export interface TcpPoolOptions {
  /** Idle connections older than this (ms) are closed. */
  readonly expire: number;
  /** Most idle connections kept; 0 = unlimited. */
  readonly maxIdle: number;
  /** Called with true on a reused connection, false on a new dial (conn-cache metrics). */
  readonly onDial?: (reused: boolean) => void;
}

/** Persistent TCP connections to one upstream. */
export class TcpPool {
  private idle: Conn[] = [];
  private stopped = false;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly target: Target, private readonly opts: TcpPoolOptions) {
    this.sweeper = setInterval(() => this.sweep(), Math.max(1000, opts.expire));
    this.sweeper.unref();
  }

  /**
   * One query/reply over a reused or new connection; a dead reused connection is retried once
   * fresh. `count` false keeps health checks out of the connection-cache metrics.
   */
  async exchange(wire: Uint8Array, expect: Expect, deadline: number, count = true): Promise<Msg> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const [conn, reused] = await this.get(deadline, count);
      try {
        const msg = await conn.exchange(wire, expect, deadline);
        this.put(conn);
        return msg;
      } catch (err) {
        // A reused connection the peer had closed: not the upstream's fault, dial again.
        if (reused && !(err instanceof TimeoutError) && Date.now() < deadline) continue;
        throw err;
      }
    }
    throw new CachedClosedError();
  }

  private async get(deadline: number, count: boolean): Promise<[Conn, boolean]> {
    if (this.stopped) throw new Error('proxy: transport stopped');
    const now = Date.now();
    while (this.idle.length > 0) {
      const conn = this.idle.shift()!;
      if (conn.closed || now - conn.used > this.opts.expire) {
        conn.sock.destroy();
        continue;
      }
      conn.sock.ref();
      if (count) this.opts.onDial?.(true);
      return [conn, true];
    }
    if (count) this.opts.onDial?.(false);
    return [await this.dial(deadline), false];
  }

  private dial(deadline: number): Promise<Conn> {
    return new Promise<Conn>((resolve, reject) => {
      const sock = net.connect({ host: this.target.host, port: this.target.port });
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new TimeoutError(`dial tcp ${this.target.host}:${this.target.port}`));
      }, Math.max(1, deadline - Date.now()));
      sock.once('error', (err) => {
        clearTimeout(timer);
        sock.destroy();
        reject(netError('dial tcp', this.target, err));
      });
      sock.once('connect', () => {
        clearTimeout(timer);
        sock.removeAllListeners('error');
        resolve(new Conn(sock));
      });
    });
  }

  private put(conn: Conn): void {
    if (this.stopped || conn.closed || (this.opts.maxIdle > 0 && this.idle.length >= this.opts.maxIdle)) {
      conn.sock.destroy();
      return;
    }
    conn.used = Date.now();
    conn.sock.unref(); // an idle upstream connection must not keep the process alive
    this.idle.push(conn);
  }

  /** Closes idle connections past `expire`. */
  sweep(): void {
    const now = Date.now();
    const keep: Conn[] = [];
    for (const c of this.idle) {
      if (c.closed || now - c.used > this.opts.expire) c.sock.destroy();
      else keep.push(c);
    }
    this.idle = keep;
  }

  /** Number of idle connections (for tests and metrics). */
  get idleCount(): number {
    return this.idle.length;
  }

  /** Closes everything; later exchanges fail. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.sweeper);
    for (const c of this.idle) c.sock.destroy();
    this.idle = [];
  }
}
