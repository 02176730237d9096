/**
 * Keeps two Zones equal to what a ClusterSource holds: `forward` (names relative to the cluster
 * zone: `svc1.ns.svc`, `ns.svc`, ...) and `reverse` (absolute `in-addr.arpa.`/`ip6.arpa.` names).
 * Each watch event recomputes only what the changed object touches: one Service's names, the PTRs
 * of the IPs it had and has, or (rarely) everything in one Namespace.
 */
import { Class, Type } from '../../dns/constants.js';
import { reverseName } from '../../dns/name.js';
import type { SlimEndpointSlice, SlimNamespace, SlimPod, SlimService } from '../../kube/objects.js';
import type { ClusterEvent, ClusterSource } from '../../kube/source.js';
import { Zone } from '../../zone/zone.js';
import { canonicalIP } from './addresses.js';
import { recordProgrammingLatency } from './metrics.js';
import type { KubernetesOptions } from './options.js';
import { ptrTargets, type ReverseOptions } from './reverse-records.js';
import { serviceEntries } from './service-records.js';

/** key -> values; a single value is kept as a string (most IPs belong to one object). */
type Index = Map<string, string | Set<string>>;

function add(index: Index, key: string, value: string): void {
  const got = index.get(key);
  if (got === undefined) index.set(key, value);
  else if (typeof got === 'string') {
    if (got !== value) index.set(key, new Set([got, value]));
  } else got.add(value);
}

function remove(index: Index, key: string, value: string): void {
  const got = index.get(key);
  if (got === undefined) return;
  if (typeof got === 'string') {
    if (got === value) index.delete(key);
    return;
  }
  got.delete(value);
  if (got.size === 1) index.set(key, got.values().next().value!);
  else if (got.size === 0) index.delete(key);
}

function values(index: Index, key: string): Iterable<string> {
  const got = index.get(key);
  return got === undefined ? [] : typeof got === 'string' ? [got] : got;
}

/** Pod phases whose pods CoreDNS never sees (its field selector drops them). */
const GONE_PHASES = new Set(['Succeeded', 'Failed', 'Unknown']);

