/** Name surgery for autopath: strip the first search domain, and dress a found answer for the original name. */
import { Class, Type } from '../../dns/constants.js';
import type { Msg } from '../../dns/message.js';
import { fqdn, lower, splitLabels } from '../../dns/name.js';

/**
 * `qname` without the last labels that `zone` has, no trailing dot; undefined when nothing would be
 * left (CoreDNS's dnsutil.TrimZone "overshot" error). Label count only: `zone` is known to be a suffix.
 */
export function trimZone(qname: string, zone: string): string | undefined {
  const labels = splitLabels(qname);
  const keep = labels.length - splitLabels(zone).length;
  return keep > 0 ? labels.slice(0, keep).join('.') : undefined;
}

/** `base` + `.` + search element (made an FQDN); the empty element and the root give the bare name. */
export function joinSearch(base: string, element: string): string {
  return element === '' || element === '.' ? `${base}.` : `${base}.${fqdn(element)}`;
}

/**
 * The reply to return for `original` (as the client spelled it): the question put back, and a CNAME
 * from `original` to the owner of the first answer record not already owned by `original`, with
 * that record's TTL (CoreDNS autopath/cname.go). An empty answer gets no CNAME.
 */
export function answerFor(reply: Msg, original: string, question: Msg['question']): Msg {
  const want = lower(original);
  const target = reply.answer.find((rr) => lower(rr.name) !== want);
  const answer = target
    ? [{ name: original, type: Type.CNAME, class: Class.IN, ttl: target.ttl, domain: target.name }, ...reply.answer]
    : reply.answer;
  return { ...reply, question, answer };
}
