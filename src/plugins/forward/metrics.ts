/** The forward plugin's metrics, with CoreDNS's names and labels (plugin/forward, plugin/pkg/proxy). */
import { counter, histogram, TIME_BUCKETS } from '../../plugin/metrics.js';

/** `coredns_proxy_request_duration_seconds{proxy_name,to,rcode}`: time of each upstream exchange. */
export const requestDuration = histogram({
  name: 'coredns_proxy_request_duration_seconds',
  help: 'Histogram of the time each request took.',
  labelNames: ['proxy_name', 'to', 'rcode'] as const,
  buckets: TIME_BUCKETS,
});

/** `coredns_proxy_healthcheck_failures_total{proxy_name,to}`. */
export const healthcheckFailures = counter({
  name: 'coredns_proxy_healthcheck_failures_total',
  help: 'Counter of the number of failed healthchecks.',
  labelNames: ['proxy_name', 'to'] as const,
});

/** `coredns_proxy_conn_cache_hits_total{proxy_name,to,proto}`. */
export const connCacheHits = counter({
  name: 'coredns_proxy_conn_cache_hits_total',
  help: 'Counter of connection cache hits per upstream and protocol.',
  labelNames: ['proxy_name', 'to', 'proto'] as const,
});

/** `coredns_proxy_conn_cache_misses_total{proxy_name,to,proto}`. */
export const connCacheMisses = counter({
  name: 'coredns_proxy_conn_cache_misses_total',
  help: 'Counter of connection cache misses per upstream and protocol.',
  labelNames: ['proxy_name', 'to', 'proto'] as const,
});

/** `coredns_forward_healthcheck_broken_total`: all upstreams down, picked one at random. */
export const healthcheckBroken = counter({
  name: 'coredns_forward_healthcheck_broken_total',
  help: 'Counter of the number of complete failures of the healthchecks.',
});

/** `coredns_forward_max_concurrent_rejects_total`. */
export const maxConcurrentRejects = counter({
  name: 'coredns_forward_max_concurrent_rejects_total',
  help: 'Counter of the number of queries rejected because the concurrent queries were at maximum.',
});
