/** The hosts handler: A, AAAA and PTR answers from a hosts file and inline lines. */
import { Rcode, Type } from '../../dns/constants.js';
import { replyTo, type Msg, type RR } from '../../dns/message.js';
import { addressFromReverse, fqdn, matchZone } from '../../dns/name.js';
import type { Handler, Next, Request } from '../../plugin/handler.js';
import type { Fallthrough } from '../../plugin/zones.js';
import type { HostsSource } from './hosts-source.js';

/** How one `hosts` line answers. */
export interface HostsConfig {
  readonly zones: readonly string[];
  readonly ttl: number;
  readonly fall: Fallthrough;
  /** `fallthrough_unsupported`: other types for a known name go to the next plugin too. */
  readonly fallUnsupported: boolean;
}

/** The `hosts` plugin's handler. */
export class HostsHandler implements Handler {
  readonly name = 'hosts';

  constructor(private readonly config: HostsConfig, private readonly source: HostsSource) {}

  async serveDNS(req: Request, next: Next): Promise<Msg> {
    const { qname, qtype } = req;
    const { ttl, fall } = this.config;
    // PTR queries are served whatever the zones: reverse zones need not be listed.
    if (qtype !== Type.PTR && matchZone(qname, this.config.zones) === undefined) return next(req);
    let answer: RR[] = [];
    switch (qtype) {
      case Type.PTR: {
        const ip = addressFromReverse(qname);
        const names = ip === undefined ? [] : this.source.lookupAddr(ip);
        // Unknown addresses always go on, fallthrough or not (as CoreDNS).
        if (names.length === 0) return next(req);
        answer = names.map((n) => ({ name: req.name, type: Type.PTR, class: 1, ttl, domain: fqdn(n) }));
        break;
      }
      case Type.A:
      case Type.AAAA: {
        const family = qtype === Type.A ? 1 : 2;
        answer = this.source.lookup(qname, family).map((address) => ({ name: req.name, type: qtype, class: 1, ttl, address }));
        break;
      }
      default:
        if (this.config.fallUnsupported && fall.through(qname)) return next(req);
    }
    if (answer.length === 0 && !this.known(qname)) {
      if (fall.through(qname)) return next(req);
      // No SOA to build an NXDOMAIN from: CoreDNS answers SERVFAIL here (written by its server,
      // so no responder is recorded).
      return replyTo(req.msg, Rcode.SERVFAIL);
    }
    // An answer, or NODATA for a name we know under another type.
    const reply = replyTo(req.msg, Rcode.NOERROR);
    reply.aa = true;
    reply.answer = answer;
    req.responder = this.name;
    return reply;
  }

  private known(qname: string): boolean {
    return this.source.lookup(qname, 1).length > 0 || this.source.lookup(qname, 2).length > 0;
  }
}
