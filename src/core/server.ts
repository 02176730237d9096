/**
 * A running clusterdns: listeners per port serving the current config. A reload builds the new
 * config first and swaps it in under the same sockets, so no query is lost; a bad Corefile
 * leaves the old config serving.
 */
import { Resources } from './resources.js';
import { buildConfig, type Config } from './config.js';
import { Router } from './router.js';
import { UdpServer } from '../dns/udp-server.js';
import { TcpServer } from '../dns/tcp-server.js';
import { root, pluginLog } from './log.js';
import type { Lifecycle } from '../plugin/setup.js';
import type { Request } from '../plugin/handler.js';

/** Options from the command line. */
export interface ServerOptions {
  defaultPort: number;
  reusePort?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Reads the Corefile again (for the reload plugin and SIGUSR1). */
  readCorefile?: () => Promise<{ text: string; file: string }>;
  /** Called after a successful reload (the primary tells its worker threads). */
  onReloaded?: () => void;
}

interface Listener {
  key: string;
  port: number;
  udp: UdpServer;
  tcp: TcpServer;
}

/** Addresses a port's blocks listen on: their `bind` hosts, or every interface. */
function hostsFor(config: Config, port: number): string[] {
  const hosts = new Set<string>();
  for (const b of config.blocks) {
    if (b.port !== port) continue;
    if (b.hosts.length === 0) return ['::'];
    for (const h of b.hosts) hosts.add(h);
  }
  return [...hosts];
}

/** The server instance. */
export class Server {
  readonly lifecycle: Lifecycle = { stopping: false, readiness: new Map() };
  private readonly resources = new Resources();
  private config?: Config;
  private listeners: Listener[] = [];
  private readonly log = root;
  private routers = new Map<number, Router>();

  constructor(private readonly opts: ServerOptions) {}

  /** Builds the config and binds its ports. Throws ConfigError or a bind error. */
  async start(text: string, file: string): Promise<void> {
    this.resources.beginBuild();
    let config: Config;
    try {
      config = await buildConfig(text, file, this.buildOptions());
      for (const fn of config.startup) await fn();
      await this.adopt(config);
    } catch (err) {
      await this.resources.closeAll();
      throw err;
    }
  }

  /** Re-reads a Corefile: on success swaps it in; on failure logs, keeps the old one, and rethrows. */
  async reload(text: string, file: string): Promise<void> {
    const previous = this.resources.snapshotClaims();
    const readinessBefore = new Map(this.lifecycle.readiness);
    this.resources.beginBuild();
    let config: Config;
    try {
      config = await buildConfig(text, file, this.buildOptions());
      for (const fn of config.startup) await fn();
    } catch (err) {
      await this.resources.abandon(previous);
      this.lifecycle.readiness.clear();
      for (const [k, v] of readinessBefore) this.lifecycle.readiness.set(k, v);
      throw err;
    }
    const old = this.config;
    await this.adopt(config);
    if (old) for (const fn of old.shutdown) await Promise.resolve().then(fn).catch(() => {});
    this.opts.onReloaded?.();
  }

  private buildOptions() {
    return {
      defaultPort: this.opts.defaultPort,
      resources: this.resources,
      lifecycle: this.lifecycle,
      env: this.opts.env,
      restart: () => this.restart(),
      lookup: (port: number, name: string, type: number, parent: Request) => {
        const r = this.routers.get(port);
        if (!r) return Promise.reject(new Error(`no server on port ${port}`));
        return r.lookup(name, type, parent);
      },
    };
  }

  /** Re-reads the Corefile (SIGUSR1, the reload plugin) and reloads; failures are logged and rethrown. */
  async restart(): Promise<void> {
    if (!this.opts.readCorefile) throw new Error('no Corefile to re-read');
    const { text, file } = await this.opts.readCorefile();
    await this.reload(text, file);
  }

  private async adopt(config: Config): Promise<void> {
    const wanted = new Map<string, { port: number; host: string }>();
    for (const b of config.blocks) {
      for (const host of hostsFor(config, b.port)) wanted.set(`${host}|${b.port}`, { port: b.port, host });
    }
    const routers = new Map<number, Router>();
    for (const port of new Set(config.blocks.map((b) => b.port))) {
      routers.set(port, new Router(config.blocks.filter((b) => b.port === port), pluginLog('core'), port));
    }
    const next: Listener[] = [];
    const opened: Listener[] = [];
    try {
      for (const [key, { port, host }] of wanted) {
        let l = this.listeners.find((x) => x.key === key);
        if (!l) {
          l = await this.open(key, host, port, routers.get(port)!);
          opened.push(l);
        }
        next.push(l);
      }
    } catch (err) {
      for (const l of opened) await Promise.all([l.udp.close(), l.tcp.close()]);
      throw err;
    }
    // Swap: from here on every new query takes the new chains.
    for (const l of next) {
      const router = routers.get(l.port)!;
      l.udp.serve = router.serve;
      l.udp.fast = router.fast;
      l.tcp.serve = router.serve;
    }
    for (const l of this.listeners) if (!next.includes(l)) await Promise.all([l.udp.close(), l.tcp.close()]);
    this.listeners = next;
    this.config = config;
    this.routers = routers;
    await this.resources.releaseUnclaimed();
  }

  private async open(key: string, host: string, port: number, router: Router): Promise<Listener> {
    const log = pluginLog('core');
    const mk = async (h: string) => {
      const udp = new UdpServer({ host: h, port, reusePort: this.opts.reusePort, log }, router.serve, router.fast);
      await udp.listen();
      const tcp = new TcpServer({ host: h, port: udp.port, reusePort: this.opts.reusePort, log }, router.serve);
      try {
        await tcp.listen();
      } catch (e) {
        await udp.close();
        throw e;
      }
      return { key, port, udp, tcp };
    };
    try {
      return await mk(host);
    } catch (e) {
      // No IPv6 on this host: all interfaces means 0.0.0.0.
      if (host === '::' && (e as NodeJS.ErrnoException).code === 'EAFNOSUPPORT') return mk('0.0.0.0');
      throw e;
    }
  }

  /** CoreDNS's startup lines: one `zone:port` per block. */
  describe(): string {
    return (this.config?.blocks ?? []).map((b) => `${b.zones.join(' ')}:${b.port}\n`).join('');
  }

  /** Ports actually bound (first UDP port per listener; for `-dns.port 0` tests). */
  get boundPorts(): number[] {
    return this.listeners.map((l) => l.udp.port);
  }

  /** Stops: shutdown hooks (lameduck runs there), sockets closed, kept resources released. */
  async stop(afterLameduck?: () => Promise<void>): Promise<void> {
    this.lifecycle.stopping = true;
    const cfg = this.config;
    if (cfg) for (const fn of cfg.finalShutdown) await Promise.resolve().then(fn).catch((err) => this.log.error({ err }, 'shutdown hook failed'));
    await afterLameduck?.();
    if (cfg) for (const fn of cfg.shutdown) await Promise.resolve().then(fn).catch((err) => this.log.error({ err }, 'shutdown hook failed'));
    await Promise.all(this.listeners.map((l) => Promise.all([l.udp.close(), l.tcp.close()])));
    this.listeners = [];
    await this.resources.closeAll();
  }
}
