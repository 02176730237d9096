/**
 * Names relative to an origin, as in a zone file after `$ORIGIN`: `web.shop.svc` is relative,
 * `example.org.` (trailing dot) is absolute, `` is the origin itself. One Zone of relative names
 * then serves every origin it is mounted at (`cluster.local.`, `example.com.`), and a reply can
 * spell the origin the way the client did.
 */
import type { RR } from '../dns/message.js';

/** `qname` relative to `origin` (both lower-case FQDNs, qname at or below origin). */
export function relativeTo(qname: string, origin: string): string {
  if (origin === '.') return qname === '.' ? '' : qname.slice(0, -1);
  if (qname.length === origin.length) return '';
  return qname.slice(0, qname.length - origin.length - 1);
}

/** Makes `name` absolute under `origin`; absolute names (trailing dot) are returned as they are. */
export function absolute(name: string, origin: string): string {
  if (name.endsWith('.') && !name.endsWith('\\.')) return name;
  if (name === '') return origin;
  return origin === '.' ? `${name}.` : `${name}.${origin}`;
}

/** A copy of `rr` with owner `owner` and its RDATA names made absolute under `origin`. */
export function place(rr: RR, owner: string, origin: string): RR {
  const out: RR = { ...rr, name: owner };
  if (rr.target !== undefined) out.target = absolute(rr.target, origin);
  if (rr.domain !== undefined) out.domain = absolute(rr.domain, origin);
  if (rr.ns !== undefined) out.ns = absolute(rr.ns, origin);
  return out;
}

/** Answer records owned by `owner` (the query name as spelled), RDATA names placed under `origin`. */
export function placeAnswer(rrs: readonly RR[], owner: string, origin: string): RR[] {
  const out = new Array<RR>(rrs.length);
  for (let i = 0; i < rrs.length; i++) out[i] = place(rrs[i]!, owner, origin);
  return out;
}

/** Additional records: each keeps its own (relative) owner, placed under `origin`. */
export function placeExtra(rrs: readonly RR[], origin: string): RR[] {
  const out = new Array<RR>(rrs.length);
  for (let i = 0; i < rrs.length; i++) out[i] = place(rrs[i]!, absolute(rrs[i]!.name, origin), origin);
  return out;
}
