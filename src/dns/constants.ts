/** DNS parameter codes (IANA), named by kind as miekg/dns does: `Type.A`, `Rcode.NXDOMAIN`. */

/** Resource record types we know by name. */
export const Type = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, HINFO: 13, MX: 15, TXT: 16, AAAA: 28, SRV: 33,
  NAPTR: 35, OPT: 41, DS: 43, RRSIG: 46, NSEC: 47, DNSKEY: 48, HTTPS: 65, SVCB: 64,
  IXFR: 251, AXFR: 252, ANY: 255, CAA: 257,
} as const;

/** Classes. */
export const Class = { IN: 1, CH: 3, HS: 4, NONE: 254, ANY: 255 } as const;

/** Response codes; values above 15 travel partly in the OPT TTL (RFC 6891 §6.1.3). */
export const Rcode = {
  NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5,
  YXDOMAIN: 6, YXRRSET: 7, NXRRSET: 8, NOTAUTH: 9, NOTZONE: 10, BADVERS: 16,
} as const;

/** Header opcodes. */
export const Opcode = { QUERY: 0, IQUERY: 1, STATUS: 2, NOTIFY: 4, UPDATE: 5 } as const;

const typeNames = new Map<number, string>(Object.entries(Type).map(([k, v]) => [v, k]));
const typeCodes = new Map<string, number>(Object.entries(Type).map(([k, v]) => [k, v]));
const rcodeNames = new Map<number, string>(Object.entries(Rcode).map(([k, v]) => [v, k]));
const classNames = new Map<number, string>(Object.entries(Class).map(([k, v]) => [v, k]));

/** Presentation name of a type code (RFC 3597 `TYPEnnn` for unknown ones). */
export function typeName(code: number): string {
  return typeNames.get(code) ?? `TYPE${code}`;
}

/** Type code for a presentation name (`A`, `aaaa`, `TYPE65`), or undefined. */
export function typeCode(name: string): number | undefined {
  const up = name.toUpperCase();
  const known = typeCodes.get(up);
  if (known !== undefined) return known;
  const m = /^TYPE(\d{1,5})$/.exec(up);
  return m ? Number(m[1]) : undefined;
}

/** Presentation name of an rcode. */
export function rcodeName(code: number): string {
  return rcodeNames.get(code) ?? `RCODE${code}`;
}

/** Presentation name of a class. */
export function className(code: number): string {
  return classNames.get(code) ?? `CLASS${code}`;
}

/** Largest UDP payload we send (DNS flag day 2020), and the floor for clients (RFC 6891 §6.2.5). */
export const MAX_UDP_SIZE = 1232;
export const MIN_UDP_SIZE = 512;
export const MAX_TCP_SIZE = 65535;
