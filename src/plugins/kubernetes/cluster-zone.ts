/**
 * The cluster as two name sets kept current with a ClusterSource: `forward` (names relative to the
 * cluster zone: `svc1.ns.svc`, `ns.svc`, ...) and `reverse` (absolute `in-addr.arpa.`/`ip6.arpa.`
 * names). Only indexes are kept (IP -> objects, Service -> slices, pods); a Service's names
 * (forward-names.ts) and an IP's PTRs (reverse-names.ts) are computed per question from the
 * source's own objects, as CoreDNS does. A watch event updates the indexes of the changed object
 * only: O(that object), never O(zone); startup is one indexing pass over the snapshot.
 */
import { lower } from '../../dns/name.js';
import { joinKey, keyOf } from '../../kube/convert.js';
import { addressesOf, clusterIPsOf, type SlimEndpointSlice, type SlimNamespace, type SlimPod, type SlimService } from '../../kube/objects.js';
import type { ClusterEvent, ClusterSource } from '../../kube/source.js';
import { nodeOf, Zone, type ZoneNode } from '../../zone/zone.js';
import { canonicalIP } from './addresses.js';
import { add, remove, values, type Index } from './cluster-index.js';
import { ForwardNames } from './forward-names.js';
import { recordProgrammingLatency } from './metrics.js';
import type { KubernetesOptions } from './options.js';
import { ptrTargets, type ReverseOptions } from './reverse-records.js';
import { ReverseNames } from './reverse-names.js';
import { serviceEntries } from './service-records.js';

/** Pod phases whose pods CoreDNS never sees (its field selector drops them). */
const GONE_PHASES = new Set(['Succeeded', 'Failed', 'Unknown']);

/** `name.ns.svc` (lower case) of the Service `ns/name`. */
export function ownerOf(key: string): string {
  const slash = key.indexOf('/');
  return lower(`${key.slice(slash + 1)}.${key.slice(0, slash)}.svc`);
}

/** The cluster IPs a Service is indexed under (canonical; not `None`). */
function serviceIPs(svc: SlimService): string[] {
  const ips: string[] = [];
  for (const ip of clusterIPsOf(svc)) if (ip.includes('.') || ip.includes(':')) ips.push(canonicalIP(ip));
  return ips;
}

/** The IPs of a slice's ready endpoints (canonical), each once. */
function readyIPs(slice: SlimEndpointSlice): string[] {
  let ips: string[] = [];
  for (const e of slice.endpoints) if (e.ready) for (const a of addressesOf(e)) ips.push(canonicalIP(a));
  // Addresses rarely repeat; a small slice is checked by scanning, a big one with a Set.
  if (ips.length > 16) ips = [...new Set(ips)];
  else if (ips.some((ip, i) => ips.indexOf(ip) !== i)) ips = ips.filter((ip, i) => ips.indexOf(ip) === i);
  return ips;
}

/** A Service a name belongs to, with its slices. */
interface Found {
  readonly key: string;
  readonly svc: SlimService;
  readonly slices: SlimEndpointSlice[];
}

/** The cluster as name sets, kept current. */
export class ClusterZone {
  readonly forward: ForwardNames;
  readonly reverse: ReverseNames;
  private readonly slicesOfSvc: Index = new Map();
  private readonly svcsOfIP: Index = new Map();
  private readonly slicesOfIP: Index = new Map();
  /** Lower-cased key -> keys of Services whose key is not lower case (the API refuses them; manifests may not). */
  private readonly mixedCase: Index = new Map();
  private readonly podsOfNsIP: Index = new Map();
  private readonly podsOfIP: Index = new Map();
  private readonly podSeen = new Map<string, { ns: string; ip: string }>();
  private unsubscribe: (() => void) | undefined;
  private readonly ptrOptions: ReverseOptions;

