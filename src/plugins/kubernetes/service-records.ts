/**
 * One Service (plus its EndpointSlices) -> the zone entries of every name it owns, relative to the
 * cluster zone: `svc.ns.svc`, `_port._proto.svc.ns.svc`, `endpoint.svc.ns.svc`.
 *
 * This reproduces what CoreDNS computes per query (kubernetes.go findServices, then
 * plugin/backend_lookup.go A/AAAA/SRV) once per change instead: the list of "services" (host, port)
 * a name matches, A/AAAA from their distinct hosts, SRV with weight floor(100/n) over all n of them
 * (before duplicates are dropped), duplicate (target, port) SRVs and (target, address) glue dropped.
 * Each address record is made once and shared by every name that answers or glues it (answer
 * owners are rewritten when a reply is built). Asked for one name, only what that name needs is
 * computed (a query costs O(that Service), and less for a ClusterIP Service's own name).
 */
import { Class, Type } from '../../dns/constants.js';
import type { RR } from '../../dns/message.js';
import { fqdn } from '../../dns/name.js';
import { addressesOf, clusterIPsOf, type SlimEndpointSlice, type SlimService } from '../../kube/objects.js';
import type { Entry } from '../../zone/zone.js';
import { addressRecord, dashedIP } from './addresses.js';

/** What service records depend on. */
export interface ServiceRecordOptions {
  readonly ttl: number;
  readonly endpointPodNames: boolean;
  readonly ignoreEmptyService: boolean;
}

interface Port {
  readonly name: string;
  readonly protocol: string;
  readonly port: number;
}

/** A CoreDNS "service": an address record (owned by the SRV target) and a port. */
interface Target {
  readonly rr: RR | undefined;
  readonly port: number;
  readonly target: string;
}

/** A ready endpoint address, named, with the ports of its slice. */
interface Endpoint {
  readonly name: string;
  readonly target: string;
  readonly rr: RR | undefined;
  readonly ports: readonly Port[];
}

/** A port-less service or slice still answers A; its SRV is skipped (CoreDNS's port -1 sentinel). */
const NO_PORT: readonly Port[] = [{ name: '', protocol: '', port: -1 }];

/** The endpoint's name: hostname, else (endpoint_pod_names) the pod name, else the dashed IP. */
export function endpointName(addr: { ip: string; hostname: string; targetRefName: string }, podNames: boolean): string {
  if (addr.hostname) return addr.hostname.toLowerCase();
  // Pod names of 64+ characters cannot be a label (CoreDNS object/endpoint.go).
  if (podNames && addr.targetRefName && addr.targetRefName.length < 64) return addr.targetRefName.toLowerCase();
  return dashedIP(addr.ip).toLowerCase();
}

function addressRR(name: string, ip: string, ttl: number): RR | undefined {
  const rec = addressRecord(ip);
  return rec && { name, type: rec.type, class: Class.IN, ttl, address: rec.address };
}

/**
 * Ready endpoints of `slices` under `svcName` (only those named `only` when given). Only `ready`
 * counts (absent = ready), as in CoreDNS.
 */
function readyEndpoints(slices: readonly SlimEndpointSlice[], svcName: string, o: ServiceRecordOptions, only?: string): Endpoint[] {
  const out: Endpoint[] = [];
  for (const s of slices) {
    const ports = s.ports.length ? s.ports : NO_PORT;
    for (const e of s.endpoints) {
      if (!e.ready) continue;
      for (const ip of addressesOf(e)) {
        const name = endpointName({ ip, hostname: e.hostname, targetRefName: e.targetRefName }, o.endpointPodNames);
        const target = `${name}.${svcName}`;
        if (only === undefined || target === only) out.push({ name, target, rr: addressRR(target, ip, o.ttl), ports });
      }
    }
  }
  return out;
}

/** True when some slice has a ready endpoint address (a ClusterIP Service is not "empty"). */
function hasReadyEndpoint(slices: readonly SlimEndpointSlice[]): boolean {
  return slices.some((s) => s.endpoints.some((e) => e.ready && addressesOf(e).length > 0));
}

/** Which of a Service's names a computation wants. */
type Part = 'all' | 'service' | 'port' | 'endpoint' | 'none';

/** The kind of name `only` is below `svcName`: the Service's own, `_port._proto.<svc>`, `<endpoint>.<svc>`, or none. */
function partOf(only: string | undefined, svcName: string): Part {
  if (only === undefined) return 'all';
  if (only === svcName) return 'service';
  const cut = only.length - svcName.length - 1;
  if (cut <= 0 || !only.endsWith(svcName) || only.charCodeAt(cut) !== 46) return 'none';
  return only.lastIndexOf('.', cut - 1) >= 0 ? 'port' : 'endpoint';
}

const portMatches = (p: Port, name: string, protocol: string): boolean => p.name.toLowerCase() === name && p.protocol.toLowerCase() === protocol;

