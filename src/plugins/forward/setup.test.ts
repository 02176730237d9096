import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../corefile/config-error.js';
import type { Directive } from '../../corefile/types.js';
import { pluginLog } from '../../core/log.js';
import type { SetupContext } from '../../plugin/setup.js';
import { ForwardHandler } from './forward.js';
import { plugin } from './setup.js';

function ctx(shutdown: Array<() => unknown>): SetupContext {
  // Only the fields these plugins use; the rest of the context is the core's business.
  return {
    block: { keys: ['.:53'], directives: [], file: 'Corefile', line: 1 }, zones: ['.'], port: 53, server: 'dns://:53',
    log: pluginLog, onStartup: () => {}, onShutdown: (fn: () => unknown) => void shutdown.push(fn),
    shared: new Map(), persistent: new Map(), handlers: new Map(),
  } as unknown as SetupContext;
}

const d = (args: string[], line: number): Directive => ({ name: 'forward', args, block: null, file: 'Corefile', line });

describe('forward setup', () => {
  it('chains every forward line of the block into one handler and stops it on shutdown', async () => {
    const shutdown: Array<() => unknown> = [];
    const h = await plugin.setup([d(['example.org', '127.0.0.1:5301'], 2), d(['.', '127.0.0.1:5302'], 3)], ctx(shutdown));
    expect(h).toBeInstanceOf(ForwardHandler);
    expect((h as ForwardHandler).stanzas.map((s) => s.cfg.from)).toEqual(['example.org.', '.']);
    expect(shutdown).toHaveLength(1);
    for (const fn of shutdown) await fn();
  });

  it('reports the failing line', () => {
    expect(() => plugin.setup([d(['.', '127.0.0.1'], 2), d(['.', 'not-a-file-or-ip'], 7)], ctx([]))).toThrow(ConfigError);
    expect(() => plugin.setup([d(['.', '127.0.0.1'], 2), d(['.', 'not-a-file-or-ip'], 7)], ctx([]))).toThrow(/Corefile:7/);
  });
});
