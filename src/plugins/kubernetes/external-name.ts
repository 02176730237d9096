/**
 * An ExternalName answer to an A/AAAA query: the CNAME plus its target's records, as CoreDNS's
 * plugin/backend_lookup.go A()/AAAA() build it. A target inside the zone is looked up here
 * (CNAME dropped when that finds nothing: a CoreDNS quirk kept on purpose); any other target goes
 * through the whole server again (CoreDNS's upstream.Lookup), and its answer is appended as is.
 */
import { Class, Type } from '../../dns/constants.js';
import type { Msg, RR } from '../../dns/message.js';
import { isSubdomain, lower } from '../../dns/name.js';

/** Records, the TC flag of an upstream answer they came from, and whether one was asked. */
export interface Answer {
  records: RR[];
  tc: boolean;
  /** True when the answer depends on a lookup outside our data (it must not be wire-cached). */
  upstream?: boolean;
}

/** What following a CNAME needs. */
export interface ChaseContext {
  /** The zone the query matched (lower-case FQDN). */
  readonly zone: string;
  readonly ttl: number;
  /** Address records of an in-zone name, owned by `owner` (as spelled); undefined when it does not exist. */
  inZone(owner: string, qtype: number, previous: RR[]): Promise<Answer | undefined>;
  /** Resolves an out-of-zone name through the server; undefined when there is no resolver. Throws on failure. */
  upstream(name: string, qtype: number): Promise<Msg | undefined>;
}

/** CoreDNS's maxCnameChainLength. */
const MAX_CHAIN = 10;

/** Follows `owner CNAME target` for `qtype`. `previous` holds the CNAMEs already in the chain. */
export async function followCname(owner: string, target: string, qtype: number, previous: RR[], c: ChaseContext): Promise<Answer> {
  const none: Answer = { records: [], tc: false };
  const t = lower(target);
  // x CNAME x (or a name below x) is a loop.
  if (isSubdomain(t, lower(owner))) return none;
  if (previous.length > MAX_CHAIN) return none;
  if (previous.some((r) => r.type === Type.CNAME && r.domain === target)) return none;
  const cname: RR = { name: owner, type: Type.CNAME, class: Class.IN, ttl: c.ttl, domain: target };
  if (isSubdomain(t, c.zone)) {
    const next = await c.inZone(target, qtype, [...previous, cname]);
    const upstream = next?.upstream ?? false;
    if (!next || next.records.length === 0) return { records: [], tc: next?.tc ?? false, upstream };
    return { records: [cname, ...next.records], tc: next.tc, upstream };
  }
  let m: Msg | undefined;
  try {
    m = await c.upstream(target, qtype);
  } catch {
    return { ...none, upstream: true };
  }
  if (m === undefined) return { records: [cname], tc: false };
  return { records: [cname, ...m.answer], tc: m.tc, upstream: true };
}