  constructor(
    private readonly source: ClusterSource,
    private readonly o: KubernetesOptions,
    /** Called after every change applied (the handler drops replies it vouched for, caches drop stale names). */
    private readonly onChange: (ev: ClusterEvent) => void = () => {},
  ) {
    this.ptrOptions = { ...o, hidden: (ns) => this.hidden(ns) };
    const fixed = new Zone();
    fixed.put('apex', [{ name: '' }, { name: 'svc' }, { name: 'pod' }]);
    const snap = source.snapshot();
    this.forward = new ForwardNames(fixed, {
      nodeAt: (owner, rel) => this.nodeAt(owner, rel),
      viewOf: (owner) => this.viewOf(owner),
      owners: () => [...this.source.snapshot().services.keys()].map(ownerOf),
    });
    this.reverse = new ReverseNames((ip) => this.ptrsOf(ip), () => [...this.svcsOfIP.keys(), ...this.slicesOfIP.keys()], o.ttl);
    for (const ns of snap.namespaces.values()) fixed.put(`ns:${ns.name}`, this.namespaceEntries(ns.name));
    for (const [key, svc] of snap.services) this.indexService(key, svc, undefined);
    if (!o.noEndpoints) for (const [key, s] of snap.endpointSlices) this.indexSlice(key, s, undefined);
    if (o.podMode === 'verified') for (const [key, p] of snap.pods) this.indexPod(key, p);
    this.unsubscribe = source.subscribe((ev) => {
      this.apply(ev);
      this.onChange(ev);
    });
  }

  /** Stops following the source. */
  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** True when the namespace exists (and passes `namespaces` / `namespace_labels`). */
  exposed(ns: string): boolean {
    if (this.o.namespaces.size && !this.o.namespaces.has(ns)) return false;
    const obj = this.source.snapshot().namespaces.get(ns);
    if (!obj) return false;
    return !this.o.namespaceLabels || this.o.namespaceLabels.matches(obj.labels);
  }

  /** True when a pod in `ns` has exactly this IP as its (primary) podIP. */
  hasPod(ns: string, ip: string): boolean {
    return this.podsOfNsIP.has(`${ns}/${ip}`);
  }

  /** Namespace of a pod whose podIP is `ip`, if any (autopath's client lookup). */
  podNamespace(ip: string): string | undefined {
    for (const key of values(this.podsOfIP, ip)) return this.podSeen.get(key)?.ns;
    return undefined;
  }

  /** Slices with a ready endpoint at `ip` (for NS records: is this server an endpoint?). */
  slicesAt(ip: string): SlimEndpointSlice[] {
    return this.objects(this.source.snapshot().endpointSlices, values(this.slicesOfIP, canonicalIP(ip)));
  }

  private objects<T>(map: ReadonlyMap<string, T>, keys: Iterable<string>): T[] {
    const out: T[] = [];
    for (const k of keys) {
      const obj = map.get(k);
      if (obj !== undefined) out.push(obj);
    }
    return out;
  }

  private hidden(ns: string): boolean {
    return (this.o.namespaces.size > 0 || this.o.namespaceLabels !== undefined) && !this.exposed(ns);
  }

  private apply(ev: ClusterEvent): void {
    const key = ev.key ?? keyOf(ev.obj);
    const gone = ev.type === 'delete';
    switch (ev.kind) {
      case 'Namespace':
        return this.onNamespace(ev.obj);
      // What an object was indexed under is read again from its old state, which every source
      // hands over with a change (nothing per object is kept to undo it).
      case 'Service':
        return this.indexService(key, gone ? undefined : ev.obj, ev.old ?? (gone ? ev.obj : undefined));
      case 'EndpointSlice': {
        if (this.o.noEndpoints) return;
        this.indexSlice(key, gone ? undefined : ev.obj, ev.old ?? (gone ? ev.obj : undefined));
        return recordProgrammingLatency(ev.obj, this.source.snapshot().services.get(`${ev.obj.namespace}/${ev.obj.serviceName}`));
      }
      case 'Pod':
        if (this.o.podMode === 'verified') this.indexPod(key, gone ? undefined : ev.obj);
        return;
    }
  }

  private namespaceEntries(ns: string): Array<{ name: string }> {
    if (!this.exposed(ns)) return [];
    return this.o.podMode === 'disabled' ? [{ name: `${ns}.svc` }] : [{ name: `${ns}.svc` }, { name: `${ns}.pod` }];
  }

  private onNamespace(ns: SlimNamespace): void {
    // Names below the namespace are computed per question: they follow its exposure by themselves.
    this.forward.fixed.put(`ns:${ns.name}`, this.namespaceEntries(ns.name));
  }

