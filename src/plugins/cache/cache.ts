/**
 * The cache handler (CoreDNS plugin/cache handler.go + cache.go). A hit is answered from memory
 * with the TTL counted down; a miss asks the next plugin and stores the reply by its kind. Popular
 * entries are prefetched before they expire; expired ones can be served stale while refreshed.
 */
import { Rcode } from '../../dns/constants.js';
import type { Msg } from '../../dns/message.js';
import { lower, matchZone } from '../../dns/name.js';
import type { Handler, HitInfo, Next, Request } from '../../plugin/handler.js';
import { cacheKind, clampTtl, isCacheable, Kind, minimalTtl } from './classify.js';
import { typify } from '../../plugin/response.js';
import type { CacheConfig } from './config.js';
import { CacheItem } from './item.js';
import type { CounterChild } from '../../plugin/fast-metrics.js';
import { cacheDrops, cacheEntries, cacheEvictions, cacheHits, cacheMisses, cachePrefetches, cacheRequests, servedStale } from './metrics.js';
import { cacheKey, CacheStore, type CacheType } from './store.js';

/** Runtime options: the clock (epoch ms), injectable for tests, and the initial server label. */
export interface CacheOptions {
  readonly now?: () => number;
  readonly server?: string;
}

/** The cache plugin for one server block. */
export class Cache implements Handler {
  readonly name = 'cache';
  readonly store: CacheStore;
  private readonly now: () => number;
  private readonly zonesLabel: string;
  private server: string;

  constructor(readonly cfg: CacheConfig, opts: CacheOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.server = opts.server ?? '';
    this.zonesLabel = cfg.zones.join(',');
    this.store = new CacheStore(cfg.successCap, cfg.denialCap, (type) => cacheEvictions.inc(this.labels(type)));
  }

  private children?: { server: string; requests: CounterChild; misses: CounterChild; success: CounterChild; denial: CounterChild };

  /** This instance's per-query counters (made again if the server label changed). */
  private counters() {
    const c = this.children;
    if (c && c.server === this.server) return c;
    const z = this.zonesLabel;
    return (this.children = {
      server: this.server,
      requests: cacheRequests.child(this.server, z, ''),
      misses: cacheMisses.child(this.server, z, ''),
      success: cacheHits.child(this.server, 'success', z, ''),
      denial: cacheHits.child(this.server, 'denial', z, ''),
    });
  }

  private labels(): { server: string; zones: string; view: string };
  private labels(type: CacheType): { server: string; type: CacheType; zones: string; view: string };
  private labels(type?: CacheType) {
    return type ? { server: this.server, type, zones: this.zonesLabel, view: '' } : { server: this.server, zones: this.zonesLabel, view: '' };
  }

  /** Wire cache: the cache neither answers nor stores names outside its zones or disabled for both kinds. */
  transparent(req: Request): boolean {
    if (matchZone(req.qname, this.cfg.zones) === undefined) return true;
    return matchZone(req.qname, this.cfg.successDisabled) !== undefined && matchZone(req.qname, this.cfg.denialDisabled) !== undefined;
  }

  /**
   * Wire cache: a reply replayed past us. Inside our zones CoreDNS would still have looked the name
   * up (a request and a miss, as nothing is stored there), so count that.
   */
  fastHit(req: HitInfo): void {
    if (matchZone(req.qname, this.cfg.zones) === undefined) return;
    this.server = req.server;
    this.counters().requests.value++;
    this.counters().misses.value++;
  }

  async serveDNS(req: Request, next: Next): Promise<Msg> {
    if (matchZone(req.qname, this.cfg.zones) === undefined) return next(req);
    this.server = req.server;
    const now = this.now();
    const key = cacheKey(req.qname, req.qtype, req.qclass, req.do, req.msg.cd);
    const item = this.lookup(key, now);
    if (!item) {
      const mark = this.store.mark();
      return this.remember(req, key, await nextWithAd(req, next), mark, false);
    }
    const ttl = item.ttl(now);
    const stale = ttl <= 0;
    if (stale) {
      if (this.cfg.verifyStale) {
        const fresh = await this.verify(req, next, key, item);
        if (fresh) return fresh;
      } else {
        this.refresh(req, next, key, item, true);
      }
      servedStale.inc(this.labels());
    } else if (this.shouldPrefetch(item, now)) {
      this.refresh(req, next, key, item, false);
    }
    req.responder = this.name;
    let replyTtl = stale ? 0 : ttl;
    if (this.cfg.keepTtl) replyTtl = item.origTtl;
    if (stale && this.cfg.staleTtl > 0) replyTtl = this.cfg.staleTtl;
    return item.toReply(req, replyTtl);
  }

