/**
 * Corefile text -> a runnable config: server blocks with their chains, grouped by port.
 * Plugins are set up in plugin order, so setup of a later plugin can see earlier handlers.
 */
import { ConfigError } from '../corefile/config-error.js';
import { parseCorefile } from '../corefile/parser.js';
import { groupByPort, type ZoneBinding } from '../corefile/keys.js';
import { validateDirectives } from '../corefile/validate.js';
import type { Directive, ServerBlock } from '../corefile/types.js';
import type { Next, Handler, Request } from '../plugin/handler.js';
import type { Msg } from '../dns/message.js';
import type { Lifecycle, SetupContext } from '../plugin/setup.js';
import { COREDNS_ONLY, PLUGIN_ORDER, loadPlugin } from '../plugins.js';
import { pluginLog } from './log.js';
import { compose } from './chain.js';
import type { Resources } from './resources.js';
import { role, shareSource } from './thread-hub.js';

/** One server block ready to serve. */
export interface BlockConfig {
  zones: string[];
  port: number;
  /** Addresses to listen on; empty = all. */
  hosts: string[];
  /** CoreDNS's `server` label: `dns://:53`. */
  server: string;
  chain: Next;
  handlers: Map<string, Handler>;
  /** The chain's handlers in order (the wire cache asks those before the answering one). */
  chainHandlers: readonly Handler[];
}

/** A whole config: blocks plus lifecycle hooks. */
export interface Config {
  blocks: BlockConfig[];
  startup: Array<() => void | Promise<void>>;
  shutdown: Array<() => void | Promise<void>>;
  finalShutdown: Array<() => void | Promise<void>>;
}

/** Options from the command line. */
export interface BuildOptions {
  defaultPort: number;
  resources: Resources;
  lifecycle: Lifecycle;
  env?: NodeJS.ProcessEnv;
  restart: () => Promise<void>;
  /** Re-enters the server (for ctx.lookup); bound once the routers exist. */
  lookup: (port: number, name: string, type: number, parent: Request) => Promise<Msg>;
}

/** Directives by name, after refusing unknown ones (CoreDNS plugins we lack get their own message). */
function directivesByName(block: ServerBlock): Map<string, Directive[]> {
  const byName = new Map<string, Directive[]>();
  for (const d of block.directives) {
    if ((COREDNS_ONLY as readonly string[]).includes(d.name)) {
      throw new ConfigError(`plugin '${d.name}' is a CoreDNS plugin that clusterdns does not implement`, d);
    }
    const list = byName.get(d.name) ?? [];
    list.push(d);
    byName.set(d.name, list);
  }
  return byName;
}

/** Parses and sets up a Corefile. Throws ConfigError; partially built resources are the caller's to abandon. */
export async function buildConfig(text: string, file: string, opts: BuildOptions): Promise<Config> {
  const blocks = parseCorefile(text, file, { env: opts.env ?? process.env });
  const config: Config = { blocks: [], startup: [], shutdown: [], finalShutdown: [] };
  const shared = new Map<string, unknown>();
  opts.lifecycle.readiness.clear();
  // Zones per port (a zone twice on one port is an error), then per block.
  const keysOf = new Map<ServerBlock, ZoneBinding[]>();
  for (const bindings of groupByPort(blocks, opts.defaultPort).values()) {
    for (const b of bindings) keysOf.set(b.block, [...(keysOf.get(b.block) ?? []), b]);
  }
  for (const block of blocks) {
    const byName = directivesByName(block);
    validateDirectives([block], PLUGIN_ORDER);
    const keys = keysOf.get(block) ?? [];
    const ports = new Set(keys.map((k) => k.port));
    // A block with keys on several ports becomes one chain per port (as CoreDNS does).
    for (const port of ports) {
      const zones = keys.filter((k) => k.port === port).map((k) => k.zone);
      let hosts: string[] = [];
      const handlers = new Map<string, Handler>();
      const ctx: SetupContext = {
        block,
        zones,
        port,
        get server() {
          return `dns://${hosts.length === 1 ? hosts[0] : ''}:${port}`;
        },
        log: pluginLog,
        onStartup: (fn) => config.startup.push(fn),
        onShutdown: (fn) => config.shutdown.push(fn),
        onFinalShutdown: (fn) => config.finalShutdown.push(fn),
        corefile: { path: file, text },
        restart: opts.restart,
        lookup: (name, type, parent) => opts.lookup(port, name, type, parent),
        shared,
        keep: (key, create) => opts.resources.keep(key, create),
        bind: (h) => {
          hosts = h;
        },
        get listenHosts() {
          return hosts;
        },
        lifecycle: opts.lifecycle,
        role,
        shareSource: (key, create) => shareSource(opts.resources, key, create),
        handlers,
      };
      const chain: Handler[] = [];
      for (const name of PLUGIN_ORDER) {
        const ds = byName.get(name);
        if (!ds) continue;
        const plugin = await loadPlugin(name);
        const h = await plugin.setup(ds, ctx);
        if (h) {
          handlers.set(name, h);
          chain.push(h);
          const r = h as Partial<{ isReady(): boolean }>;
          if (typeof r.isReady === 'function') {
            const checks = opts.lifecycle.readiness.get(name) ?? [];
            checks.push(() => r.isReady!.call(h));
            opts.lifecycle.readiness.set(name, checks);
          }
        }
      }
      config.blocks.push({ zones, port, hosts, server: ctx.server, chain: compose(chain), handlers, chainHandlers: chain });
    }
  }
  if (config.blocks.length === 0) throw new ConfigError('no server blocks in the Corefile', { file, line: 1 });
  return config;
}
