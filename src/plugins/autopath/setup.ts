/** `autopath [ZONE...] RESOLV-CONF`: a resolv.conf file, or `@plugin` for a per-client search path. */
import { argError, single } from '../../plugin/args.js';
import { PluginError } from '../../plugin/handler.js';
import { counter } from '../../plugin/metrics.js';
import type { Plugin } from '../../plugin/setup.js';
import { pluginZones } from '../../plugin/zones.js';
import { AutoPath, isAutoPather, type SearchSource } from './autopath.js';
import { readSearch } from './resolv-conf.js';

const NAME = 'autopath';

/** `coredns_autopath_success_total{server}`. */
export const autoPathCount = counter({
  name: 'coredns_autopath_success_total',
  help: 'Counter of requests that did autopath.',
  labelNames: ['server'] as const,
});

/** The autopath plugin. */
export const plugin: Plugin = {
  name: NAME,
  setup(directives, ctx) {
    const d = single(NAME, directives);
    if (d.args.length < 1) throw argError(NAME, d, 'no resolv-conf specified');
    if (d.block && d.block.length > 0) throw argError(NAME, d.block[0]!, `unknown property '${d.block[0]!.name}'`);
    const resolv = d.args[d.args.length - 1]!;
    const zones = pluginZones(d.args.slice(0, -1), ctx.zones);
    if (!zones) throw argError(NAME, d, `invalid zone in '${d.args.slice(0, -1).join(' ')}'`);

    let source: SearchSource;
    if (resolv.startsWith('@')) {
      const other = resolv.slice(1);
      if (other === '') throw argError(NAME, d, "no plugin named after '@'");
      const log = ctx.log(NAME);
      source = {
        // Looked up when first needed: in the chain autopath comes before the plugin it asks.
        resolve: () => {
          const h = ctx.handlers.get(other);
          if (!h) {
            log.warn(`plugin/${other} is not in this server block: no autopath`);
            return null;
          }
          if (!isAutoPather(h)) throw new PluginError(NAME, `${other} does not implement the AutoPather interface`);
          return (req) => h.autoPath(req);
        },
      };
    } else {
      let search: string[];
      try {
        search = readSearch(resolv);
      } catch (err) {
        throw argError(NAME, d, (err as Error).message);
      }
      // The empty element last: the bare name is tried too.
      source = { search: Object.freeze([...search, '']) };
    }

    const success = autoPathCount.labels(ctx.server);
    const handler = new AutoPath(zones, source, () => success.inc());
    ctx.onStartup(() => handler.resolve());
    return handler;
  },
};
