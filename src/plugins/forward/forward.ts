/**
 * The forward handler. Each `forward` line of a block is one stanza; stanzas run in written order
 * as a chain (CoreDNS wires them the same way), the last one's next being the next plugin.
 * The retry loop is CoreDNS's ServeDNS: walk the policy's list, skip upstreams that are down,
 * spray at a random one when all are down, give up after the 5 s deadline or the connect-attempt
 * cap. Replies go back with the client's ID and question spelling.
 */
import { Rcode } from '../../dns/constants.js';
import type { Msg } from '../../dns/message.js';
import { isSubdomain } from '../../dns/name.js';
import { PluginError, type Handler, type Next, type Request } from '../../plugin/handler.js';
import type { ForwardConfig } from './config.js';
import { healthcheckBroken, maxConcurrentRejects } from './metrics.js';
import { policyByName, type Policy } from './policy.js';
import { Upstream, type UpstreamProto } from './upstream.js';

const P = 'forward';
/** CoreDNS's overall time budget for one forwarded query. */
export const FORWARD_TIMEOUT = 5000;
/** Upper bound on loop turns, on top of the deadline and the attempt cap. */
const MAX_TURNS = 1000;

/** One `forward FROM TO...` stanza with its upstreams. */
export class Forward {
  readonly upstreams: readonly Upstream[];
  private readonly policy: Policy;
  private concurrent = 0;

  constructor(readonly cfg: ForwardConfig, upstreams?: readonly Upstream[]) {
    this.policy = policyByName(cfg.policy)!;
    this.upstreams = upstreams ?? cfg.upstreams.map((u) => new Upstream(u.addr, u, {
      expire: cfg.expire, maxIdleConns: cfg.maxIdleConns, readTimeout: cfg.readTimeout, hcInterval: cfg.hcInterval,
      hcRecursionDesired: cfg.hcRecursionDesired, hcDomain: cfg.hcDomain, hcTcp: cfg.forceTcp,
    }));
  }

  /** True when this stanza forwards `qname`: under FROM and not under an `except` name (FROM itself always). */
  match(qname: string): boolean {
    if (!isSubdomain(qname, this.cfg.from)) return false;
    if (qname === this.cfg.from) return true;
    return !this.cfg.ignored.some((z) => isSubdomain(qname, z));
  }

  /** Serves `req`; `nextIsForward` enables `next`/`next_on_nodata` (CoreDNS: only towards another forward). */
  async serve(req: Request, next: Next, nextIsForward: boolean): Promise<Msg> {
    if (!this.match(req.qname)) return next(req);
    const max = this.cfg.maxConcurrent;
    if (max > 0 && this.concurrent >= max) {
      maxConcurrentRejects.inc();
      throw new PluginError(P, `concurrent queries exceeded maximum ${max}`, Rcode.REFUSED);
    }
    this.concurrent++;
    try {
      return await this.forward(req, next, nextIsForward);
    } finally {
      this.concurrent--;
    }
  }

  private proto(req: Request): UpstreamProto {
    if (this.cfg.forceTcp) return 'tcp';
    if (this.cfg.preferUdp) return 'udp';
    return req.proto;
  }

  private async forward(req: Request, next: Next, nextIsForward: boolean): Promise<Msg> {
    const cfg = this.cfg;
    const list = this.policy.list(this.upstreams);
    const n = list.length;
    const deadline = Date.now() + FORWARD_TIMEOUT;
    const maxAttempts = cfg.maxConnectAttempts ?? 2 * n;
    const proto = this.proto(req);
    let attempts = 0, i = 0, fails = 0, failovers = 0;
    let lastErr: unknown;
    let lastFailover: Msg | undefined;
    for (let turn = 0; turn < MAX_TURNS && Date.now() < deadline; turn++) {
      if (maxAttempts > 0 && attempts >= maxAttempts) break;
      if (i >= n) {
        i = 0;
        fails = 0;
      }
      let up = list[i++]!;
      if (up.down(cfg.maxFails)) {
        fails++;
        if (fails < n) continue;
        healthcheckBroken.inc();
        if (cfg.failfastAllUnhealthy) break;
        // All down: assume health checking itself is broken and try a random one.
        up = this.upstreams[Math.floor(Math.random() * n)]!;
      }
      let reply: Msg;
      try {
        reply = await up.exchange(req.msg, proto, deadline);
      } catch (err) {
        lastErr = err;
        if (cfg.maxFails !== 0) up.healthcheck();
        if (maxAttempts > 0 && ++attempts >= maxAttempts) break;
        if (fails < n) continue;
        break;
      }
      if (cfg.failover.includes(reply.rcode) && ++failovers < n) {
        lastFailover = reply;
        continue;
      }
      if (nextIsForward && cfg.next.includes(reply.rcode)) return next(req);
      if (nextIsForward && cfg.nextOnNodata && reply.rcode === Rcode.NOERROR && reply.answer.length === 0) return next(req);
      return this.toClient(req, reply);
    }
    if (lastFailover) return this.toClient(req, lastFailover);
    const why = lastErr instanceof Error ? lastErr.message : 'no healthy proxies';
    throw new PluginError(P, `${req.qname} ${why}`, Rcode.SERVFAIL, { cause: lastErr });
  }

  private toClient(req: Request, reply: Msg): Msg {
    reply.id = req.msg.id;
    reply.question = req.msg.question;
    req.responder = P;
    return reply;
  }

  /** Stops health checks and closes upstream connections. */
  stop(): void {
    for (const u of this.upstreams) u.stop();
  }
}

/** The chain handler over all stanzas of a block. */
export class ForwardHandler implements Handler {
  readonly name = P;

  constructor(readonly stanzas: readonly Forward[]) {}

  serveDNS(req: Request, next: Next): Promise<Msg> {
    const call = (i: number): Next => (r) =>
      i < this.stanzas.length ? this.stanzas[i]!.serve(r, call(i + 1), i < this.stanzas.length - 1) : next(r);
    return call(0)(req);
  }

  /** Stops every stanza. */
  stop(): void {
    for (const s of this.stanzas) s.stop();
  }
}
