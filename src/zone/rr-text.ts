/** Zone-file (presentation) text of a record: `web.shop.svc.cluster.local. 30 IN A 10.96.1.1`. */
import { className, Type, typeName } from '../dns/constants.js';
import type { RR } from '../dns/message.js';

/** RDATA in presentation form (RFC 1035 §5.1; TXT strings quoted). */
export function rdataText(rr: RR): string {
  switch (rr.type) {
    case Type.A:
    case Type.AAAA:
      return rr.address ?? '';
    case Type.CNAME:
    case Type.PTR:
      return rr.domain ?? '';
    case Type.NS:
      return rr.ns ?? '';
    case Type.SRV:
      return `${rr.priority} ${rr.weight} ${rr.port} ${rr.target}`;
    case Type.MX:
      return `${rr.priority} ${rr.exchange}`;
    case Type.SOA:
      return `${rr.primary} ${rr.admin} ${rr.serial} ${rr.refresh} ${rr.retry} ${rr.expiration} ${rr.minimum}`;
    case Type.TXT:
      return (rr.strings ?? []).map((s) => `"${s.replace(/["\\]/g, '\\$&')}"`).join(' ');
    default:
      return rr.rdata ? `\\# ${rr.rdata.length} ${Buffer.from(rr.rdata).toString('hex')}` : '';
  }
}

/** One record as a zone-file line. */
export function rrText(rr: RR): string {
  return `${rr.name} ${rr.ttl} ${className(rr.class)} ${typeName(rr.type)} ${rdataText(rr)}`;
}
