/**
 * DNS over TCP (RFC 7766): 2-byte length framing, pipelined queries answered as they complete
 * (each with its own ID), an idle timeout between queries, a deadline for a started message,
 * a cap on connections and on queries in flight per connection.
 */
import net from 'node:net';
import type { Logger } from '../core/log.js';
import { plainAddress, type PeerInfo, type ServeFn } from './transport.js';

/** How long, when closing, a connection that has sent nothing yet may still send its first query. */
const FIRST_QUERY_GRACE_MS = 300;

/** Options for a TCP listener. */
export interface TcpOptions {
  host: string;
  port: number;
  reusePort?: boolean;
  log: Logger;
  /** Close a connection idle this long between queries (ms). RFC 7766 §6.2.3; CoreDNS ~10 s. */
  idleTimeoutMs?: number;
  /** A message whose first byte arrived must be complete within this (ms): stops slowloris. */
  readTimeoutMs?: number;
  /** Connections beyond this are closed at once. */
  maxConnections?: number;
  /** Queries in flight per connection before we stop reading from it. */
  maxInFlight?: number;
}

/** A TCP listener serving through `serve` (which may be swapped on reload). */
export class TcpServer {
  private server?: net.Server;
  /** Open connections, each with what to do when the server closes (drain). */
  private readonly conns = new Map<net.Socket, () => void>();
  private closing = false;
  serve: ServeFn;

  constructor(private readonly opts: TcpOptions, serve: ServeFn) {
    this.serve = serve;
  }

  /** Binds; rejects with the bind error. */
  listen(): Promise<void> {
    const server = net.createServer({ noDelay: true }, (sock) => this.onConnection(sock));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.opts.host, port: this.opts.port, reusePort: this.opts.reusePort ?? false, exclusive: true, backlog: 1024 }, () => {
        server.off('error', reject);
        server.on('error', (err) => this.opts.log.warn(`tcp ${this.opts.host}:${this.opts.port}: ${err.message}`));
        resolve();
      });
    });
  }

  /** The bound port. */
  get port(): number {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : this.opts.port;
  }

  /** Open connections now (for tests and metrics). */
  get connections(): number {
    return this.conns.size;
  }

  private onConnection(sock: net.Socket): void {
    if (this.conns.size >= (this.opts.maxConnections ?? 4096)) {
      sock.destroy();
      return;
    }
    const [remoteAddress, family] = plainAddress(sock.remoteAddress ?? '');
    const peer: PeerInfo = {
      proto: 'tcp', remoteAddress, remotePort: sock.remotePort ?? 0,
      localAddress: sock.localAddress ?? '', localPort: sock.localPort ?? 0, family,
    };
    const idleMs = this.opts.idleTimeoutMs ?? 10_000;
    const readMs = this.opts.readTimeoutMs ?? 2_000;
    const maxInFlight = this.opts.maxInFlight ?? 64;
    let pending: Buffer = Buffer.alloc(0);
    let inFlight = 0;
    let closed = false;
    let served = 0;
    // On close: end once nothing is owed. A connection that has not sent its first query yet gets
    // a moment for it (it was accepted, so its client is sending): ending it at once would lose
    // that query, as a rolling restart showed.
    const drain = () => {
      if (closed || inFlight > 0 || pending.length > 0) return;
      if (served > 0) sock.end();
      else setTimeout(() => { if (inFlight === 0 && pending.length === 0) sock.end(); }, FIRST_QUERY_GRACE_MS).unref();
    };
    this.conns.set(sock, drain);
    let timer: NodeJS.Timeout | undefined;
    // The read deadline runs from the first byte of a message and is not extended by more bytes
    // of it: a client dripping a byte at a time must not hold the connection (slowloris).
    let deadlineSet = false;
    const arm = (ms: number) => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => sock.destroy(), ms);
      timer.unref();
    };
    const rearm = () => {
      if (closed) return;
      // Partial message buffered: its deadline; nothing pending: the idle timeout (paused while answering).
      // While we stopped reading (too many in flight) the client cannot finish: no deadline then.
      if (pending.length > 0 && !sock.isPaused()) {
        if (!deadlineSet) arm(readMs);
        deadlineSet = true;
        return;
      }
      deadlineSet = false;
      if (inFlight === 0) arm(idleMs);
      else if (timer) clearTimeout(timer);
    };
    arm(idleMs);
    const reply = (out: Buffer | null) => {
      inFlight--;
      if (closed) return;
      if (out) {
        const framed = Buffer.allocUnsafe(out.length + 2);
        framed.writeUInt16BE(out.length, 0);
        out.copy(framed, 2);
        sock.write(framed);
      }
      served++;
      if (inFlight < maxInFlight && sock.isPaused()) sock.resume();
      rearm();
      if (this.closing && inFlight === 0 && pending.length === 0) sock.end();
    };
    sock.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 2) {
        const len = pending.readUInt16BE(0);
        if (len < 12) {
          // A frame that cannot hold a header: the stream is out of sync; close (RFC 7766 §7).
          sock.destroy();
          return;
        }
        if (pending.length < len + 2) break;
        const msg = Buffer.from(pending.subarray(2, len + 2));
        pending = pending.subarray(len + 2);
        // A whole message arrived: the next one (pipelined) gets its own deadline.
        deadlineSet = false;
        inFlight++;
        let out: Promise<Buffer | null> | Buffer | null;
        try {
          out = this.serve(msg, peer);
        } catch (err) {
          this.opts.log.error({ err }, 'tcp serve failed');
          out = null;
        }
        if (out instanceof Promise) out.then(reply, (err: unknown) => { this.opts.log.error({ err }, 'tcp serve failed'); reply(null); });
        else reply(out);
      }
      if (pending.length === 0) pending = Buffer.alloc(0);
      if (inFlight >= maxInFlight) sock.pause();
      rearm();
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      closed = true;
      if (timer) clearTimeout(timer);
      this.conns.delete(sock);
    });
  }

  /**
   * Stops accepting; ends idle connections now, the rest once their answers are out (a connection
   * that has sent nothing yet gets FIRST_QUERY_GRACE_MS for its first query); after 2 s, all.
   */
  close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    this.closing = true;
    for (const drain of this.conns.values()) drain();
    const t = setTimeout(() => { for (const c of this.conns.keys()) c.destroy(); }, 2000);
    t.unref();
    if (!s) return Promise.resolve();
    return new Promise((resolve) => s.close(() => { clearTimeout(t); resolve(); }));
  }
}
