/** `health [ADDRESS] { lameduck DURATION }`: HTTP 200 OK on /health while the process runs. */
import { argError, durationArg, single, wrongArgCount } from '../../plugin/args.js';
import { HttpListener, splitHostPort } from '../../plugin/http-listener.js';
import type { Plugin } from '../../plugin/setup.js';
import { healthMetrics, startSelfProbe } from './metrics.js';

/** Parsed `health` options. */
export interface HealthConfig {
  address: string;
  lameduckMs: number;
}

/** Parses the directive (pure). */
export function parseHealth(d: Parameters<Plugin['setup']>[0][number]): HealthConfig {
  if (d.args.length > 1) throw wrongArgCount('health', d);
  const address = d.args[0] ?? ':8080';
  if (!splitHostPort(address)) throw argError('health', d, `invalid address '${address}'`);
  let lameduckMs = 0;
  for (const sub of d.block ?? []) {
    if (sub.name !== 'lameduck') throw argError('health', sub, `unknown property '${sub.name}'`);
    if (sub.args.length !== 1) throw wrongArgCount('health', sub);
    lameduckMs = durationArg('health', sub, sub.args[0]);
  }
  return Object.freeze({ address, lameduckMs });
}

export const plugin: Plugin = {
  name: 'health',
  setup(directives, ctx) {
    const cfg = parseHealth(single('health', directives));
    if (ctx.role === 'secondary') return undefined;
    const listener = ctx.keep(`http:${cfg.address}`, () => new HttpListener(cfg.address));
    const metrics = healthMetrics();
    listener.routes.set('/health', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('OK');
    });
    ctx.onStartup(async () => {
      await listener.listening.catch((err: Error) => {
        throw argError('health', directives[0]!, `cannot listen on ${cfg.address}: ${err.message}`);
      });
      const probe = ctx.keep(`health-probe:${cfg.address}`, () => startSelfProbe(listener, metrics));
      void probe;
    });
    ctx.onFinalShutdown(async () => {
      if (cfg.lameduckMs > 0) {
        ctx.log('health').info(`Going into lameduck mode for ${cfg.lameduckMs / 1000}s`);
        await new Promise((r) => setTimeout(r, cfg.lameduckMs));
      }
    });
    return undefined;
  },
};
