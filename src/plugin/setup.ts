/** What a plugin gets at setup time, and what it registers. */
import type { Directive, ServerBlock } from '../corefile/types.js';
import type { Handler } from './handler.js';
import type { Logger } from '../core/log.js';

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
  /** Called when the instance stops (shutdown or reload); awaited. */
  onShutdown(fn: () => void | Promise<void>): void;
  /** State shared by all blocks of one instance (one health server per address, ...). */
  readonly shared: Map<string, unknown>;
  /** State kept across reloads (informers that need not restart, ...); keyed by plugin. */
  readonly persistent: Map<string, unknown>;
  /** Handlers of this block set up so far, by plugin name (setup runs in plugin order). */
  readonly handlers: ReadonlyMap<string, Handler>;
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
