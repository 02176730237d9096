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
}

/** Calls the rest of the chain. */
export type Next = (req: Request) => Promise<Msg>;

/** A plugin's query handler: answer, or pass to `next`. */
export interface Handler {
  readonly name: string;
  serveDNS(req: Request, next: Next): Promise<Msg>;
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
