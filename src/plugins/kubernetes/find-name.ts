/**
 * Name -> zone node, with the forms CoreDNS's parser accepts beyond the stored spelling: pod names
 * (computed), and `http.tcp.svc.ns.svc` for `_http._tcp.svc.ns.svc` (it strips one leading
 * underscore from port and protocol, and does not require it). Reverse names only have the apex,
 * `svc` and `pod` (CoreDNS parses them, then refuses reverse names for services).
 */
import { splitLabels } from '../../dns/name.js';
import type { NameSet, ZoneNode } from '../../zone/zone.js';
import { podNode, type PodLookup } from './pod-records.js';

/** True for a name under in-addr.arpa. or ip6.arpa. */
export function isReverseName(qname: string): boolean {
  return qname.endsWith('.in-addr.arpa.') || qname.endsWith('.ip6.arpa.');
}

const stripUnderscore = (s: string): string => (s.startsWith('_') ? s.slice(1) : s);

/** The node for `rel` (relative to the matched zone) of `qname`, or undefined when the name does not exist. */
export function findName(forward: NameSet, rel: string, qname: string, pods: PodLookup): ZoneNode | undefined {
  if (isReverseName(qname)) return rel === '' || rel === 'svc' || rel === 'pod' ? forward.node(rel) : undefined;
  const node = forward.node(rel);
  if (node) return node;
  const labels = splitLabels(rel);
  const last = labels[labels.length - 1];
  if (last === 'pod') return podNode(labels, pods);
  if (labels.length === 5 && last === 'svc') {
    const port = stripUnderscore(labels[0]!);
    const proto = stripUnderscore(labels[1]!);
    if (!port || !proto) return undefined;
    const canonical = [`_${port}`, `_${proto}`, ...labels.slice(2)].join('.');
    return canonical === rel ? undefined : forward.node(canonical);
  }
  return undefined;
}