  /** The live entry for `key` (or one within the serve_stale window); counts requests, hits, misses. */
  private lookup(key: string, now: number): CacheItem | undefined {
    this.counters().requests.value++;
    const usable = (i: CacheItem | undefined): i is CacheItem => {
      if (!i) return false;
      const t = i.ttl(now);
      return t > 0 || (this.cfg.staleUpTo > 0 && -t < this.cfg.staleUpTo / 1000);
    };
    const n = this.store.denial.get(key);
    if (usable(n)) {
      // SERVFAIL is transient: a still-valid positive entry wins over it.
      const p = n.rcode === Rcode.SERVFAIL ? this.store.success.get(key) : undefined;
      if (usable(p)) {
        this.counters().success.value++;
        return p;
      }
      this.counters().denial.value++;
      return n;
    }
    const p = this.store.success.get(key);
    if (usable(p)) {
      this.counters().success.value++;
      return p;
    }
    this.counters().misses.value++;
    return undefined;
  }

  /**
   * What CoreDNS's cache ResponseWriter does with a reply from the next plugin: cap every TTL to the
   * cache duration, store it when cacheable (unless its name was invalidated meanwhile), clear AD
   * for clients that did not ask for it, and hand back the client's copy.
   */
  private remember(req: Request, key: string, reply: Msg, mark: number, prefetch: boolean): Msg {
    const c = this.cfg;
    const now = this.now();
    const res: Msg = { ...reply, answer: reply.answer.map((r) => ({ ...r })), ns: reply.ns.map((r) => ({ ...r })), extra: reply.extra.map((r) => ({ ...r })) };
    const kind = cacheKind(res, Math.floor(now / 1000));
    let durationMs: number;
    if (kind === Kind.NXDOMAIN || kind === Kind.NODATA) durationMs = clampTtl(minimalTtl(res, kind, c.denialTtl), c.denialMinTtl, c.denialTtl) * 1000;
    else if (kind === Kind.SERVERERROR) durationMs = c.servfail;
    else durationMs = clampTtl(minimalTtl(res, kind, c.successTtl), c.successMinTtl, c.successTtl) * 1000;
    const ttl = Math.floor(durationMs / 1000);
    for (const rrs of [res.answer, res.ns, res.extra]) for (const rr of rrs) rr.ttl = ttl;
    if (isCacheable(res, kind) && durationMs > 0) {
      if (!matchesQuestion(res, req)) cacheDrops.inc(this.labels());
      else if (!this.store.invalidatedSince(mark, req.qname)) this.put(req.qname, key, res, kind, ttl, now, prefetch);
    }
    if (!req.do && !req.msg.ad) res.ad = false;
    return res;
  }

  private put(qname: string, key: string, res: Msg, kind: Kind, ttl: number, now: number, prefetch: boolean): void {
    const positive = kind === Kind.NOERROR || kind === Kind.DELEGATION;
    const disabled = positive ? this.cfg.successDisabled : this.cfg.denialDisabled;
    if (matchZone(qname, disabled) !== undefined) return;
    const type: CacheType = positive ? 'success' : 'denial';
    this.store.of(type).set(key, new CacheItem(qname, res, ttl, now));
    // A refreshed positive answer is the newest truth for this key.
    if (positive && prefetch) this.store.denial.delete(key);
    this.updateEntries();
  }

  private updateEntries(): void {
    cacheEntries.set(this.labels('success'), this.store.success.size);
    cacheEntries.set(this.labels('denial'), this.store.denial.size);
  }

