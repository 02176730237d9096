/** The prometheus handler: times each query and records it with CoreDNS's labels once the chain answers. */
import { Rcode } from '../../dns/constants.js';
import type { Msg } from '../../dns/message.js';
import { PluginError, type Handler, type HitInfo, type Next, type Request } from '../../plugin/handler.js';
import type { HttpListener } from '../../plugin/http-listener.js';
import type { DnsReporter } from './dns-metrics.js';
import { messageSize } from './wire-size.js';

/** Records every query of one server block. */
export class Prometheus implements Handler {
  readonly name = 'prometheus';

  constructor(
    private readonly reporter: DnsReporter,
    /** The metrics listener this block serves on (shared with other blocks naming the address). */
    readonly listener?: HttpListener,
  ) {}

  /** Wire cache: counting is done in fastHit. */
  transparent(): boolean {
    return true;
  }

  /** Wire cache: counts a replayed reply exactly as one that went through the chain. */
  fastHit(hit: HitInfo, rcode: number, responder: string, replyBytes: number): void {
    this.reporter.count(hit.zone, hit.proto, hit.family, hit.qtype, hit.do, rcode, responder, hit.requestBytes, replyBytes, hit.seconds);
  }

  async serveDNS(req: Request, next: Next): Promise<Msg> {
    const start = performance.now();
    // Taken before the chain runs: CoreDNS reports the request's size before any rewrite.
    const requestBytes = messageSize(req.msg);
    let reply: Msg;
    try {
      reply = await next(req);
    } catch (err) {
      // Nothing was written by a plugin: the server answers, so plugin is '' and the size 0, as in CoreDNS.
      const rcode = err instanceof PluginError ? err.rcode : Rcode.SERVFAIL;
      this.record(req, rcode, '', requestBytes, 0, start);
      throw err;
    }
    this.record(req, reply.rcode, req.responder ?? '', requestBytes, messageSize(reply), start);
    return reply;
  }

  private record(req: Request, rcode: number, plugin: string, requestBytes: number, responseBytes: number, start: number): void {
    this.reporter.count(req.zone, req.proto, req.family, req.qtype, req.do, rcode, plugin, requestBytes, responseBytes, (performance.now() - start) / 1000);
  }
}
