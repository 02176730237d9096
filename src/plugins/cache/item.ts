/** One cached reply (CoreDNS plugin/cache/item.go): its records, when it was stored, how popular it is. */
import { MAX_UDP_SIZE, MIN_UDP_SIZE } from '../../dns/constants.js';
import { replyTo, type Msg, type RR } from '../../dns/message.js';
import { lower } from '../../dns/name.js';
import type { Request } from '../../plugin/handler.js';

/** A stored reply. Records are private copies; replies get fresh copies with the TTL set. */
export class CacheItem {
  readonly rcode: number;
  readonly ad: boolean;
  readonly ra: boolean;
  readonly answer: readonly RR[];
  readonly ns: readonly RR[];
  readonly extra: readonly RR[];
  /** Popularity for prefetch (CoreDNS freq.Freq): hits with no gap longer than the window. */
  hits = 0;
  private lastSeen = Number.NEGATIVE_INFINITY;
  /** At most one refresh in flight; `retryAfter` delays a refresh after a failed one. */
  private refreshing = false;
  private retryAfter = 0;

  constructor(
    /** Lower-cased query name. */
    readonly qname: string,
    msg: Msg,
    /** Lifetime in whole seconds. */
    readonly origTtl: number,
    /** Epoch ms when stored. */
    readonly stored: number,
  ) {
    this.rcode = msg.rcode;
    this.ad = msg.ad;
    this.ra = msg.ra;
    this.answer = msg.answer.map((rr) => ({ ...rr }));
    this.ns = msg.ns.map((rr) => ({ ...rr }));
    this.extra = msg.extra.map((rr) => ({ ...rr }));
  }

  /** Seconds left (<= 0 once expired), as CoreDNS: whole seconds elapsed since stored. */
  ttl(now: number): number {
    return this.origTtl - Math.floor((now - this.stored) / 1000);
  }

  /** Counts a hit at `now`; a gap longer than `windowMs` restarts the count at 1. */
  touch(windowMs: number, now: number): number {
    this.hits = this.lastSeen < now - windowMs ? 1 : this.hits + 1;
    this.lastSeen = now;
    return this.hits;
  }

  /** Carries popularity over to the item that replaced this one after a prefetch. */
  inherit(from: CacheItem, now: number): void {
    this.hits = from.hits;
    this.lastSeen = now;
  }

  /** Claims the refresh slot; false while one is in flight or during a failure recheck pause. */
  beginRefresh(now: number, recheckMs: number): boolean {
    if (this.refreshing || (recheckMs > 0 && now < this.retryAfter)) return false;
    this.refreshing = true;
    return true;
  }

  /** Releases the refresh slot; a failed refresh starts the recheck pause. */
  endRefresh(now: number, recheckMs: number, refreshed: boolean): void {
    this.retryAfter = recheckMs > 0 && !refreshed ? now + recheckMs : 0;
    this.refreshing = false;
  }

  /**
   * The reply for `req`: the client's ID, question and RD/CD, every record with `ttl`. AA is set
   * as CoreDNS does (old glibc stubs drop non-authoritative answers). AD only when the client asked
   * for DNSSEC or set AD itself (RFC 6840 §5.7). Owners equal to the qname take the client's spelling.
   */
  toReply(req: Request, ttl: number): Msg {
    const m = replyTo(req.msg, this.rcode);
    m.aa = true;
    m.ra = this.ra;
    m.ad = this.ad && (req.do || req.msg.ad);
    const copy = (rr: RR): RR => ({ ...rr, ttl, name: lower(rr.name) === req.qname ? req.name : rr.name });
    m.answer = this.answer.map(copy);
    m.ns = this.ns.map(copy);
    m.extra = this.extra.map(copy);
    const opt = req.msg.opt;
    if (opt) {
      m.opt = { udpSize: Math.min(Math.max(opt.udpSize, MIN_UDP_SIZE), MAX_UDP_SIZE), version: 0, do: req.do, extendedRcode: 0, options: [] };
    }
    return m;
  }
}
