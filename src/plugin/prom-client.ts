/**
 * prom-client, loaded part by part. Its index also loads the Pushgateway (node:https, so TLS and
 * OpenSSL's state, plus zlib) and collectDefaultMetrics loads @opentelemetry/api for exemplars:
 * neither is used here, and together they cost several MiB of RSS in every process (bench/RESULTS.md,
 * "Memory"). The version is pinned exactly, so these paths are fixed; test/e2e/lean-startup.test.ts
 * checks what a started server has loaded.
 */
import { createRequire } from 'node:module';
import type client from 'prom-client';

const load = createRequire(import.meta.url);

export const Registry: typeof client.Registry = load('prom-client/lib/registry');
export const Counter: typeof client.Counter = load('prom-client/lib/counter');
export const Gauge: typeof client.Gauge = load('prom-client/lib/gauge');
export const Histogram: typeof client.Histogram = load('prom-client/lib/histogram');

/** Adds up several registries' JSON (worker threads'); loads prom-client's cluster module on first use. */
export function aggregate(metrics: Parameters<typeof client.AggregatorRegistry.aggregate>[0]): client.Registry {
  return (load('prom-client/lib/cluster') as typeof client.AggregatorRegistry).aggregate(metrics);
}

type DefaultMetric = (registry: client.Registry, config: Record<string, unknown>) => void;

/**
 * prom-client's default metrics but the process CPU counters (their module loads OpenTelemetry) and
 * `nodejs_gc_duration_seconds`. That one observes every collection through a perf_hooks observer,
 * and Node builds a JS entry for each (with deprecated accessors) that lives long enough to be
 * promoted: at 50k qps (~43 scavenges a second) it was 4.4 KB of the 4.5 KB promoted per
 * scavenge, which filled the old generation and brought a mark-compact every ~20 s under steady
 * load, and it made each scavenge ~30% longer (bench/RESULTS.md, "Garbage collection under load").
 * v8.GCProfiler instead adds ~40 µs to every pause. Heap sizes per space remain
 * (`nodejs_heap_space_size_used_bytes`), as does event-loop lag.
 */
export const SKIPPED_DEFAULT_METRICS = ['nodejs_gc_duration_seconds'];

const DEFAULTS = [
  'processStartTime',
  'osMemoryHeap',
  'processOpenFileDescriptors',
  'processMaxFileDescriptors',
  'eventLoopLag',
  'processResources',
  'processHandles',
  'processRequests',
  'heapSizeAndUsed',
  'heapSpacesSizeAndUsed',
  'version',
];

/**
 * prom-client's collectDefaultMetrics, same names and values but SKIPPED_DEFAULT_METRICS: the process CPU counters are
 * recreated here (user, system, total seconds), the rest are prom-client's own modules.
 */
export function collectDefaultMetrics(registry: client.Registry): void {
  let last = process.cpuUsage();
  const user = new Counter({
    name: 'process_cpu_user_seconds_total',
    help: 'Total user CPU time spent in seconds.',
    registers: [registry],
    collect() {
      const now = process.cpuUsage();
      user.inc((now.user - last.user) / 1e6);
      system.inc((now.system - last.system) / 1e6);
      total.inc((now.user - last.user + now.system - last.system) / 1e6);
      last = now;
    },
  });
  const system = new Counter({ name: 'process_cpu_system_seconds_total', help: 'Total system CPU time spent in seconds.', registers: [registry] });
  const total = new Counter({ name: 'process_cpu_seconds_total', help: 'Total user and system CPU time spent in seconds.', registers: [registry] });
  for (const name of DEFAULTS) (load(`prom-client/lib/metrics/${name}`) as DefaultMetric)(registry, { eventLoopMonitoringPrecision: 10 });
}
