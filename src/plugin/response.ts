/**
 * What kind of reply a message is, as CoreDNS's plugin/pkg/response (Typify, Classify) says.
 * Shared as in CoreDNS: `log` filters on the class (`{/log/class}`, `{/log/type}`), `cache` decides
 * what to keep from the type.
 */
import { Opcode, Rcode, Type } from '../dns/constants.js';
import type { Msg, RR } from '../dns/message.js';

/** Reply types (Typify), named as CoreDNS prints them. */
export const ResponseType = {
  NOERROR: 'NOERROR', NXDOMAIN: 'NXDOMAIN', SERVERERROR: 'SERVERERROR', NODATA: 'NODATA',
  DELEGATION: 'DELEGATION', META: 'META', UPDATE: 'UPDATE', OTHERERROR: 'OTHERERROR',
} as const;
/** One reply type. */
export type ResponseType = (typeof ResponseType)[keyof typeof ResponseType];

/** Reply classes (Classify); `all` only appears in filters. */
export const ResponseClass = { ALL: 'all', SUCCESS: 'success', DENIAL: 'denial', ERROR: 'error' } as const;
/** One reply class. */
export type ResponseClass = (typeof ResponseClass)[keyof typeof ResponseClass];

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

/**
 * The type of a reply (CoreDNS's response.Typify). With `nowSec`, a DO reply carrying an expired
 * RRSIG is OTHERERROR, as in CoreDNS; without it (the log plugin: we never sign) that check is skipped.
 */
export function typify(m: Msg, nowSec?: number): ResponseType {
  if (m.opcode === Opcode.UPDATE) return ResponseType.UPDATE;
  if (m.opcode === Opcode.NOTIFY) return ResponseType.META;
  const qtype = m.question[0]?.type;
  if (qtype === Type.AXFR || qtype === Type.IXFR) return ResponseType.META;
  if (nowSec !== undefined && m.opt?.do && hasExpiredSig(m, nowSec)) return ResponseType.OTHERERROR;
  if (m.answer.length > 0 && m.rcode === Rcode.NOERROR) return ResponseType.NOERROR;
  if (m.answer.length > 0 && m.rcode === Rcode.NXDOMAIN) return ResponseType.OTHERERROR;
  const soa = hasSOA(m);
  const ns = m.ns.some((rr) => rr.type === Type.NS);
  if (soa && m.rcode === Rcode.NOERROR) return ResponseType.NODATA;
  if (m.rcode === Rcode.NXDOMAIN) return ResponseType.NXDOMAIN;
  if (m.rcode === Rcode.SERVFAIL || m.rcode === Rcode.NOTIMP) return ResponseType.SERVERERROR;
  if (ns && m.rcode === Rcode.NOERROR) return ResponseType.DELEGATION;
  if (m.rcode === Rcode.NOERROR) return ResponseType.NOERROR;
  return ResponseType.OTHERERROR;
}

/** The class of a reply type: success, denial (NXDOMAIN or NODATA) or error (everything else). */
export function classify(t: ResponseType): ResponseClass {
  switch (t) {
    case ResponseType.NOERROR:
    case ResponseType.DELEGATION:
      return ResponseClass.SUCCESS;
    case ResponseType.NXDOMAIN:
    case ResponseType.NODATA:
      return ResponseClass.DENIAL;
    default:
      return ResponseClass.ERROR;
  }
}

/** The class named `s` in a `class` line, or undefined. */
export function classFromString(s: string): ResponseClass | undefined {
  return (Object.values(ResponseClass) as string[]).includes(s) ? (s as ResponseClass) : undefined;
}
