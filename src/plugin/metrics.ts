/**
 * The one prom-client registry every plugin registers into. Metrics are created once per process
 * and reused across reloads (prom-client throws on a second registration of a name).
 */
import type client from 'prom-client';
import { aggregate, Counter, Gauge, Histogram, Registry } from './prom-client.js';

/** The registry the prometheus plugin serves. */
export const registry = new Registry();

/** CoreDNS's default latency buckets (plugin/pkg/dnsutil, prometheus.ExponentialBuckets(0.00025, 2, 16)). */
export const TIME_BUCKETS = Array.from({ length: 16 }, (_, i) => 0.00025 * 2 ** i);

/** Get-or-create a counter. */
export function counter<T extends string>(cfg: { name: string; help: string; labelNames?: readonly T[] }): client.Counter<T> {
  const got = registry.getSingleMetric(cfg.name);
  if (got) return got as client.Counter<T>;
  return new Counter<T>({ ...cfg, registers: [registry] });
}

/** Get-or-create a gauge. */
export function gauge<T extends string>(cfg: { name: string; help: string; labelNames?: readonly T[] }): client.Gauge<T> {
  const got = registry.getSingleMetric(cfg.name);
  if (got) return got as client.Gauge<T>;
  return new Gauge<T>({ ...cfg, registers: [registry] });
}

/** Get-or-create a histogram. */
export function histogram<T extends string>(cfg: {
  name: string;
  help: string;
  labelNames?: readonly T[];
  buckets?: number[];
}): client.Histogram<T> {
  const got = registry.getSingleMetric(cfg.name);
  if (got) return got as client.Histogram<T>;
  return new Histogram<T>({ ...cfg, registers: [registry] });
}

/** Supplies other threads' metrics (set by the core when `-workers` > 1). */
let otherThreads: () => Promise<unknown[]> = async () => [];

/** Installs the supplier of other threads' metrics JSON. */
export function setOtherThreadsMetrics(fn: () => Promise<unknown[]>): void {
  otherThreads = fn;
}

/** The text /metrics serves: this thread's registry, plus every worker thread's added up. */
export async function exposition(): Promise<{ contentType: string; body: string }> {
  const others = await otherThreads();
  if (others.length === 0) return { contentType: registry.contentType, body: await registry.metrics() };
  const mine = await registry.getMetricsAsJSON();
  const merged = aggregate([mine, ...others] as Parameters<typeof aggregate>[0]);
  return { contentType: merged.contentType, body: await merged.metrics() };
}
