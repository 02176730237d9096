/** UDP listener: one datagram in, at most one datagram out; nothing a client sends stops it. */
import dgram from 'node:dgram';
import type { Logger } from '../core/log.js';
import { plainAddress, type ServeFn } from './transport.js';

/** Options for a UDP listener. */
export interface UdpOptions {
  host: string;
  port: number;
  reusePort?: boolean;
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
  serve: ServeFn;

  constructor(private readonly opts: UdpOptions, serve: ServeFn) {
    this.serve = serve;
  }

  /** Binds; rejects with the bind error (EADDRINUSE, EACCES...). */
  listen(): Promise<void> {
    const v6 = this.opts.host.includes(':');
    const socket = dgram.createSocket({ type: v6 ? 'udp6' : 'udp4', reuseAddr: this.opts.reusePort ?? false, reusePort: this.opts.reusePort ?? false });
    this.socket = socket;
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: this.opts.host, port: this.opts.port, exclusive: true }, () => {
        socket.off('error', reject);
        // getsockname once: calling address() per datagram costs ~7% of a query.
        this.local = socket.address();
        socket.on('error', (err) => this.opts.log.warn(`udp ${this.opts.host}:${this.opts.port}: ${err.message}`));
        socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
        resolve();
      });
    });
  }

  /** The bound port (useful with port 0). */
  get port(): number {
    return this.socket?.address().port ?? this.opts.port;
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const [remoteAddress, family] = plainAddress(rinfo.address);
    const local = this.local;
    const peer = { proto: 'udp' as const, remoteAddress, remotePort: rinfo.port, localAddress: local.address, localPort: local.port, family };
    let out: Promise<Buffer | null> | Buffer | null;
    try {
      out = this.serve(msg, peer);
    } catch (err) {
      this.opts.log.error({ err }, 'udp serve failed');
      return;
    }
    // Counted until the reply has left (a send still queued when the socket closes is dropped).
    this.inFlight++;
    if (out instanceof Promise) {
      out.then((reply) => this.send(reply, rinfo), (err: unknown) => {
        this.opts.log.error({ err }, 'udp serve failed');
        this.settled();
      });
    } else this.send(out, rinfo);
  }

  /** One query done (its reply sent, or none to send). One function for all: no closure per send. */
  private readonly settled = (): void => {
    if (--this.inFlight === 0) this.onIdle?.();
  };

  private send(reply: Buffer | null, rinfo: dgram.RemoteInfo): void {
    if (!reply || !this.socket) return this.settled();
    try {
      this.socket.send(reply, rinfo.port, rinfo.address, this.settled);
    } catch {
      // Socket closed during a reload or shutdown: the client retries.
      this.settled();
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
