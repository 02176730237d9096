import { describe, expect, it } from 'vitest';
import type { Directive } from '../../corefile/types.js';
import { pluginLog } from '../../core/log.js';
import type { SetupContext } from '../../plugin/setup.js';
import { registeredCaches } from '../../plugin/invalidation.js';
import { Cache } from './cache.js';
import { plugin } from './setup.js';

function ctx(shutdown: Array<() => unknown>): SetupContext {
  // Only the fields these plugins use; the rest of the context is the core's business.
  return {
    block: { keys: ['cluster.local:53'], directives: [], file: 'Corefile', line: 1 }, zones: ['cluster.local.'], port: 53,
    server: 'dns://:53', log: pluginLog, onStartup: () => {}, onShutdown: (fn: () => unknown) => void shutdown.push(fn),
    shared: new Map(), persistent: new Map(), handlers: new Map(),
  } as unknown as SetupContext;
}

describe('cache setup', () => {
  it('builds a cache for the block zones, registered for invalidation until shutdown', async () => {
    const shutdown: Array<() => unknown> = [];
    const before = registeredCaches();
    const d: Directive = { name: 'cache', args: ['30'], block: null, file: 'Corefile', line: 2 };
    const h = await plugin.setup([d], ctx(shutdown));
    expect(h).toBeInstanceOf(Cache);
    expect((h as Cache).cfg).toMatchObject({ zones: ['cluster.local.'], successTtl: 30 });
    expect(registeredCaches()).toBe(before + 1);
    for (const fn of shutdown) await fn();
    expect(registeredCaches()).toBe(before);
  });
});
