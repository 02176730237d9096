/**
 * PTR targets for one IP, as CoreDNS's reverse.go serviceRecordForIP finds them: a Service whose
 * cluster IP it is wins (one record, the first exposed one); otherwise every ready endpoint with
 * that address, named `<endpoint>.<service>.<ns>.svc.<primary zone>`.
 */
import { addressesOf, clusterIPsOf, type SlimEndpointSlice, type SlimService } from '../../kube/objects.js';
import { canonicalIP } from './addresses.js';
import { endpointName } from './service-records.js';

/** What PTR answers depend on. */
export interface ReverseOptions {
  readonly primaryZone: string;
  readonly endpointPodNames: boolean;
  /** Only hostname PTRs for an IP that has any (coredns#8408). */
  readonly ptrHostnameOnly: boolean;
  /** True when records of namespace `ns` must not be shown. */
  readonly hidden: (ns: string) => boolean;
}

/** Absolute PTR targets (deduplicated) for `ip` (canonical text). */
export function ptrTargets(
  ip: string,
  services: Iterable<SlimService>,
  slices: Iterable<SlimEndpointSlice>,
  o: ReverseOptions,
): string[] {
  const zone = o.primaryZone === '.' ? '' : o.primaryZone;
  for (const svc of services) {
    if (o.hidden(svc.namespace)) continue;
    if (clusterIPsOf(svc).some((c) => canonicalIP(c) === ip)) return [`${svc.name}.${svc.namespace}.svc.${zone}`];
  }
  const named: string[] = [];
  const dashed: string[] = [];
  for (const s of slices) {
    if (!s.serviceName || o.hidden(s.namespace)) continue;
    for (const e of s.endpoints) {
      if (!e.ready) continue;
      for (const a of addressesOf(e)) {
        if (canonicalIP(a) !== ip) continue;
        const ep = endpointName({ ip: a, hostname: e.hostname, targetRefName: e.targetRefName }, o.endpointPodNames);
        (e.hostname ? named : dashed).push(`${ep}.${s.serviceName}.${s.namespace}.svc.${zone}`);
      }
    }
  }
  const all = o.ptrHostnameOnly && named.length ? named : [...named, ...dashed];
  return [...new Set(all)];
}
