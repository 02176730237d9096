/** The rewrite handler: rewrites the question on the way in, and the reply on the way out. */
import type { Msg } from '../../dns/message.js';
import { lower, wireLength } from '../../dns/name.js';
import { PluginError, type Handler, type Next, type Request } from '../../plugin/handler.js';
import { revert, type ResponseRule } from './response.js';
import type { QuestionState, Rule } from './rule.js';

/** The `rewrite` plugin's handler: all rewrite lines of a server block, in written order. */
export class RewriteHandler implements Handler {
  readonly name = 'rewrite';

  constructor(private readonly rules: readonly Rule[]) {}

  async serveDNS(req: Request, next: Next): Promise<Msg> {
    const q: QuestionState = { name: req.name, type: req.qtype, class: req.qclass };
    const responses: ResponseRule[] = [];
    let matched = false;
    for (const rule of this.rules) {
      const got = rule.apply(q);
      if (!got) continue;
      matched = true;
      if (wireLength(q.name) < 0) throw new PluginError(this.name, `invalid name after rewrite: ${q.name}`);
      responses.push(...got);
      if (rule.mode === 'stop') break;
    }
    if (!matched) return next(req);
    const inner = this.rewritten(req, q);
    const reply = await next(inner);
    if (inner !== req) {
      // Hand back what the plugins below recorded on their copy of the request.
      if (inner.responder !== undefined) req.responder = inner.responder;
      if (req.meta === undefined && inner.meta !== undefined) req.meta = inner.meta;
    }
    // Unlike CoreDNS, the question is restored even when only `continue` rules without response
    // rules matched: a client drops a reply whose question is not its own.
    return revert(reply, req.msg.question, responses);
  }

  /** The request the rest of the chain sees (the same object when the question did not change). */
  private rewritten(req: Request, q: QuestionState): Request {
    if (q.name === req.name && q.type === req.qtype && q.class === req.qclass) return req;
    const msg: Msg = { ...req.msg, question: [{ name: q.name, type: q.type, class: q.class }] };
    return { ...req, msg, name: q.name, qname: lower(q.name), qtype: q.type, qclass: q.class };
  }
}
