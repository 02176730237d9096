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
    if (out instanceof Promise) {
      out.then((reply) => this.send(reply, rinfo), (err: unknown) => this.opts.log.error({ err }, 'udp serve failed'));
    } else this.send(out, rinfo);
  }

  private send(reply: Buffer | null, rinfo: dgram.RemoteInfo): void {
    if (!reply || !this.socket) return;
    try {
      this.socket.send(reply, rinfo.port, rinfo.address);
    } catch {
      // Socket closed during a reload or shutdown: the client retries.
    }
  }

  /** Closes the socket. */
  close(): Promise<void> {
    const s = this.socket;
    this.socket = undefined;
    if (!s) return Promise.resolve();
    return new Promise((resolve) => {
      try {
        s.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}
