/** Builds the Request plugins see from an accepted query. */
import type { Msg } from '../dns/message.js';
import { lower } from '../dns/name.js';
import type { PeerInfo } from '../dns/transport.js';
import type { Request } from '../plugin/handler.js';

/** A Request for `msg` (exactly one question, already accepted) arriving from `peer`. */
export function newRequest(msg: Msg, size: number, peer: PeerInfo, zone: string, server: string, qname?: string): Request {
  const q = msg.question[0]!;
  return {
    msg,
    qname: qname ?? lower(q.name),
    name: q.name,
    qtype: q.type,
    qclass: q.class,
    do: msg.opt?.do ?? false,
    size,
    proto: peer.proto,
    family: peer.family,
    remoteAddress: peer.remoteAddress,
    remotePort: peer.remotePort,
    localAddress: peer.localAddress,
    localPort: peer.localPort,
    zone,
    server,
  };
}
