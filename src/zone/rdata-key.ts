/** Identity of a record's data, for dropping duplicates when RRsets merge (RFC 2181 §5: an RRset has no duplicates). */
import type { RR } from '../dns/message.js';
import { lower } from '../dns/name.js';

/**
 * A string equal for two records of the same type whose RDATA is the same. Names in RDATA compare
 * case-insensitively (RFC 4343); owner, class and TTL are not part of it.
 */
export function rdataKey(rr: RR): string {
  const parts: Array<string | number | undefined> = [rr.type, rr.address];
  if (rr.domain !== undefined) parts.push(lower(rr.domain));
  if (rr.ns !== undefined) parts.push(lower(rr.ns));
  if (rr.target !== undefined) parts.push(lower(rr.target), rr.priority, rr.weight, rr.port);
  if (rr.exchange !== undefined) parts.push(lower(rr.exchange), rr.priority);
  if (rr.primary !== undefined) parts.push(lower(rr.primary), rr.admin, rr.serial, rr.refresh, rr.retry, rr.expiration, rr.minimum);
  if (rr.strings !== undefined) parts.push(JSON.stringify(rr.strings));
  if (rr.rdata !== undefined) parts.push(Buffer.from(rr.rdata).toString('hex'));
  return parts.join('\u0000');
}
