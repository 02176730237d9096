/** Per port: which server block answers a name (longest zone match), and the query path through it. */
import { accept, rcodeReply, replyOpt } from '../dns/accept.js';
import { Rcode } from '../dns/constants.js';
import { encode } from '../dns/encode.js';
import { newQuery, replyTo, type Msg } from '../dns/message.js';
import { isSubdomain, lower } from '../dns/name.js';
import type { PeerInfo } from '../dns/transport.js';
import { PluginError, type Request } from '../plugin/handler.js';
import type { BlockConfig } from './config.js';
import type { Logger } from './log.js';
import { newRequest } from './request.js';
import { WireCache } from './wire-cache.js';

/** Hooks the core reports to (the prometheus plugin counts panics). */
export const coreHooks = {
  onPanic: (_err: unknown): void => {},
  /** A query answered before any chain ran (guard-layer rcodes, REFUSED for no zone), as CoreDNS's errorAndMetricsFunc. */
  onDropped: (_q: DroppedQuery): void => {},
};

/** What the core reports of a query no chain saw. */
export interface DroppedQuery {
  server: string;
  proto: 'udp' | 'tcp';
  family: 1 | 2;
  qtype: number;
  do: boolean;
  rcode: number;
  requestBytes: number;
  responseBytes: number;
}

/** Routes the queries of one port to its server blocks. */
export class Router {
  /** (zone, block) sorted longest zone first. */
  private readonly routes: Array<{ zone: string; block: BlockConfig }>;

  private readonly server: string;
  /** Encoded replies replayed to repeated questions, for all blocks of this port. */
  readonly wireCache = new WireCache();

  constructor(blocks: readonly BlockConfig[], private readonly log: Logger, port: number) {
    this.server = `dns://:${port}`;
    this.routes = blocks
      .flatMap((block) => block.zones.map((zone) => ({ zone, block })))
      .sort((a, b) => b.zone.length - a.zone.length);
  }

  /** The block whose zone is the longest match for `qname`. */
  route(qname: string): { zone: string; block: BlockConfig } | undefined {
    for (const r of this.routes) if (isSubdomain(qname, r.zone)) return r;
    return undefined;
  }

  /**
   * A kept reply to `buf`, or undefined: the whole answer when the question was answered before
   * (no decoding, no chain). Transports call it first; `serve` is the full path.
   */
  fast = (buf: Buffer, tcp: boolean, family: 1 | 2, lent = false): Buffer | undefined => this.wireCache.get(buf, tcp, family, lent);

  /**
   * Serves one raw message end to end; never throws. A kept reply is returned as is (not a
   * promise); `missed` says the caller already asked `fast`.
   */
  serve = (buf: Buffer, peer: PeerInfo, missed = false): Promise<Buffer | null> | Buffer => {
    if (!missed) {
      const kept = this.wireCache.get(buf, peer.proto === 'tcp', peer.family);
      if (kept) return kept;
    }
    return this.serveFull(buf, peer);
  };

  private async serveFull(buf: Buffer, peer: PeerInfo): Promise<Buffer | null> {
    const v = accept(buf, peer.proto === 'tcp');
    if (v.kind === 'drop') return null;
    if (v.kind === 'reply') {
      this.dropped(buf, peer, v.reply, v.rcode, 0, false);
      return v.reply;
    }
    const query = v.msg;
    const qname = lower(query.question[0]!.name);
    const hit = this.route(qname);
    if (!hit) {
      const out = rcodeReply(query, Rcode.REFUSED, v.size);
      this.dropped(buf, peer, out, Rcode.REFUSED, query.question[0]!.type, query.opt?.do ?? false);
      return out;
    }
    const req = newRequest(query, v.size, peer, hit.zone, hit.block.server, qname);
    let reply: Msg;
    try {
      reply = await hit.block.chain(req);
    } catch (err) {
      // The `errors` plugin normally catches these first; this is the backstop.
      if (!(err instanceof PluginError)) coreHooks.onPanic(err);
      this.log.error(`${query.id} ${qname} ${query.question[0]!.type}: ${(err as Error)?.message ?? String(err)}`);
      reply = replyTo(query, err instanceof PluginError ? err.rcode : Rcode.SERVFAIL);
    }
    const out = finish(query, reply, v.size);
    if (req.wireToken) this.wireCache.put(buf, req, hit.block.chainHandlers, reply, out);
    return out;
  }

  /** A query of our own through this port's chains (no wire cache, no size limit): CoreDNS's upstream.Lookup. */
  async lookup(name: string, type: number, parent: Request): Promise<Msg> {
    const depth = ((parent.meta?.lookupDepth as number | undefined) ?? 0) + 1;
    const query = newQuery(name, type, { id: parent.msg.id, opt: parent.msg.opt ? { ...parent.msg.opt, options: [] } : undefined });
    const qname = lower(name);
    const hit = this.route(qname);
    if (!hit) return replyTo(query, Rcode.REFUSED);
    if (depth > 8) return replyTo(query, Rcode.SERVFAIL);
    const peer: PeerInfo = { proto: parent.proto, remoteAddress: parent.remoteAddress, remotePort: parent.remotePort, localAddress: parent.localAddress, localPort: parent.localPort, family: parent.family };
    const req = newRequest(query, 65535, peer, hit.zone, hit.block.server);
    req.meta = { lookupDepth: depth };
    try {
      return await hit.block.chain(req);
    } catch (err) {
      return replyTo(query, err instanceof PluginError ? err.rcode : Rcode.SERVFAIL);
    }
  }

  private dropped(buf: Buffer, peer: PeerInfo, out: Buffer, rcode: number, qtype: number, isDo: boolean): void {
    coreHooks.onDropped({ server: this.server, proto: peer.proto, family: peer.family, qtype, do: isDo, rcode, requestBytes: buf.length, responseBytes: out.length });
  }
}

/** Makes a reply safe to send: the query's ID, opcode, RD/CD and question as sent; OPT echoed; truncated to size. */
export function finish(query: Msg, reply: Msg, size: number): Buffer {
  reply.id = query.id;
  reply.qr = true;
  reply.opcode = query.opcode;
  reply.rd = query.rd;
  reply.cd = query.cd;
  reply.question = query.question;
  const opt = replyOpt(query, size);
  if (opt) {
    if (reply.opt) opt.do = reply.opt.do && query.opt!.do;
    reply.opt = opt;
  } else delete reply.opt;
  if (!opt && reply.rcode > 15) reply.rcode = Rcode.SERVFAIL;
  return encode(reply, size);
}