/** The cluster as zones, kept current. */
export class ClusterZone {
  readonly forward = new Zone();
  readonly reverse = new Zone();
  private readonly svcsOfNs: Index = new Map();
  private readonly slicesOfNs: Index = new Map();
  private readonly slicesOfSvc: Index = new Map();
  private readonly svcsOfIP: Index = new Map();
  private readonly slicesOfIP: Index = new Map();
  private readonly podsOfNsIP: Index = new Map();
  private readonly podsOfIP: Index = new Map();
  private readonly svcIPs = new Map<string, string[]>();
  private readonly sliceSeen = new Map<string, { svc: string; ns: string; ips: string[] }>();
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
    this.forward.put('apex', [{ name: '' }, { name: 'svc' }, { name: 'pod' }]);
    const snap = source.snapshot();
    for (const ns of snap.namespaces.values()) this.forward.put(`ns:${ns.name}`, this.namespaceEntries(ns.name));
    for (const svc of snap.services.values()) this.indexService(`${svc.namespace}/${svc.name}`, svc);
    if (!o.noEndpoints) for (const [key, s] of snap.endpointSlices) this.indexSlice(key, s);
    if (o.podMode === 'verified') for (const [key, p] of snap.pods) this.indexPod(key, p);
    for (const key of snap.services.keys()) this.refreshService(key);
    for (const ip of new Set([...this.svcsOfIP.keys(), ...this.slicesOfIP.keys()])) this.refreshPtr(ip);
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
    const snap = this.source.snapshot();
    return [...values(this.slicesOfIP, canonicalIP(ip))].map((k) => snap.endpointSlices.get(k)).filter((s) => s !== undefined);
  }

  private hidden(ns: string): boolean {
    return (this.o.namespaces.size > 0 || this.o.namespaceLabels !== undefined) && !this.exposed(ns);
  }

  private apply(ev: ClusterEvent): void {
    const key = ev.kind === 'Namespace' ? ev.obj.name : `${ev.obj.namespace}/${ev.obj.name}`;
    const gone = ev.type === 'delete';
    switch (ev.kind) {
      case 'Namespace':
        return this.onNamespace(ev.obj);
      case 'Service':
        return this.onService(key, gone ? undefined : ev.obj);
      case 'EndpointSlice':
        if (this.o.noEndpoints) return;
        this.onSlice(key, gone ? undefined : ev.obj);
        return recordProgrammingLatency(ev.obj, this.source.snapshot().services.get(`${ev.obj.namespace}/${ev.obj.serviceName}`));
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
    this.forward.put(`ns:${ns.name}`, this.namespaceEntries(ns.name));
    // Exposure may have changed: redo what hangs off this namespace.
    for (const key of values(this.svcsOfNs, ns.name)) this.refreshService(key);
    const ips = new Set<string>();
    for (const key of values(this.svcsOfNs, ns.name)) for (const ip of this.svcIPs.get(key) ?? []) ips.add(ip);
    for (const key of values(this.slicesOfNs, ns.name)) for (const ip of this.sliceSeen.get(key)?.ips ?? []) ips.add(ip);
    for (const ip of ips) this.refreshPtr(ip);
  }

  private onService(key: string, svc: SlimService | undefined): void {
    const before = this.svcIPs.get(key) ?? [];
    this.indexService(key, svc);
    this.refreshService(key);
    for (const ip of new Set([...before, ...(this.svcIPs.get(key) ?? [])])) this.refreshPtr(ip);
  }

  private onSlice(key: string, slice: SlimEndpointSlice | undefined): void {
    const before = this.sliceSeen.get(key);
    this.indexSlice(key, slice);
    const after = this.sliceSeen.get(key);
    for (const svc of new Set([before?.svc, after?.svc])) if (svc) this.refreshService(svc);
    for (const ip of new Set([...(before?.ips ?? []), ...(after?.ips ?? [])])) this.refreshPtr(ip);
  }

  private indexService(key: string, svc: SlimService | undefined): void {
    const ns = key.slice(0, key.indexOf('/'));
    for (const ip of this.svcIPs.get(key) ?? []) remove(this.svcsOfIP, ip, key);
    this.svcIPs.delete(key);
    if (!svc) {
      remove(this.svcsOfNs, ns, key);
      return;
    }
    add(this.svcsOfNs, ns, key);
    const ips = svc.clusterIPs.filter((ip) => ip.includes('.') || ip.includes(':')).map(canonicalIP);
    for (const ip of ips) add(this.svcsOfIP, ip, key);
    this.svcIPs.set(key, ips);
  }

  private indexSlice(key: string, slice: SlimEndpointSlice | undefined): void {
    const old = this.sliceSeen.get(key);
    if (old) {
      remove(this.slicesOfSvc, old.svc, key);
      remove(this.slicesOfNs, old.ns, key);
      for (const ip of old.ips) remove(this.slicesOfIP, ip, key);
      this.sliceSeen.delete(key);
    }
    if (!slice) return;
    const svc = slice.serviceName ? `${slice.namespace}/${slice.serviceName}` : '';
    const ips = [...new Set(slice.endpoints.filter((e) => e.ready).flatMap((e) => e.addresses.map(canonicalIP)))];
    if (svc) add(this.slicesOfSvc, svc, key);
    add(this.slicesOfNs, slice.namespace, key);
    for (const ip of ips) add(this.slicesOfIP, ip, key);
    this.sliceSeen.set(key, { svc, ns: slice.namespace, ips });
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
    add(this.podsOfNsIP, `${pod.namespace}/${ip}`, key);
    add(this.podsOfIP, ip, key);
    this.podSeen.set(key, { ns: pod.namespace, ip });
  }

  private refreshService(key: string): void {
    const snap = this.source.snapshot();
    const svc = snap.services.get(key);
    if (!svc || !this.exposed(svc.namespace)) {
      this.forward.drop(`svc:${key}`);
      return;
    }
    const slices = [...values(this.slicesOfSvc, key)].map((k) => snap.endpointSlices.get(k)).filter((s) => s !== undefined);
    this.forward.put(`svc:${key}`, serviceEntries(svc, slices, this.o));
  }

  private refreshPtr(ip: string): void {
    const name = reverseName(ip);
    if (!name) return;
    const snap = this.source.snapshot();
    const svcs = [...values(this.svcsOfIP, ip)].map((k) => snap.services.get(k)).filter((s) => s !== undefined);
    const slices = [...values(this.slicesOfIP, ip)].map((k) => snap.endpointSlices.get(k)).filter((s) => s !== undefined);
    const targets = ptrTargets(ip, svcs, slices, this.ptrOptions);
    const rrs = targets.map((domain) => ({ name, type: Type.PTR, class: Class.IN, ttl: this.o.ttl, domain }));
    this.reverse.put(`ptr:${ip}`, rrs.length ? [{ name, type: Type.PTR, rrs }] : []);
  }
}
