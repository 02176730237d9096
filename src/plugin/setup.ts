/** What a plugin gets at setup time, and what it registers. */
import type { Directive, ServerBlock } from '../corefile/types.js';
import type { Handler, Request } from './handler.js';
import type { Msg } from '../dns/message.js';
import type { Logger } from '../core/log.js';
import type { ClusterSource } from '../kube/source.js';

/** Per server block, per instance: the context passed to each plugin's setup. */
export interface SetupContext {
  /** The server block being set up. */
  readonly block: ServerBlock;
  /** The block's zones, lower-case FQDNs (`.`, `cluster.local.`). */
  readonly zones: readonly string[];
  /** The block's port. */
  readonly port: number;
  /** CoreDNS's `server` metric label for this block (`dns://:53`). */
  readonly server: string;
  /** Logger for a plugin: lines read `[INFO] plugin/NAME: ...`. */
  log(plugin: string): Logger;
  /** Called after all blocks are set up and before sockets open; awaited. */
  onStartup(fn: () => void | Promise<void>): void;
  /** Called when this config is replaced (reload) or the process stops; awaited. */
  onShutdown(fn: () => void | Promise<void>): void;
  /** Called only when the process stops, before sockets close (health's lameduck waits here). */
  onFinalShutdown(fn: () => void | Promise<void>): void;
  /** The Corefile this config came from (the reload plugin hashes it). */
  readonly corefile: { path: string; text: string };
  /** Re-reads the Corefile and reloads the instance (the reload plugin calls it). Rejects when the new config fails. */
  restart(): Promise<void>;
  /** State shared by all blocks of one instance (one health server per address, ...). */
  readonly shared: Map<string, unknown>;
  /**
   * A resource that outlives reloads (a listener, informers): returns the one made under `key` by an
   * earlier config, else `create()`s it. After a reload, resources the new config did not `keep` are
   * closed; all are closed when the process stops.
   */
  keep<T extends Closable>(key: string, create: () => T): T;
  /** Sets the addresses this block listens on (the `bind` directive); default: all interfaces. */
  bind(hosts: string[]): void;
  /** The addresses set by `bind` so far (bind is set up first); empty = all interfaces. */
  readonly listenHosts: readonly string[];
  /** Marks this instance as stopping (lameduck): readiness turns false at once. */
  readonly lifecycle: Lifecycle;
  /**
   * 'primary' in the main thread; 'secondary' in extra `-workers` threads, which serve DNS but run
   * no side servers (health, ready, metrics HTTP) and no reload timer: the primary does that for all.
   */
  readonly role: 'primary' | 'secondary';
  /**
   * One cluster source per process: in the primary `keep`s `create()` under `key`; in a worker
   * returns a view fed by the primary's source with the same key (no watches of its own).
   */
  shareSource(key: string, create: () => ClusterSource): ClusterSource;
  /**
   * Resolves a name through this server's whole chain, as a new query from the same client
   * (CoreDNS's upstream.Lookup; the kubernetes plugin uses it for ExternalName targets).
   */
  lookup(name: string, type: number, parent: Request): Promise<Msg>;
  /** Handlers of this block set up so far, by plugin name (setup runs in plugin order). */
  readonly handlers: ReadonlyMap<string, Handler>;
}

/** Process-wide lifecycle flags. */
export interface Lifecycle {
  /** True once SIGTERM/SIGINT was received (ready answers 503 from then on). */
  stopping: boolean;
  /** Readiness checks of every block of the current config (plugin name -> checks). */
  readonly readiness: Map<string, Array<() => boolean>>;
}

/** Something `keep` can close. */
export interface Closable {
  close(): void | Promise<void>;
}

/** A plugin: the directive it owns and how to set it up from its Corefile lines. */
export interface Plugin {
  readonly name: string;
  /**
   * Parses and builds the plugin for one server block. `directives` are all lines of this
   * directive in the block (most plugins allow one; `rewrite`, `hosts`... may repeat).
   * Returns a handler to join the chain, or undefined for side servers (health, ready, reload).
   * Throws ConfigError for bad configuration.
   */
  setup(directives: Directive[], ctx: SetupContext): Handler | undefined | Promise<Handler | undefined>;
}
