/** The errors handler: turns an exception thrown below it into a logged line and an error reply. */
import { Rcode, typeName } from '../../dns/constants.js';
import { replyTo, type Msg } from '../../dns/message.js';
import { PluginError, type Handler, type Next, type Request } from '../../plugin/handler.js';
import { coreHooks } from '../../core/router.js';
import { Consolidator, type Emit, type PatternConfig } from './consolidate.js';

/** The parsed `errors` block. */
export interface ErrorsConfig {
  readonly stacktrace: boolean;
  readonly patterns: readonly PatternConfig[];
}

/** The `errors` plugin's handler. */
export class ErrorsHandler implements Handler {
  readonly name = 'errors';
  private readonly consolidators: Consolidator[];

  constructor(private readonly config: ErrorsConfig, private readonly emit: Emit) {
    this.consolidators = config.patterns.map((p) => new Consolidator(p, emit));
  }

  /** Wire cache: a replayed reply raised nothing to log. */
  transparent(): boolean {
    return true;
  }

  async serveDNS(req: Request, next: Next): Promise<Msg> {
    try {
      return await next(req);
    } catch (err) {
      return this.fail(req, err);
    }
  }

  /** Flushes pending summaries; called on shutdown and reload. */
  stop(): void {
    for (const c of this.consolidators) c.stop();
  }

  private fail(req: Request, err: unknown): Msg {
    const planned = err instanceof PluginError;
    // Anything but a PluginError is a bug below us: what CoreDNS calls a panic (counted apart).
    if (!planned) coreHooks.onPanic(err);
    const rcode = planned ? err.rcode : Rcode.SERVFAIL;
    const message = err instanceof Error ? err.message : String(err);
    let level: Parameters<Emit>[0] = 'error';
    const hit = this.consolidators.find((c) => c.matches(message));
    if (hit) {
      if (!hit.record()) return replyTo(req.msg, rcode);
      level = hit.config.level;
    }
    this.emit(level, `${rcode} ${req.qname} ${typeName(req.qtype)}: ${message}`);
    if (!planned && this.config.stacktrace && err instanceof Error && err.stack) this.emit('error', err.stack);
    return replyTo(req.msg, rcode);
  }
}
