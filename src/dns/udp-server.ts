/** UDP listener: one datagram in, at most one datagram out; nothing a client sends stops it. */
import dgram from 'node:dgram';
import { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';
import type { Logger } from '../core/log.js';
import { plainAddress, type FastFn, type ServeFn } from './transport.js';

/**
 * The receive buffer asked for (SO_RCVBUF; Linux doubles it for its bookkeeping and caps the request
 * at net.core.rmem_max, silently). The kernel's default, 208 KiB, holds ~270 small queries: a few ms
 * of traffic at 50k qps, so a garbage-collector pause or a burst from a starting Job drops queries,
 * which clients only retry after their timeout (glibc: 5 s). 4 MiB is unbound's advice for busy
 * servers (`so-rcvbuf: 4m`). Memory is used only while queries wait.
 */
export const RECV_BUFFER_BYTES = 4 << 20;

/** Options for a UDP listener. */
export interface UdpOptions {
  host: string;
  port: number;
  reusePort?: boolean;
  /** SO_RCVBUF to ask for (default RECV_BUFFER_BYTES; 0 = the kernel's default). */
  recvBufferBytes?: number;
  log: Logger;
}

/** A bound UDP socket serving through `serve` (which may be swapped on reload). */
export class UdpServer {
  private socket?: dgram.Socket;
  private local = { address: '', port: 0 };
  /** Queries received whose reply has not left yet. */
  private inFlight = 0;
  private onIdle: (() => void) | undefined;
  private closing: Promise<void> | undefined;
  private bound = false;
  serve: ServeFn;
  /** Asked first for each datagram: a kept reply sent without building anything else. */
  fast: FastFn | undefined;

  constructor(private readonly opts: UdpOptions, serve: ServeFn, fast?: FastFn) {
    this.serve = serve;
    this.fast = fast;
  }

  /**
   * The socket's address lookup. Node's default defers every send by a tick even for a literal
   * address; once bound, the address is handed back at once. Replies only ever go to the address a
   * datagram came from (a literal from the kernel), so it is not checked then: isIP's regular
   * expression was ~1% of a query in the CPU profile.
   */
  private readonly lookup = (address: string, family: number, cb: (err: Error | null, address: string, family: number) => void): void => {
    if (this.bound) return cb(null, address, family);
    if (isIP(address) === 0) return void dnsLookup(address, family, cb);
    process.nextTick(cb, null, address, family);
  };

  /** Binds; rejects with the bind error (EADDRINUSE, EACCES...). */
  listen(): Promise<void> {
    const v6 = this.opts.host.includes(':');
    const socket = dgram.createSocket({
      type: v6 ? 'udp6' : 'udp4', reuseAddr: this.opts.reusePort ?? false, reusePort: this.opts.reusePort ?? false,
      lookup: this.lookup as never,
    });
    this.socket = socket;
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: this.opts.host, port: this.opts.port, exclusive: true }, () => {
        socket.off('error', reject);
        // getsockname once: calling address() per datagram costs ~7% of a query.
        this.local = socket.address();
        this.bound = true;
        this.enlargeReceiveBuffer(socket);
        socket.on('error', (err) => this.opts.log.warn(`udp ${this.opts.host}:${this.opts.port}: ${err.message}`));
        socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
        resolve();
      });
    });
  }

  /** Asks for the larger receive buffer; a refusal is logged, never fatal (the default still works). */
  private enlargeReceiveBuffer(socket: dgram.Socket): void {
    const want = this.opts.recvBufferBytes ?? RECV_BUFFER_BYTES;
    if (want <= 0) return;
    try {
      if (socket.getRecvBufferSize() < want) socket.setRecvBufferSize(want);
    } catch (err) {
      this.opts.log.warn(`udp ${this.opts.host}:${this.opts.port}: cannot set a ${want}-byte receive buffer: ${(err as Error).message}`);
    }
  }

  /** The kernel's receive buffer for this socket, bytes (as getsockopt reports it: twice what was granted). */
  get receiveBufferSize(): number {
    return this.socket?.getRecvBufferSize() ?? 0;
  }

  /** The bound port (useful with port 0). */
  get port(): number {
    return this.socket?.address().port ?? this.opts.port;
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const family = rinfo.family === 'IPv4' ? 1 : plainAddress(rinfo.address)[1];
    const fast = this.fast;
    let out: Promise<Buffer | null> | Buffer | null;
    try {
      // Lent: with nothing queued, a send completes before this returns (the kernel copies the
      // bytes), so the wire cache may hand out its own. Once a send waits in Node's queue (the
      // kernel's buffer was full), replies are copies until the queue has drained.
      const socket = this.socket;
      const kept = fast?.(msg, false, family, socket !== undefined && socket.getSendQueueCount() === 0);
      if (kept) return this.send(kept, rinfo);
      const local = this.local;
      const remoteAddress = family === 1 && rinfo.family !== 'IPv4' ? plainAddress(rinfo.address)[0] : rinfo.address;
      const peer = { proto: 'udp' as const, remoteAddress, remotePort: rinfo.port, localAddress: local.address, localPort: local.port, family };
      out = this.serve(msg, peer, fast !== undefined);
    } catch (err) {
      this.opts.log.error({ err }, 'udp serve failed');
      return;
    }
    if (!(out instanceof Promise)) return this.send(out, rinfo);
    this.sendWhenServed(out, rinfo);
  }

  /**
   * Sends an answer still being worked out. Its own method: the closures below capture `rinfo`, and
   * in onMessage they would make every datagram, cache hits included, allocate their context.
   */
  private sendWhenServed(out: Promise<Buffer | null>, rinfo: dgram.RemoteInfo): void {
    // Counted until the reply is handed to the kernel (close waits for these).
    this.inFlight++;
    out.then((reply) => {
      this.send(reply, rinfo);
      this.settled();
    }, (err: unknown) => {
      this.opts.log.error({ err }, 'udp serve failed');
      this.settled();
    });
  }

  /** One answer handed over (or none to send). */
  private settled(): void {
    if (--this.inFlight === 0) this.onIdle?.();
  }

  /**
   * Sends without a callback: Node then tries the send at once and queues it only when the
   * kernel's buffer is full (close waits for that queue too).
   */
  private send(reply: Buffer | null, rinfo: dgram.RemoteInfo): void {
    if (!reply || !this.socket) return;
    try {
      this.socket.send(reply, rinfo.port, rinfo.address);
    } catch {
      // Socket closed during a reload or shutdown: the client retries.
    }
  }

  /**
   * Closes the socket once no query is in flight (at most `drainMs`): replies to queries still
   * being answered (a forward upstream, say) are sent, not dropped, as miekg/dns's shutdown does.
   * Queries arriving meanwhile are still served.
   */
  close(drainMs = 2000): Promise<void> {
    if (!this.socket) return Promise.resolve();
    // A second close while draining waits for the same one.
    this.closing ??= this.drainAndClose(drainMs).finally(() => (this.closing = undefined));
    return this.closing;
  }

  private async drainAndClose(drainMs: number): Promise<void> {
    const s = this.socket;
    if (!s) return;
    const deadline = Date.now() + drainMs;
    if (this.inFlight > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, drainMs);
        this.onIdle = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.onIdle = undefined;
    }
    // Replies Node queued (the kernel's buffer was full) leave before the handle closes.
    while (s.getSendQueueCount() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    this.socket = undefined;
    await new Promise<void>((resolve) => {
      try {
        s.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}
