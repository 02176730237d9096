/** The cache plugin's metrics, with CoreDNS's names and labels (plugin/cache/metrics.go). */
import { counter, gauge } from '../../plugin/metrics.js';
import { FastCounter, register } from '../../plugin/fast-metrics.js';

/** `coredns_cache_entries{server,type,zones,view}`. */
export const cacheEntries = gauge({
  name: 'coredns_cache_entries',
  help: 'The number of elements in the cache.',
  labelNames: ['server', 'type', 'zones', 'view'] as const,
});

// Counted on every query (wire-cache hits included): plain-object children, no label hashing.
/** `coredns_cache_requests_total{server,zones,view}`. */
export const cacheRequests = register(new FastCounter('coredns_cache_requests_total', 'The count of cache requests.', ['server', 'zones', 'view']));

/** `coredns_cache_hits_total{server,type,zones,view}`. */
export const cacheHits = register(new FastCounter('coredns_cache_hits_total', 'The count of cache hits.', ['server', 'type', 'zones', 'view']));

/** `coredns_cache_misses_total{server,zones,view}` (deprecated in CoreDNS, still exported). */
export const cacheMisses = register(new FastCounter('coredns_cache_misses_total',
  'The count of cache misses. Deprecated, derive misses from cache hits/requests counters.', ['server', 'zones', 'view']));

/** `coredns_cache_prefetch_total{server,zones,view}`. */
export const cachePrefetches = counter({
  name: 'coredns_cache_prefetch_total',
  help: 'The number of times the cache has prefetched a cached item.',
  labelNames: ['server', 'zones', 'view'] as const,
});

/** `coredns_cache_drops_total{server,zones,view}`: replies not cached because their question did not match. */
export const cacheDrops = counter({
  name: 'coredns_cache_drops_total',
  help: 'The number responses that are not cached, because the reply is malformed.',
  labelNames: ['server', 'zones', 'view'] as const,
});

/** `coredns_cache_served_stale_total{server,zones,view}`. */
export const servedStale = counter({
  name: 'coredns_cache_served_stale_total',
  help: 'The number of requests served from stale cache entries.',
  labelNames: ['server', 'zones', 'view'] as const,
});

/** `coredns_cache_evictions_total{server,type,zones,view}`. */
export const cacheEvictions = counter({
  name: 'coredns_cache_evictions_total',
  help: 'The count of cache evictions.',
  labelNames: ['server', 'type', 'zones', 'view'] as const,
});
