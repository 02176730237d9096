/**
 * Server-side search path completion (CoreDNS plugin/autopath). A query whose name lies in the
 * client's first search domain is retried with each search element in turn; the first reply that
 * is not NXDOMAIN is returned under the original name with a CNAME to where it was found. When all
 * are NXDOMAIN the first reply is returned and the client walks its search path itself.
 */
import { Rcode } from '../../dns/constants.js';
import type { Msg } from '../../dns/message.js';
import { fqdn, isSubdomain, lower, matchZone } from '../../dns/name.js';
import { PluginError, type Handler, type Next, type Request } from '../../plugin/handler.js';
import { answerFor, joinSearch, trimZone } from './cname.js';

/**
 * A plugin that knows a client's search path (kubernetes): its elements in order, ending with the
 * empty string for the bare name; null when no autopath should be done for this query.
 */
export interface AutoPather {
  autoPath(req: Request): readonly string[] | null;
}

/** True when `h` offers a search path. */
export function isAutoPather(h: unknown): h is AutoPather {
  return typeof (h as Partial<AutoPather> | null)?.autoPath === 'function';
}

/** Where the search path comes from: a fixed list (resolv.conf) or a function (a plugin). */
export type SearchSource = { search: readonly string[] } | { resolve: () => ((req: Request) => readonly string[] | null) | null };

/** The autopath handler of one server block. */
export class AutoPath implements Handler {
  readonly name = 'autopath';
  private searchFunc: ((req: Request) => readonly string[] | null) | null | undefined;

  constructor(
    private readonly zones: readonly string[],
    private readonly source: SearchSource,
    private readonly onSuccess: () => void,
  ) {}

  /** Looks the search-path plugin up (done at startup, or at the first query). */
  resolve(): void {
    if ('resolve' in this.source) this.searchFunc = this.source.resolve();
  }

  private searchPath(req: Request): readonly string[] | null {
    if ('search' in this.source) return this.source.search;
    if (this.searchFunc === undefined) this.resolve();
    return this.searchFunc ? this.searchFunc(req) : null;
  }

  async serveDNS(req: Request, next: Next): Promise<Msg> {
    if (!matchZone(req.qname, this.zones)) return next(req);
    const search = this.searchPath(req);
    if (!search || search.length === 0) return next(req);
    const first = lower(fqdn(search[0]!));
    if (!isSubdomain(req.qname, first)) return next(req);

    const base = trimZone(req.name, first);
    // CoreDNS fails the query itself for the search domain's own name (TrimZone overshoots); we copy that.
    if (base === undefined) throw new PluginError(this.name, `trimzone: overshot qname: ${req.name} for zone ${first}`);

    const q = req.msg.question[0]!;
    let firstReply: Msg | undefined;
    for (let i = 0; i < search.length; i++) {
      const name = joinSearch(base, search[i]!);
      const sub: Request = {
        ...req,
        msg: { ...req.msg, question: [{ name, type: q.type, class: q.class }] },
        qname: lower(name),
        name,
        responder: undefined,
      };
      const reply = await next(sub);
      if (i === 0) firstReply = reply;
      if (reply.rcode === Rcode.NXDOMAIN) continue;
      this.onSuccess();
      req.responder = this.name;
      return answerFor(reply, req.name, req.msg.question);
    }
    req.responder = this.name;
    // CoreDNS returns the first reply as-is; we also put back the question as the client spelled it.
    return { ...firstReply!, question: req.msg.question };
  }
}