  private shouldPrefetch(item: CacheItem, now: number): boolean {
    if (this.cfg.prefetch <= 0) return false;
    item.touch(this.cfg.prefetchDuration, now);
    const threshold = Math.ceil((this.cfg.prefetchPercentage / 100) * item.origTtl);
    return item.hits >= this.cfg.prefetch && item.ttl(now) <= threshold;
  }

  /**
   * Background refresh of `item` (prefetch, or serve_stale `immediate`); at most one per item.
   * A stale refresh only replaces the entry with a usable answer (RFC 8767 §4).
   */
  private refresh(req: Request, next: Next, key: string, item: CacheItem, stale: boolean): void {
    const recheck = stale ? this.cfg.staleRecheck : 0;
    const started = this.now();
    if (!item.beginRefresh(started, recheck)) return;
    cachePrefetches.inc(this.labels());
    const mark = this.store.mark();
    // Over TCP, as CoreDNS, so the refreshed answer is not truncated.
    const preq: Request = { ...req, proto: 'tcp', size: 65535, msg: { ...req.msg, ad: true }, meta: {} };
    void (async () => {
      let refreshed = false;
      try {
        const reply = await next(preq);
        if (!stale || this.refreshes(reply, req)) {
          this.remember(req, key, reply, mark, true);
          refreshed = true;
          const replaced = this.store.success.peek(key) ?? this.store.denial.peek(key);
          if (replaced && replaced !== item) replaced.inherit(item, started);
        }
      } catch {
        refreshed = false;
      } finally {
        item.endRefresh(this.now(), recheck, refreshed);
      }
    })();
  }

  /** serve_stale `verify`: ask first; serve the fresh answer if usable in time, else undefined (serve stale). */
  private async verify(req: Request, next: Next, key: string, item: CacheItem): Promise<Msg | undefined> {
    const recheck = this.cfg.staleRecheck;
    if (recheck > 0 && !item.beginRefresh(this.now(), recheck)) return undefined;
    const mark = this.store.mark();
    const attempt = (async () => {
      let fresh: Msg | undefined;
      try {
        const reply = await next(withAd(req));
        if (this.refreshes(reply, req)) fresh = this.remember(req, key, reply, mark, false);
      } catch {
        fresh = undefined;
      }
      if (recheck > 0) item.endRefresh(this.now(), recheck, fresh !== undefined);
      return fresh;
    })();
    if (this.cfg.verifyStaleTimeout <= 0) return attempt;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), this.cfg.verifyStaleTimeout)));
    try {
      return await Promise.race([attempt, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A reply that may replace a stale entry: complete, matching, and NOERROR or NXDOMAIN (RFC 8767 §4). */
  private refreshes(res: Msg, req: Request): boolean {
    if (res.tc || !matchesQuestion(res, req)) return false;
    const k = typify(res, Math.floor(this.now() / 1000));
    if (k === Kind.OTHERERROR || k === Kind.META || k === Kind.UPDATE) return false;
    return res.rcode === Rcode.NOERROR || res.rcode === Rcode.NXDOMAIN;
  }

  /** Drops entries at or below `zone` (lower-case FQDN); see invalidation.ts. */
  invalidateZone(zone: string): number {
    const n = this.store.dropZone(zone);
    this.updateEntries();
    return n;
  }
}

/** The request as sent on by the cache: AD set, as CoreDNS does, so upstreams report validation. */
function withAd(req: Request): Request {
  return req.msg.ad ? req : { ...req, msg: { ...req.msg, ad: true } };
}

/** Calls the rest of the chain with AD set (as CoreDNS's cache does) and carries what the answering plugin noted back to `req`. */
async function nextWithAd(req: Request, next: Next): Promise<Msg> {
  const sub = withAd(req);
  const reply = await next(sub);
  if (sub !== req) {
    req.responder = sub.responder;
    req.wireToken = sub.wireToken;
  }
  return reply;
}

/** CoreDNS's Request.Match: one question, QR set, same name (any case) and type. */
function matchesQuestion(res: Msg, req: Request): boolean {
  const q = res.question;
  return q.length === 1 && res.qr && lower(q[0]!.name) === req.qname && q[0]!.type === req.qtype;
}
