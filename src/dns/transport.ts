/** What the transports hand to the server for each message, and what they get back. */
import type { Proto } from '../plugin/handler.js';

/** Where a message came from and arrived at. */
export interface PeerInfo {
  proto: Proto;
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
  family: 1 | 2;
}

/**
 * Serves one raw message; returns the raw reply, or null to send nothing. Must not throw.
 * `missed`: the transport already asked the FastFn, which had no reply.
 */
export type ServeFn = (msg: Buffer, peer: PeerInfo, missed?: boolean) => Promise<Buffer | null> | Buffer | null;

/**
 * A kept reply to a raw message, when there is one (the wire cache); never throws. `lent`: the
 * caller hands the reply to the kernel before it asks again and keeps no hold on it (a UDP send
 * that completed at once), so the reply may be the cache's own bytes, patched in place.
 */
export type FastFn = (msg: Buffer, tcp: boolean, family: 1 | 2, lent?: boolean) => Buffer | undefined;

/** Strips the IPv4-mapped prefix a dual-stack socket reports (`::ffff:10.0.0.1` -> `10.0.0.1`). */
export function plainAddress(addr: string): [string, 1 | 2] {
  if (addr.startsWith('::ffff:') && addr.includes('.')) return [addr.slice(7), 1];
  return [addr, addr.includes(':') ? 2 : 1];
}
