/**
 * The loadbalance handler: shuffles address and MX records of successful replies (round-robin
 * DNS), then optionally moves addresses from preferred subnets to the front.
 */
import ipaddr from 'ipaddr.js';
import { Rcode, Type } from '../../dns/constants.js';
import type { Msg, RR } from '../../dns/message.js';
import type { Handler, Next, Request } from '../../plugin/handler.js';

/** A parsed `prefer` CIDR. */
export type Subnet = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Fisher-Yates, in place. */
function shuffle<T>(a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

const isAddress = (rr: RR): boolean => rr.type === Type.A || rr.type === Type.AAAA;

/**
 * A shuffled copy of one section: CNAMEs first (glibc's stub resolver wants them before the
 * addresses they lead to), then other records in their order, then shuffled A/AAAA, then shuffled MX.
 */
export function roundRobin(rrs: readonly RR[]): RR[] {
  if (rrs.length <= 1) return rrs as RR[];
  const cname: RR[] = [], rest: RR[] = [], address: RR[] = [], mx: RR[] = [];
  for (const rr of rrs) {
    if (rr.type === Type.CNAME) cname.push(rr);
    else if (isAddress(rr)) address.push(rr);
    else if (rr.type === Type.MX) mx.push(rr);
    else rest.push(rr);
  }
  return [...cname, ...rest, ...shuffle(address), ...shuffle(mx)];
}

function inSubnet(rr: RR, subnet: Subnet): boolean {
  if (!isAddress(rr) || !rr.address || !ipaddr.isValid(rr.address)) return false;
  const ip = ipaddr.process(rr.address);
  return ip.kind() === subnet[0].kind() && ip.match(subnet);
}

/** A copy of one section with addresses of the first matching subnet first, then the next subnet's... */
export function preferSubnets(rrs: readonly RR[], subnets: readonly Subnet[]): RR[] {
  const cname: RR[] = [], address: RR[] = [], mx: RR[] = [], rest: RR[] = [];
  for (const rr of rrs) {
    if (rr.type === Type.CNAME) cname.push(rr);
    else if (isAddress(rr)) address.push(rr);
    else if (rr.type === Type.MX) mx.push(rr);
    else rest.push(rr);
  }
  const taken = new Set<RR>();
  const matched: RR[] = [];
  for (const subnet of subnets) {
    for (const rr of address) {
      if (!taken.has(rr) && inSubnet(rr, subnet)) {
        taken.add(rr);
        matched.push(rr);
      }
    }
  }
  return [...cname, ...matched, ...address.filter((rr) => !taken.has(rr)), ...mx, ...rest];
}

/** The `loadbalance` plugin's handler. */
export class LoadBalanceHandler implements Handler {
  readonly name = 'loadbalance';

  constructor(private readonly prefer: readonly Subnet[] = []) {}

  /** Wire cache: a reply passes through untouched when there is nothing to shuffle (see cacheable). */
  transparent(): boolean {
    return true;
  }

  /** Wire cache: a reply with several records to shuffle must go through the shuffle each time. */
  cacheable(reply: Msg): boolean {
    let address = 0;
    for (const rr of reply.answer) if (rr.type === Type.A || rr.type === Type.AAAA || rr.type === Type.MX) address++;
    for (const rr of reply.extra) if (rr.type === Type.A || rr.type === Type.AAAA) address++;
    return address <= 1 && this.prefer.length === 0;
  }

  async serveDNS(req: Request, next: Next): Promise<Msg> {
    const reply = await next(req);
    if (reply.rcode !== Rcode.NOERROR || req.qtype === Type.AXFR || req.qtype === Type.IXFR) return reply;
    // A copy: the reply may be shared (a cache entry), its record order must not change under it.
    const out: Msg = { ...reply, answer: roundRobin(reply.answer), ns: roundRobin(reply.ns), extra: roundRobin(reply.extra) };
    if (this.prefer.length > 0) {
      out.answer = preferSubnets(out.answer, this.prefer);
      out.extra = preferSubnets(out.extra, this.prefer);
    }
    return out;
  }
}
