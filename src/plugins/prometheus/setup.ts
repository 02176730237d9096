/**
 * `prometheus [ADDRESS] { runtime_metrics }`. The listener is a kept resource (`ctx.keep`), so
 * blocks naming the same address share it and a reload that keeps the address keeps the socket
 * open; a changed address binds anew and the core closes the old one.
 */
import { collectDefaultMetrics } from '../../plugin/prom-client.js';
import { coreHooks } from '../../core/router.js';
import type { Directive } from '../../corefile/types.js';
import { argError, single, wrongArgCount } from '../../plugin/args.js';
import type { Handler } from '../../plugin/handler.js';
import { HttpListener, splitHostPort } from '../../plugin/http-listener.js';
import { registry } from '../../plugin/metrics.js';
import type { Plugin } from '../../plugin/setup.js';
import { ensureBuildInfo, markPluginsEnabled, panics, pluginEnabled, reportDropped } from './core-metrics.js';
import { DnsReporter } from './dns-metrics.js';
import { serveMetrics } from './metrics-route.js';
import { Prometheus } from './prometheus.js';

const NAME = 'prometheus';

/** CoreDNS's default metrics address. */
export const DEFAULT_ADDRESS = 'localhost:9153';

/** Parsed `prometheus` configuration. */
export interface PrometheusConfig {
  /** The address as written. */
  readonly address: string;
  /** What we bind: `localhost` becomes 127.0.0.1, as Go's listener picks IPv4. */
  readonly listen: string;
}

/** Parses the block's `prometheus` lines (one allowed). */
export function parse(directives: readonly Directive[]): PrometheusConfig {
  const d = single(NAME, directives);
  if (d.args.length > 1) throw wrongArgCount(NAME, d);
  const address = d.args[0] ?? DEFAULT_ADDRESS;
  const hp = splitHostPort(address);
  if (!hp) throw argError(NAME, d, `invalid address '${address}'`);
  for (const sub of d.block ?? []) {
    switch (sub.name) {
      case 'runtime_metrics':
        // Go runtime metrics have no Node counterpart; prom-client's process and nodejs_* metrics are always on.
        if (sub.args.length) throw wrongArgCount(NAME, sub);
        break;
      case 'tls':
        throw argError(NAME, sub, 'tls is not supported for the metrics endpoint');
      default:
        throw argError(NAME, sub, `unknown option: ${sub.name}`);
    }
  }
  const listen = hp.host.toLowerCase() === 'localhost' ? `127.0.0.1:${hp.port}` : address;
  return Object.freeze({ address, listen });
}

interface BlockInfo {
  server: string;
  zones: readonly string[];
  handlers: ReadonlyMap<string, Handler>;
}

/** Process-wide parts, done once: Node's default metrics, build info, the panic hook. */
function initProcessMetrics(primary: boolean): void {
  // Process metrics once per process: worker threads would count the same process again.
  if (primary && !registry.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics(registry);
  ensureBuildInfo();
  coreHooks.onPanic = () => panics.inc();
  coreHooks.onDropped = (q) => reportDropped(q);
}

/** The prometheus plugin. */
export const plugin: Plugin = {
  name: NAME,
  setup(directives, ctx) {
    const cfg = parse(directives);
    initProcessMetrics(ctx.role === 'primary');
    // Worker threads count queries; only the primary serves /metrics (with every thread's numbers).
    const listener = ctx.role === 'primary' ? ctx.keep(`http:${cfg.listen}`, () => new HttpListener(cfg.listen)) : undefined;
    if (listener) {
      listener.routes.set('/metrics', serveMetrics);
      ctx.onStartup(async () => {
        await listener.listening.catch((err: Error) => {
          throw argError(NAME, directives[0]!, `cannot listen on ${cfg.address}: ${err.message}`);
        });
      });
    }

    // plugin_enabled is listed anew for each config, once all its blocks are set up.
    let blocks = ctx.shared.get(NAME) as BlockInfo[] | undefined;
    if (!blocks) {
      const list: BlockInfo[] = (blocks = []);
      ctx.shared.set(NAME, list);
      ctx.onStartup(() => {
        pluginEnabled.reset();
        for (const b of list) markPluginsEnabled(b.server, b.zones, [...b.handlers.values()].map((h) => h.name));
      });
    }
    blocks.push({ server: ctx.server, zones: ctx.zones, handlers: ctx.handlers });

    return new Prometheus(new DnsReporter(ctx.server), listener);
  },
};