  /** Indexes `svc` (undefined: removes it), first undoing what `old` was indexed under. */
  private indexService(key: string, svc: SlimService | undefined, old: SlimService | undefined): void {
    if (old) for (const ip of serviceIPs(old)) remove(this.svcsOfIP, ip, key);
    const folded = lower(key);
    if (folded !== key) {
      if (svc) add(this.mixedCase, folded, key);
      else remove(this.mixedCase, folded, key);
    }
    if (svc) for (const ip of serviceIPs(svc)) add(this.svcsOfIP, ip, key);
  }

  /** Indexes `slice` (undefined: removes it), first undoing what `old` was indexed under. */
  private indexSlice(key: string, slice: SlimEndpointSlice | undefined, old: SlimEndpointSlice | undefined): void {
    const oldLink = old?.serviceName ?? '';
    const link = slice?.serviceName ?? '';
    // The Service link rarely changes (the endpoints do): its entry is then left as it is.
    const relink = oldLink !== link || old?.namespace !== slice?.namespace;
    if (old) {
      if (oldLink && relink) remove(this.slicesOfSvc, joinKey(old.namespace, oldLink), key);
      for (const ip of readyIPs(old)) remove(this.slicesOfIP, ip, key);
    }
    if (!slice) return;
    if (link && relink) add(this.slicesOfSvc, joinKey(slice.namespace, link), key);
    for (const ip of readyIPs(slice)) add(this.slicesOfIP, ip, key);
  }

  private indexPod(key: string, pod: SlimPod | undefined): void {
    const old = this.podSeen.get(key);
    if (old) {
      remove(this.podsOfNsIP, `${old.ns}/${old.ip}`, key);
      remove(this.podsOfIP, old.ip, key);
      this.podSeen.delete(key);
    }
    // CoreDNS indexes status.podIP only, and skips terminating and finished pods.
    const ip = pod?.podIPs[0];
    if (!pod || !ip || pod.deleting || GONE_PHASES.has(pod.phase)) return;
    add(this.podsOfNsIP, joinKey(pod.namespace, ip), key);
    add(this.podsOfIP, ip, key);
    this.podSeen.set(key, { ns: pod.namespace, ip });
  }

  /** Exposed Services named by `owner` (`name.ns.svc`; several only when keys differ in case), with their slices. */
  private servicesOf(owner: string): Found[] {
    const nsDot = owner.indexOf('.');
    const key = `${owner.slice(nsDot + 1, owner.length - 4)}/${owner.slice(0, nsDot)}`;
    const snap = this.source.snapshot();
    const out: Found[] = [];
    for (const k of snap.services.has(key) ? [key, ...values(this.mixedCase, key)] : values(this.mixedCase, key)) {
      const svc = snap.services.get(k);
      if (svc && this.exposed(svc.namespace)) out.push({ key: k, svc, slices: this.objects(snap.endpointSlices, values(this.slicesOfSvc, k)) });
    }
    return out;
  }

  /** The node of `rel` below the Service(s) `owner`, computed now. */
  private nodeAt(owner: string, rel: string): ZoneNode | undefined {
    const found = this.servicesOf(owner);
    if (found.length === 0) return undefined;
    if (found.length === 1) return nodeOf(serviceEntries(found[0]!.svc, found[0]!.slices, this.o, rel), rel);
    return this.merged(found, rel).node(rel);
  }

  /** Every name of the Service(s) `owner`, as a Zone. */
  private viewOf(owner: string): Zone | undefined {
    const found = this.servicesOf(owner);
    return found.length ? this.merged(found) : undefined;
  }

  /** Names of several Services (or all names of one), merged as a Zone merges groups. */
  private merged(found: readonly Found[], only?: string): Zone {
    const zone = new Zone();
    for (const f of found) zone.put(`svc:${f.key}`, serviceEntries(f.svc, f.slices, this.o, only));
    return zone;
  }

  private ptrsOf(ip: string): readonly string[] {
    const snap = this.source.snapshot();
    const svcs = this.objects(snap.services, values(this.svcsOfIP, ip));
    const slices = this.objects(snap.endpointSlices, values(this.slicesOfIP, ip));
    return svcs.length || slices.length ? ptrTargets(ip, svcs, slices, this.ptrOptions) : [];
  }
}
