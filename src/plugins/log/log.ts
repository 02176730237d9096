/** The log handler: one line per query whose name is under a rule's scope and whose reply class it wants. */
import { Rcode } from '../../dns/constants.js';
import { replyTo, type Msg } from '../../dns/message.js';
import { isSubdomain } from '../../dns/name.js';
import { PluginError, type Handler, type Next, type Request } from '../../plugin/handler.js';
import { classify, ResponseClass, typify } from '../../plugin/response.js';
import { render, type FormatNode } from './format.js';

/** One name scope of a `log` line. */
export interface LogRule {
  /** Lower-case FQDN; queries at or below it are logged by this rule. */
  readonly scope: string;
  readonly format: string;
  readonly nodes: readonly FormatNode[];
  /** Classes to log; contains `all` when no `class` line was given. */
  readonly classes: ReadonlySet<ResponseClass>;
}

/** The `log` plugin's handler; `emit` prints a finished line (at INFO, without a plugin prefix). */
export class LogHandler implements Handler {
  readonly name = 'log';

  constructor(private readonly rules: readonly LogRule[], private readonly emit: (line: string) => void) {}

  async serveDNS(req: Request, next: Next): Promise<Msg> {
    // As CoreDNS: the first rule whose scope holds the name decides, even if its class filter then skips.
    const rule = this.rules.find((r) => isSubdomain(req.qname, r.scope));
    if (!rule) return next(req);
    const start = process.hrtime.bigint();
    let reply: Msg;
    try {
      reply = await next(req);
    } catch (err) {
      // Log what the client will get (the errors plugin above turns this into that reply).
      this.write(rule, req, replyTo(req.msg, err instanceof PluginError ? err.rcode : Rcode.SERVFAIL), start);
      throw err;
    }
    this.write(rule, req, reply, start);
    return reply;
  }

  private write(rule: LogRule, req: Request, reply: Msg, start: bigint): void {
    const type = typify(reply);
    const cls = classify(type);
    if (!rule.classes.has(ResponseClass.ALL) && !rule.classes.has(cls)) return;
    this.emit(render(rule.nodes, { req, reply, start, type, class: cls }));
  }
}