/** Entries for one name from its targets: A/AAAA of distinct addresses, SRV and glue. */
function nameEntries(name: string, targets: readonly Target[], ttl: number): Entry[] {
  const a: RR[] = [];
  const aaaa: RR[] = [];
  const srv: RR[] = [];
  const glue: RR[] = [];
  const seen = new Set<string>();
  // plugin/backend_lookup.go SRV(): every service weighs 100 at priority 0; the share is floored, at least 1.
  const weight = Math.max(1, Math.floor((100 / (100 * targets.length)) * 100));
  for (const t of targets) {
    if (!t.rr) continue;
    if (!seen.has(t.rr.address!)) {
      seen.add(t.rr.address!);
      (t.rr.type === Type.A ? a : aaaa).push(t.rr);
    }
    if (t.port === -1) continue;
    const k1 = `${t.target} ${t.port}`;
    if (!seen.has(k1)) {
      seen.add(k1);
      srv.push({ name, type: Type.SRV, class: Class.IN, ttl, priority: 0, weight, port: t.port, target: t.target });
    }
    const k2 = `${t.target} @${t.rr.address}`;
    if (!seen.has(k2)) {
      seen.add(k2);
      glue.push(t.rr);
    }
  }
  // slice(): pushed arrays carry spare capacity; the zone keeps these, so keep them exact.
  const entries: Entry[] = [{ name }];
  if (a.length) entries.push({ name, type: Type.A, rrs: a.slice() });
  if (aaaa.length) entries.push({ name, type: Type.AAAA, rrs: aaaa.slice() });
  if (srv.length) entries.push({ name, type: Type.SRV, rrs: srv.slice(), extra: glue.slice() });
  return entries;
}

/** Distinct (name, protocol) of named ports, lower-cased. */
function namedPorts(ports: Iterable<Port>): Array<[string, string]> {
  const out = new Map<string, [string, string]>();
  for (const p of ports) if (p.name) out.set(`${p.name}/${p.protocol}`.toLowerCase(), [p.name.toLowerCase(), p.protocol.toLowerCase()]);
  return [...out.values()];
}

const targetsOf = (eps: readonly Endpoint[], keep: (p: Port) => boolean = () => true): Target[] =>
  eps.flatMap((e) => e.ports.filter(keep).map((p) => ({ rr: e.rr, port: p.port, target: e.target })));

/** Endpoint names under the service (ClusterIP and headless services both have them). */
function endpointEntries(eps: readonly Endpoint[], ttl: number): Entry[] {
  const byName = new Map<string, Endpoint[]>();
  for (const e of eps) {
    // A name with a dot would be read as _port._proto by CoreDNS's parser: not reachable.
    if (!e.name || e.name.includes('.')) continue;
    const list = byName.get(e.target);
    if (list) list.push(e);
    else byName.set(e.target, [e]);
  }
  return [...byName].flatMap(([name, list]) => nameEntries(name, targetsOf(list), ttl));
}

/**
 * Every entry `svc` contributes, given its slices (none with `noendpoints`); with `only` (a
 * relative lower-case name), just that name's entries (none when `svc` does not make it exist).
 */
export function serviceEntries(svc: SlimService, slices: readonly SlimEndpointSlice[], o: ServiceRecordOptions, only?: string): Entry[] {
  const svcName = `${svc.name}.${svc.namespace}.svc`.toLowerCase();
  const part = partOf(only, svcName);
  if (part === 'none') return [];
  const entries = computeEntries(svc, svcName, slices, o, part, only);
  return only === undefined ? entries : entries.filter((e) => e.name === only);
}

function computeEntries(svc: SlimService, svcName: string, slices: readonly SlimEndpointSlice[], o: ServiceRecordOptions, part: Part, only: string | undefined): Entry[] {
  const wants = (p: Part): boolean => part === 'all' || part === p;
  if (svc.type === 'ExternalName') {
    // Only a name can be a CNAME target; an IP literal is ignored (coredns#2324).
    if (!wants('service') || !svc.externalName || addressRecord(svc.externalName)) return [];
    const cname: RR = { name: svcName, type: Type.CNAME, class: Class.IN, ttl: o.ttl, domain: fqdn(svc.externalName) };
    return [{ name: svcName, type: Type.CNAME, rrs: [cname] }];
  }
  const entries: Entry[] = [];
  if (svc.headless) {
    // An endpoint name needs only its own endpoints; the others need all of them.
    const eps = readyEndpoints(slices, svcName, o, part === 'endpoint' ? only : undefined);
    const all = targetsOf(eps);
    // No ready endpoint: the name does not exist (spec 2.4.1).
    if (!all.length) return [];
    if (wants('service')) entries.push(...nameEntries(svcName, all, o.ttl));
    if (wants('port')) {
      for (const [name, proto] of namedPorts(eps.flatMap((e) => e.ports))) {
        const portName = `_${name}._${proto}.${svcName}`;
        if (only !== undefined && portName !== only) continue;
        const matching = targetsOf(eps, (p) => portMatches(p, name, proto));
        if (matching.length) entries.push(...nameEntries(portName, matching, o.ttl));
      }
    }
    if (wants('endpoint')) entries.push(...endpointEntries(eps, o.ttl));
    return entries;
  }
  const eps = wants('endpoint') ? readyEndpoints(slices, svcName, o, part === 'endpoint' ? only : undefined) : undefined;
  if (o.ignoreEmptyService && !(eps ? eps.length > 0 : hasReadyEndpoint(slices))) return [];
  const ports = svc.ports.length ? svc.ports : NO_PORT;
  const ips = clusterIPsOf(svc).map((ip) => addressRR(svcName, ip, o.ttl));
  const targetsFor = (list: readonly Port[]): Target[] => list.flatMap((p) => ips.map((rr) => ({ rr, port: p.port, target: svcName })));
  if (wants('service')) entries.push(...nameEntries(svcName, targetsFor(ports), o.ttl));
  if (wants('port')) {
    for (const [name, proto] of namedPorts(ports)) {
      const portName = `_${name}._${proto}.${svcName}`;
      if (only !== undefined && portName !== only) continue;
      entries.push(...nameEntries(portName, targetsFor(ports.filter((p) => portMatches(p, name, proto))), o.ttl));
    }
  }
  if (eps) entries.push(...endpointEntries(eps, o.ttl));
  return entries;
}
