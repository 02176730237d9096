/** The kubernetes plugin's metrics, named as CoreDNS names them. */
import type { SlimEndpointSlice, SlimService } from '../../kube/objects.js';
import { histogram } from '../../plugin/metrics.js';

/**
 * `coredns_kubernetes_dns_programming_duration_seconds{service_kind}`: from the change that
 * triggered an EndpointSlice update (its last-change-trigger-time annotation) to DNS serving it.
 * Buckets from 1 ms to ~17 min, as CoreDNS's (prometheus.ExponentialBuckets(0.001, 2, 20)).
 */
export const programmingDuration = histogram({
  name: 'coredns_kubernetes_dns_programming_duration_seconds',
  help: 'Histogram of the time (in seconds) it took to program a dns instance.',
  labelNames: ['service_kind'] as const,
  buckets: Array.from({ length: 20 }, (_, i) => 0.001 * 2 ** i),
});

/**
 * Records one slice change, as CoreDNS's EndpointLatencyRecorder: only when the annotation is set
 * (the controller made the slice) and the Service is known; kind `cluster_ip` or
 * `headless_with_selector`.
 */
export function recordProgrammingLatency(slice: SlimEndpointSlice, svc: SlimService | undefined, now = Date.now()): void {
  if (slice.lastChangeTriggerTime === undefined || !svc) return;
  const kind = svc.headless ? 'headless_with_selector' : 'cluster_ip';
  programmingDuration.labels(kind).observe(Math.max(0, now - slice.lastChangeTriggerTime) / 1000);
}
