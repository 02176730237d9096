/** Registers the `cache` directive: parse the line, build the cache, subscribe it to invalidations. */
import type { Plugin } from '../../plugin/setup.js';
import { Cache } from './cache.js';
import { parseCache } from './config.js';
import { registerCache } from '../../plugin/invalidation.js';

/** The cache plugin. */
export const plugin: Plugin = {
  name: 'cache',
  setup(directives, ctx) {
    const cache = new Cache(parseCache(directives, ctx.zones), { server: ctx.server });
    const unregister = registerCache(cache);
    ctx.onShutdown(unregister);
    return cache;
  },
};
