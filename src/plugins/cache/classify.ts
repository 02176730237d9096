/**
 * How the cache sees a reply: its kind (CoreDNS's response.Typify plus the cache's NODATA rules),
 * whether it may be stored, and for how long. Pure functions over a Msg.
 */
import { Opcode, Rcode, Type } from '../../dns/constants.js';
import type { Msg, RR } from '../../dns/message.js';
import { lower } from '../../dns/name.js';

/** Reply kinds, as CoreDNS's response.Type. */
export const Kind = {
  NOERROR: 'NOERROR', NXDOMAIN: 'NXDOMAIN', SERVERERROR: 'SERVERERROR', NODATA: 'NODATA',
  DELEGATION: 'DELEGATION', META: 'META', UPDATE: 'UPDATE', OTHERERROR: 'OTHERERROR',
} as const;
/** One of Kind. */
export type Kind = (typeof Kind)[keyof typeof Kind];

/** CoreDNS's floor TTL for replies without records or of other kinds (s). */
export const MINIMAL_TTL = 5;

const YEAR68 = 2 ** 31;

/** RFC 4034 §3.1.5 validity with RFC 1982 serial arithmetic, as miekg/dns ValidityPeriod. */
function rrsigValid(rr: RR, nowSec: number): boolean {
  const d = rr.rdata;
  if (!d || d.length < 16) return true;
  const view = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const expiration = view.getUint32(8);
  const inception = view.getUint32(12);
  const ti = inception + Math.trunc((inception - nowSec) / YEAR68) * YEAR68;
  const te = expiration + Math.trunc((expiration - nowSec) / YEAR68) * YEAR68;
  return ti <= nowSec && nowSec <= te;
}

function hasExpiredSig(msg: Msg, nowSec: number): boolean {
  for (const rrs of [msg.answer, msg.ns, msg.extra]) {
    for (const rr of rrs) if (rr.type === Type.RRSIG && !rrsigValid(rr, nowSec)) return true;
  }
  return false;
}

/** True when the authority section carries an SOA. */
export function hasSOA(msg: Msg): boolean {
  return msg.ns.some((rr) => rr.type === Type.SOA);
}

/** CoreDNS's response.Typify. */
export function typify(msg: Msg, nowSec: number): Kind {
  if (msg.opcode === Opcode.UPDATE) return Kind.UPDATE;
  if (msg.opcode === Opcode.NOTIFY) return Kind.META;
  const qtype = msg.question[0]?.type;
  if (qtype === Type.AXFR || qtype === Type.IXFR) return Kind.META;
  if (msg.opt?.do && hasExpiredSig(msg, nowSec)) return Kind.OTHERERROR;
  if (msg.answer.length > 0 && msg.rcode === Rcode.NOERROR) return Kind.NOERROR;
  if (msg.answer.length > 0 && msg.rcode === Rcode.NXDOMAIN) return Kind.OTHERERROR;
  const soa = hasSOA(msg);
  const ns = msg.ns.some((rr) => rr.type === Type.NS);
  if (soa && msg.rcode === Rcode.NOERROR) return Kind.NODATA;
  if (msg.rcode === Rcode.NXDOMAIN) return Kind.NXDOMAIN;
  if (msg.rcode === Rcode.SERVFAIL || msg.rcode === Rcode.NOTIMP) return Kind.SERVERERROR;
  if (ns && msg.rcode === Rcode.NOERROR) return Kind.DELEGATION;
  if (msg.rcode === Rcode.NOERROR) return Kind.NOERROR;
  return Kind.OTHERERROR;
}

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
