/**
 * The names a cluster change can make stale in a cache: beyond CoreDNS, the kubernetes plugin tells
 * every `cache` to drop them at once (coredns#2327), so a new Service is never hidden behind a cached
 * NXDOMAIN and a deleted one's records (reverse ones included) do not linger for the cache's TTL.
 */
import { reverseName } from '../../dns/name.js';
import { addressesOf, clusterIPsOf } from '../../kube/objects.js';
import type { ClusterEvent } from '../../kube/source.js';
import { isReverseZone } from './options.js';

/** Zones (names with everything below them) to drop for `ev`, under each cluster zone of `zones`. */
export function staleNames(ev: ClusterEvent, zones: readonly string[]): string[] {
  const rel: string[] = [];
  const ips: string[] = [];
  const objs = ev.old ? [ev.obj, ev.old] : [ev.obj];
  switch (ev.kind) {
    case 'Namespace':
      rel.push(`${ev.obj.name}.svc`, `${ev.obj.name}.pod`);
      break;
    case 'Service':
      rel.push(`${ev.obj.name}.${ev.obj.namespace}.svc`);
      for (const s of objs as Array<typeof ev.obj>) ips.push(...clusterIPsOf(s).filter((ip) => ip !== 'None'));
      break;
    case 'EndpointSlice':
      if (ev.obj.serviceName) rel.push(`${ev.obj.serviceName}.${ev.obj.namespace}.svc`);
      for (const s of objs as Array<typeof ev.obj>) for (const e of s.endpoints) ips.push(...addressesOf(e));
      break;
    case 'Pod':
      rel.push(`${ev.obj.namespace}.pod`);
      for (const p of objs as Array<typeof ev.obj>) ips.push(...p.podIPs);
      break;
  }
  const out = new Set<string>();
  for (const z of zones) {
    // Reverse zones are covered by the PTR names below; forward names live under the cluster zone(s).
    if (isReverseZone(z)) continue;
    for (const r of rel) out.add(z === '.' ? `${r}.` : `${r}.${z}`);
  }
  for (const ip of ips) {
    const ptr = reverseName(ip);
    if (ptr) out.add(ptr);
  }
  return [...out];
}
