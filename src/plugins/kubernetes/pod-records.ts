/**
 * `<dashed-ip>.<namespace>.pod.<zone>` answers, computed per query (`pods insecure` answers any
 * IP, so there is nothing to precompute). As CoreDNS's findPods: the namespace must be exposed,
 * `verified` wants a pod in that namespace whose podIP is exactly that text, and up to two more
 * labels in front are ignored (its parser reads them as endpoint or port/protocol).
 */
import { Class, Type } from '../../dns/constants.js';
import type { RR } from '../../dns/message.js';
import type { ZoneNode } from '../../zone/zone.js';
import { addressRecord, ipFromDashed } from './addresses.js';
import type { PodMode } from './options.js';

/** What pod answers consult. */
export interface PodLookup {
  readonly mode: PodMode;
  readonly ttl: number;
  /** True when `<ns>.pod` exists (namespace exposed, pods not disabled). */
  namespaceExists(ns: string): boolean;
  /** True when a pod in `ns` has podIP `ip` (verified mode). */
  hasPod(ns: string, ip: string): boolean;
}

/** The node for a pod name given its labels (`[...extra, podname, ns, 'pod']`), or undefined (NXDOMAIN). */
export function podNode(labels: readonly string[], p: PodLookup): ZoneNode | undefined {
  const n = labels.length;
  if (p.mode === 'disabled' || n < 3 || n > 5 || labels[n - 1] !== 'pod') return undefined;
  const ns = labels[n - 2]!;
  if (!p.namespaceExists(ns)) return undefined;
  const ip = ipFromDashed(labels[n - 3]!);
  const rec = addressRecord(ip);
  if (!rec) return undefined;
  if (p.mode === 'verified' && !p.hasPod(ns, ip)) return undefined;
  // CoreDNS's pod "service" has port 0 (not its -1 sentinel): an SRV query gets a port-0 SRV to
  // the pod name, with its address as glue.
  const target = `${labels[n - 3]}.${ns}.pod`;
  const addr: RR = { name: target, type: rec.type, class: Class.IN, ttl: p.ttl, address: rec.address };
  const srv: RR = { name: target, type: Type.SRV, class: Class.IN, ttl: p.ttl, priority: 0, weight: 100, port: 0, target };
  return {
    rrsets: [
      { kind: 'success', type: rec.type, rrs: [addr], extra: [] },
      { kind: 'success', type: Type.SRV, rrs: [srv], extra: [addr] },
    ],
  };
}
