/**
 * How the cache sees a reply: its kind (CoreDNS's response.Typify plus the cache's NODATA rules),
 * whether it may be stored, and for how long. Pure functions over a Msg.
 */
import { Rcode, Type } from '../../dns/constants.js';
import { hasSOA, ResponseType, typify } from '../../plugin/response.js';
import type { Msg, RR } from '../../dns/message.js';
import { lower } from '../../dns/name.js';

/** Reply kinds: CoreDNS's response.Type (src/plugin/response.ts). */
export const Kind = ResponseType;
/** One of Kind. */
export type Kind = ResponseType;

/** CoreDNS's floor TTL for replies without records or of other kinds (s). */
export const MINIMAL_TTL = 5;

/**
 * True when a NOERROR answer holds the queried type at the end of the CNAME chain from the qname
 * (RFC 1034 §3.6.2). A chain with two targets for one owner, or a loop, answers nothing.
 */
export function answersQuestion(msg: Msg): boolean {
  const q = msg.question[0];
  if (!q || msg.rcode !== Rcode.NOERROR || msg.answer.length === 0) return false;
  const classOk = (rr: RR) => q.class === 255 || rr.class === q.class;
  const cnameTarget = (owner: string): string | null | undefined => {
    let target: string | undefined;
    for (const rr of msg.answer) {
      if (rr.type !== Type.CNAME || !classOk(rr) || lower(rr.name) !== owner) continue;
      const t = lower(rr.domain ?? '');
      if (target !== undefined && target !== t) return null; // two canonical names: malformed
      target = t;
    }
    return target;
  };
  let name = lower(q.name);
  if (q.type === Type.ANY) return msg.answer.some((rr) => classOk(rr) && lower(rr.name) === name);
  if (q.type === Type.CNAME) return typeof cnameTarget(name) === 'string' && cnameTarget(name) !== '';
  const seen = new Set<string>();
  // Bounded: each turn visits a new owner, and there are at most answer.length owners.
  for (let i = 0; i <= msg.answer.length; i++) {
    if (seen.has(name)) return false;
    seen.add(name);
    const t = cnameTarget(name);
    if (t === null) return false;
    if (t === undefined) return msg.answer.some((rr) => rr.type === q.type && classOk(rr) && lower(rr.name) === name);
    name = t;
  }
  return false;
}

/** The cache's kind: NOERROR with an SOA but no answer to the question is NODATA (RFC 2308 §2.2). */
export function cacheKind(msg: Msg, nowSec: number): Kind {
  const k = typify(msg, nowSec);
  if (k === Kind.NOERROR && hasSOA(msg) && msg.answer.length > 0 && !answersQuestion(msg)) return Kind.NODATA;
  return k;
}

/** CoreDNS's key() rules: what is never stored. */
export function isCacheable(msg: Msg, kind: Kind): boolean {
  if (msg.tc || msg.question.length !== 1) return false;
  if (kind === Kind.OTHERERROR || kind === Kind.META || kind === Kind.UPDATE) return false;
  // Negative caching needs an SOA for its TTL (RFC 2308 §5).
  if (kind === Kind.NXDOMAIN && !hasSOA(msg)) return false;
  // An SOA-less answer that does not answer (a dangling CNAME chain) is an SOA-less NODATA: not cached.
  if (kind === Kind.NOERROR && !hasSOA(msg) && msg.answer.length > 0 && !answersQuestion(msg)) return false;
  return true;
}

/**
 * Lowest TTL of the reply (s), at most `max` (CoreDNS dnsutil.MinimalTTL). For denials the SOA's
 * MINIMUM also caps it, as RFC 2308 §5 defines the negative TTL.
 */
export function minimalTtl(msg: Msg, kind: Kind, max: number): number {
  if (kind !== Kind.NOERROR && kind !== Kind.NXDOMAIN && kind !== Kind.NODATA) return MINIMAL_TTL;
  if (msg.answer.length + msg.ns.length + msg.extra.length === 0) return MINIMAL_TTL;
  let ttl = max;
  for (const rrs of [msg.answer, msg.ns, msg.extra]) for (const rr of rrs) if (rr.ttl < ttl) ttl = rr.ttl;
  if (kind !== Kind.NOERROR) {
    for (const rr of msg.ns) if (rr.type === Type.SOA && rr.minimum !== undefined && rr.minimum < ttl) ttl = rr.minimum;
  }
  return ttl;
}

/** min(max(ttl, minTtl), maxTtl), as CoreDNS's computeTTL. */
export function clampTtl(ttl: number, minTtl: number, maxTtl: number): number {
  return Math.min(Math.max(ttl, minTtl), maxTtl);
}
