/**
 * `reload [INTERVAL] [JITTER]`: every INTERVAL (±JITTER) hash the Corefile (SHA512, as CoreDNS) and
 * reload when it changed. A broken new Corefile is logged and counted; the running config stays.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { argError, durationArg, single, wrongArgCount } from '../../plugin/args.js';
import { counter, gauge } from '../../plugin/metrics.js';
import type { Plugin } from '../../plugin/setup.js';

/** Parsed `reload` options, in ms. */
export interface ReloadConfig {
  intervalMs: number;
  jitterMs: number;
}

/** Parses the directive; CoreDNS's bounds: interval >= 2s, jitter >= 1s and < interval/2. */
export function parseReload(d: Parameters<Plugin['setup']>[0][number]): ReloadConfig {
  if (d.args.length > 2 || d.block) throw wrongArgCount('reload', d);
  const intervalMs = d.args[0] ? durationArg('reload', d, d.args[0]) : 30_000;
  const jitterMs = d.args[1] ? durationArg('reload', d, d.args[1]) : intervalMs === 30_000 ? 15_000 : Math.floor(intervalMs / 2);
  if (intervalMs < 2000) throw argError('reload', d, `interval value must be greater or equal to 2s`);
  if (jitterMs < 1000) throw argError('reload', d, `jitter value must be greater or equal to 1s`);
  if (jitterMs > intervalMs / 2) throw argError('reload', d, `jitter value must be no more than half of the interval`);
  return Object.freeze({ intervalMs, jitterMs });
}

/** SHA512 of a Corefile's text, hex. */
export function corefileHash(text: string): string {
  return createHash('sha512').update(text).digest('hex');
}

let lastFailedHash = '';

export const plugin: Plugin = {
  name: 'reload',
  setup(directives, ctx) {
    const cfg = parseReload(single('reload', directives));
    if (ctx.role === 'secondary') return undefined;
    const log = ctx.log('reload');
    const failed = counter({ name: 'coredns_reload_failed_total', help: 'Counter of the number of failed reload attempts.' });
    const info = gauge({ name: 'coredns_reload_version_info', help: 'A metric with a constant \'1\' value labeled by hash, and value which type of hash generated.', labelNames: ['hash', 'value'] as const });
    const running = corefileHash(ctx.corefile.text);
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const schedule = () => {
      if (stopped) return;
      const wait = cfg.intervalMs + Math.round((Math.random() * 2 - 1) * cfg.jitterMs);
      timer = setTimeout(check, Math.max(1000, wait));
      timer.unref();
    };
    const check = async () => {
      try {
        const text = await readFile(ctx.corefile.path, 'utf8');
        const hash = corefileHash(text);
        if (hash !== running && hash !== lastFailedHash) {
          log.info('Reloading');
          try {
            stopped = true;
            await ctx.restart();
            return;
          } catch (err) {
            stopped = false;
            lastFailedHash = hash;
            failed.inc();
            log.error(`Corefile changed but reload failed: ${(err as Error).message}`);
          }
        }
      } catch (err) {
        log.warn(`cannot read ${ctx.corefile.path}: ${(err as Error).message}`);
      }
      schedule();
    };
    ctx.onStartup(() => {
      info.reset();
      info.labels('sha512', running).set(1);
      log.info(`Running configuration SHA512 = ${running}`);
      schedule();
    });
    ctx.onShutdown(() => {
      stopped = true;
      if (timer) clearTimeout(timer);
    });
    ctx.onFinalShutdown(() => {
      stopped = true;
      if (timer) clearTimeout(timer);
    });
    return undefined;
  },
};
