/** CoreDNS's health metrics: a self-probe of /health every second, timed. */
import { http } from '../../core/builtins.js';
import { counter, histogram } from '../../plugin/metrics.js';
import type { HttpListener } from '../../plugin/http-listener.js';

/** The health histograms/counters, created once. */
export function healthMetrics() {
  return {
    duration: histogram({
      name: 'coredns_health_request_duration_seconds',
      help: 'Histogram of the time (in seconds) each request took.',
      buckets: [0.00025, 0.0025, 0.05, 0.1, 0.2, 0.4, 0.8, 1, 2, 4, 8],
    }),
    failures: counter({ name: 'coredns_health_request_failures_total', help: 'The number of times the health check failed.' }),
  };
}

/** Probes the listener's /health every second (as CoreDNS does, to expose a latency signal). */
export function startSelfProbe(listener: HttpListener, m: ReturnType<typeof healthMetrics>): { close(): void } {
  const timer = setInterval(() => {
    const start = process.hrtime.bigint();
    const req = http.get({ host: '127.0.0.1', port: listener.port, path: '/health', timeout: 1000 }, (res) => {
      res.resume();
      res.on('end', () => {
        m.duration.observe(Number(process.hrtime.bigint() - start) / 1e9);
        if (res.statusCode !== 200) m.failures.inc();
      });
    });
    req.on('error', () => m.failures.inc());
    req.on('timeout', () => req.destroy());
  }, 1000);
  timer.unref();
  return { close: () => clearInterval(timer) };
}
