/**
 * What kind of reply a message is, as CoreDNS's plugin/pkg/response (Typify, Classify) says:
 * the log plugin filters on the class and exposes both as `{/log/class}` and `{/log/type}`.
 */
import { Opcode, Rcode, Type } from '../../dns/constants.js';
import type { Msg } from '../../dns/message.js';

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

/** The type of a reply. CoreDNS also calls a reply with expired RRSIGs an error; we never sign, so we skip that. */
export function typify(m: Msg): ResponseType {
  if (m.opcode === Opcode.UPDATE) return ResponseType.UPDATE;
  if (m.opcode === Opcode.NOTIFY) return ResponseType.META;
  const qtype = m.question[0]?.type;
  if (qtype === Type.AXFR || qtype === Type.IXFR) return ResponseType.META;
  if (m.answer.length > 0 && m.rcode === Rcode.NOERROR) return ResponseType.NOERROR;
  if (m.answer.length > 0 && m.rcode === Rcode.NXDOMAIN) return ResponseType.OTHERERROR;
  const soa = m.ns.some((rr) => rr.type === Type.SOA);
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
