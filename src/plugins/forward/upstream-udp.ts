/**
 * One DNS exchange over UDP. Each query gets its own socket bound to port 0, so the kernel picks
 * a fresh random source port per query (RFC 5452 §9.2). The trade-off against CoreDNS's pooled
 * UDP sockets is one bind/close per query (a few microseconds and a file descriptor while in
 * flight) in exchange for 16 bits of port entropy an off-path spoofer must guess on every query.
 * The socket is connect()ed to the upstream: the kernel then drops datagrams from any other
 * address/port, and an ICMP port-unreachable surfaces at once as ECONNREFUSED instead of a
 * timeout. The source address/port is also checked here, as defence in depth.
 */
import dgram from 'node:dgram';
import type { Msg } from '../../dns/message.js';
import { compressIPv6 } from '../../dns/name.js';
import { matchReply, type Expect } from './reply-match.js';

/** Where to send: a literal IP (v4 or v6, no brackets) and port. */
export interface Target {
  readonly host: string;
  readonly port: number;
}

/** Raised when no acceptable reply came before the deadline. */
export class TimeoutError extends Error {
  constructor(what: string) {
    super(`${what}: i/o timeout`);
    this.name = 'TimeoutError';
  }
}

/** A socket error worded as Go's net errors, which operators know from CoreDNS logs: `read udp 10.0.0.1:53: connection refused`. */
export function netError(op: string, target: Target, err: Error): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'ECONNREFUSED' ? 'connection refused' : code === 'EHOSTUNREACH' ? 'no route to host' : code === 'ENETUNREACH' ? 'network is unreachable' : err.message;
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return Object.assign(new Error(`${op} ${host}:${target.port}: ${why}`, { cause: err }), { code });
}

function sameAddress(a: string, b: string): boolean {
  if (a === b) return true;
  return a.includes(':') && b.includes(':') && compressIPv6(a) === compressIPv6(b);
}

/**
 * Sends `wire` to `target` and resolves with the first reply that passes `matchReply` and comes
 * from the target's address and port. Anything else is ignored until `timeoutMs` passes.
 */
export function udpExchange(target: Target, wire: Uint8Array, expect: Expect, timeoutMs: number): Promise<Msg> {
  return new Promise<Msg>((resolve, reject) => {
    const sock = dgram.createSocket(target.host.includes(':') ? 'udp6' : 'udp4');
    let done = false;
    const finish = (err: Error | undefined, msg?: Msg) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try {
        sock.close();
      } catch {
        // already closed
      }
      if (err) reject(err);
      else resolve(msg!);
    };
    const timer = setTimeout(() => finish(new TimeoutError(`read udp ${target.host}:${target.port}`)), Math.max(1, timeoutMs));
    sock.on('error', (err) => finish(netError('read udp', target, err)));
    sock.on('message', (buf, rinfo) => {
      if (rinfo.port !== target.port || !sameAddress(rinfo.address, target.host)) return;
      const msg = matchReply(buf, expect);
      if (msg) finish(undefined, msg);
    });
    sock.connect(target.port, target.host, () => {
      if (done) return;
      sock.send(wire, (err) => {
        if (err) finish(netError('write udp', target, err));
      });
    });
  });
}
