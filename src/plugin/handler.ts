/** The contract between the server and its plugins: a chain of handlers over a Request. */
import type { Msg } from '../dns/message.js';

/** Transport a query came over. */
export type Proto = 'udp' | 'tcp';

/** A query as plugins see it; the lower-cased name and the other hot fields are computed once. */
export interface Request {
  /** The decoded query (question[0] is the one question; the guard layer ensured there is exactly one). */
  readonly msg: Msg;
  /** Lower-cased query name, FQDN. */
  readonly qname: string;
  /** The query name as the client spelled it (echoed in reply owners). */
  readonly name: string;
  readonly qtype: number;
  readonly qclass: number;
  /** DNSSEC OK bit from the query's OPT. */
  readonly do: boolean;
  /** Largest reply the client takes: UDP 512..1232 (from its OPT), TCP 65535. */
  readonly size: number;
  readonly proto: Proto;
  /** 1 = IPv4, 2 = IPv6 (as CoreDNS's `family` metric label). */
  readonly family: 1 | 2;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** The server block zone that matched this query (lower-case FQDN). */
  readonly zone: string;
  /** The server address label CoreDNS uses in metrics (`dns://:53`). */
  readonly server: string;
  /** Name of the plugin that produced the reply, set by that plugin (metrics `plugin` label). */
  responder?: string;
  /** Per-request scratch space for plugins (e.g. rewrite's undo list). */
  meta?: Record<string, unknown>;
  /**
   * Set by an answering plugin whose reply depends only on (name, type, DO, size) until `token.valid`
   * turns false (the kubernetes plugin: until its zone changes). The core then keeps the encoded reply
   * and serves repeats by patching ID, flags and question (the wire cache).
   */
  wireToken?: WireToken;
}

/** What a wire-cache observer learns of a replayed reply: the query's fields as the chain would have seen them. */
export interface HitInfo {
  readonly zone: string;
  readonly server: string;
  /** Lower-cased. */
  readonly qname: string;
  readonly qtype: number;
  readonly do: boolean;
  readonly proto: Proto;
  /** 1 IPv4, 2 IPv6. */
  readonly family: 1 | 2;
  /** Size of the query on the wire. */
  readonly requestBytes: number;
  /** Time spent answering it, in seconds (what `coredns_dns_request_duration_seconds` observes). */
  readonly seconds: number;
}

/** Validity of replies kept in the wire cache: flipped to false when the data behind them changes. */
export interface WireToken {
  valid: boolean;
}

/** Calls the rest of the chain. */
export type Next = (req: Request) => Promise<Msg>;

/** A plugin's query handler: answer, or pass to `next`. */
export interface Handler {
  readonly name: string;
  serveDNS(req: Request, next: Next): Promise<Msg>;
  /**
   * Wire cache: true when this plugin, standing before the answering one, would pass `req` on and
   * leave the reply as it is. It must depend only on the query's name, type, DO bit and size (it is
   * asked once, when a reply is kept). A plugin without it keeps replies out of the wire cache.
   */
  transparent?(req: Request): boolean;
  /** Wire cache: false when this reply must not be replayed as is (loadbalance: several addresses to shuffle). */
  cacheable?(reply: Msg): boolean;
  /** Wire cache: a reply was served from it (prometheus counts it as if the chain had run). */
  fastHit?(hit: HitInfo, rcode: number, responder: string, replyBytes: number): void;
}

/** A plugin that can report readiness to the `ready` plugin. */
export interface Readiness {
  /** True once the plugin can answer correctly (e.g. informers synced). */
  isReady(): boolean;
}

/** Thrown by a plugin that cannot answer; `errors` or the server turns it into SERVFAIL. */
export class PluginError extends Error {
  constructor(
    readonly plugin: string,
    message: string,
    readonly rcode = 2,
    options?: { cause?: unknown },
  ) {
    super(`plugin/${plugin}: ${message}`, options);
    this.name = 'PluginError';
  }
}
