/**
 * The two bounded caches (success and denial) behind the cache plugin. lru-cache bounds memory
 * by entry count; CoreDNS evicts at random per shard, we evict the least recently used.
 * Entries are keyed as CoreDNS keys them: DO bit, CD bit, qtype, qclass, lower-cased qname.
 */
import { LRUCache } from 'lru-cache';
import { isSubdomain } from '../../dns/name.js';
import type { CacheItem } from './item.js';

/** Which of the two caches. */
export type CacheType = 'success' | 'denial';

/** The cache key of a query. */
export function cacheKey(qname: string, qtype: number, qclass: number, doBit: boolean, cd: boolean): string {
  return `${doBit ? 1 : 0}${cd ? 1 : 0}|${qtype}|${qclass}|${qname}`;
}

/** How many recent invalidations are remembered to guard in-flight fills. */
const RECENT = 64;

/** Success and denial caches plus an invalidation log. */
export class CacheStore {
  readonly success: LRUCache<string, CacheItem>;
  readonly denial: LRUCache<string, CacheItem>;
  private epoch = 0;
  private recent: Array<{ epoch: number; zone: string }> = [];

  constructor(successCap: number, denialCap: number, onEvict: (type: CacheType) => void) {
    this.success = new LRUCache({ max: successCap, dispose: (_v, _k, why) => why === 'evict' && onEvict('success') });
    this.denial = new LRUCache({ max: denialCap, dispose: (_v, _k, why) => why === 'evict' && onEvict('denial') });
  }

  /** The cache of `type`. */
  of(type: CacheType): LRUCache<string, CacheItem> {
    return type === 'success' ? this.success : this.denial;
  }

  /** A mark to take before asking the next plugin; see `invalidatedSince`. */
  mark(): number {
    return this.epoch;
  }

  /**
   * True when `qname` was invalidated after `mark` was taken: the reply in hand may predate the
   * change and must not be stored. When the log has rolled over, assume it was.
   */
  invalidatedSince(mark: number, qname: string): boolean {
    if (mark === this.epoch) return false;
    if (this.recent.length === 0 || this.recent[0]!.epoch > mark + 1) return true;
    return this.recent.some((r) => r.epoch > mark && isSubdomain(qname, r.zone));
  }

  /** Drops every entry whose name is `zone` or below it (lower-case FQDN); returns how many. */
  dropZone(zone: string): number {
    this.epoch++;
    this.recent.push({ epoch: this.epoch, zone });
    if (this.recent.length > RECENT) this.recent.shift();
    let dropped = 0;
    for (const cache of [this.success, this.denial]) {
      const doomed: string[] = [];
      for (const [key, item] of cache.entries()) if (isSubdomain(item.qname, zone)) doomed.push(key);
      for (const key of doomed) cache.delete(key);
      dropped += doomed.length;
    }
    return dropped;
  }
}
