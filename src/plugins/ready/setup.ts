/**
 * `ready [ADDRESS]`: /ready answers 200 OK once every plugin that reports readiness is ready,
 * else 503 with the names of those that are not (comma separated, as CoreDNS). 503 from the moment
 * shutdown starts (lameduck).
 */
import { argError, single, wrongArgCount } from '../../plugin/args.js';
import { HttpListener, splitHostPort } from '../../plugin/http-listener.js';
import type { Lifecycle, Plugin } from '../../plugin/setup.js';

/** Names of plugins not ready now (sorted); none while stopping. */
export function notReady(lc: Lifecycle, readyOnce: Set<string>): string[] {
  if (lc.stopping) return [];
  const out: string[] = [];
  for (const [name, checks] of lc.readiness) {
    // As CoreDNS: once a plugin said ready it is not asked again.
    if (readyOnce.has(name)) continue;
    if (checks.every((c) => c())) readyOnce.add(name);
    else out.push(name);
  }
  return out.sort();
}

export const plugin: Plugin = {
  name: 'ready',
  setup(directives, ctx) {
    const d = single('ready', directives);
    if (d.args.length > 1 || d.block) throw wrongArgCount('ready', d);
    const address = d.args[0] ?? ':8181';
    if (!splitHostPort(address)) throw argError('ready', d, `invalid address '${address}'`);
    if (ctx.role === 'secondary') return undefined;
    const listener = ctx.keep(`http:${address}`, () => new HttpListener(address));
    const readyOnce = new Set<string>();
    listener.routes.set('/ready', (_req, res) => {
      const missing = notReady(ctx.lifecycle, readyOnce);
      if (ctx.lifecycle.stopping) {
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('shutting down');
      } else if (missing.length) {
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end(missing.join(','));
      } else {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('OK');
      }
    });
    ctx.onStartup(async () => {
      await listener.listening.catch((err: Error) => {
        throw argError('ready', d, `cannot listen on ${address}: ${err.message}`);
      });
    });
    return undefined;
  },
};
