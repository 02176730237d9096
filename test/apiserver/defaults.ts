/**
 * What kube-apiserver adds to an object on write (SetDefaults_* and the service IP allocators) and the
 * few validations a test author is likely to trip on. The product must see objects shaped as a real
 * server returns them: clusterIPs filled from clusterIP, podIPs from podIP, the namespace name label,
 * `endpoints: null` for an empty EndpointSlice (protobuf storage turns [] into nil).
 */
import type { ResourceDef } from './resources.ts';

/** An object the API would reject; the message becomes a 422 Invalid Status over HTTP. */
export class ValidationError extends Error {
  override name = 'ValidationError';
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Hands out service ClusterIPs from 10.96.0.0/12 and NodePorts from 30000-32767, skipping used ones. */
export class Allocator {
  private readonly ips = new Set<string>();
  private readonly ports = new Set<number>();
  private ipCursor = 257; // 10.96.1.1: leaves 10.96.0.x to hand-written manifests (kubernetes=.1, kube-dns=.10)
  private portCursor = 0;

  /** Marks a service's IPs and node ports as used. */
  reserve(svc: any): void {
    for (const ip of svc?.spec?.clusterIPs ?? []) if (ip !== 'None') this.ips.add(ip);
    for (const p of svc?.spec?.ports ?? []) if (p.nodePort) this.ports.add(p.nodePort);
  }

  /** Frees what reserve() took. */
  release(svc: any): void {
    for (const ip of svc?.spec?.clusterIPs ?? []) this.ips.delete(ip);
    for (const p of svc?.spec?.ports ?? []) if (p.nodePort) this.ports.delete(p.nodePort);
  }

  /** The next free IPv4 ClusterIP. */
  nextIP(): string {
    const size = 1 << 20;
    for (let n = 0; n < size; n++) {
      const off = (this.ipCursor + n) % size;
      if (off === 0 || off === size - 1) continue;
      const ip = `10.${96 + (off >> 16)}.${(off >> 8) & 255}.${off & 255}`;
      if (!this.ips.has(ip)) {
        this.ipCursor = off + 1;
        this.ips.add(ip);
        return ip;
      }
    }
    throw new ValidationError('spec.clusterIP: Internal error: range is full');
  }

  /** The next free NodePort. */
  nextPort(): number {
    for (let n = 0; n < 2768; n++) {
      const port = 30000 + ((this.portCursor + n) % 2768);
      if (!this.ports.has(port)) {
        this.portCursor = port - 30000 + 1;
        this.ports.add(port);
        return port;
      }
    }
    throw new ValidationError('spec.ports.nodePort: Internal error: range is full');
  }
}

function checkName(def: ResourceDef, name: unknown): void {
  if (typeof name !== 'string' || name === '') throw new ValidationError(`${def.kind}: metadata.name: Required value: name or generateName is required`);
  const [re, what, max] =
    // Services: DNS-1123 labels, as a server with RelaxedServiceNameValidation (KEP-5311) accepts;
    // Kubernetes' own e2e suite checks "a service name that starts with a digit". Namespaces likewise.
    def.kind === 'Service' ? [DNS1123_LABEL, 'a DNS-1123 label', 63] : def.kind === 'Namespace' ? [DNS1123_LABEL, 'a DNS-1123 label', 63] : [DNS1123_SUBDOMAIN, 'a DNS-1123 subdomain', 253];
  if (name.length > max || !re.test(name)) throw new ValidationError(`${def.kind} "${name}" is invalid: metadata.name: Invalid value: "${name}": must be ${what}`);
}

const family = (ip: string): string => (ip.includes(':') ? 'IPv6' : 'IPv4');
const withProtocol = (ports: any[] | undefined): any[] | undefined => ports?.map((p) => ({ ...p, protocol: p.protocol ?? 'TCP' }));

/** Syncs a singular IP field with its plural list, as the v1 conversion does (the list wins). */
function syncIPs(o: any, one: string, many: string): void {
  if (Array.isArray(o[many]) && o[many].length > 0) o[one] = o[many][0].ip;
  else if (o[one]) o[many] = [{ ip: o[one] }];
}

function defaultService(spec: any, old: any, alloc: Allocator): any {
  const s = { ...spec, type: spec.type ?? 'ClusterIP', sessionAffinity: spec.sessionAffinity ?? 'None' };
  s.ports = withProtocol(s.ports)?.map((p: any) => ({ ...p, targetPort: p.targetPort ?? p.port }));
  if (s.type === 'ExternalName') {
    if (!s.externalName) throw new ValidationError('spec.externalName: Required value');
    return s;
  }
  if (Array.isArray(s.clusterIPs) && s.clusterIPs.length > 0) s.clusterIP = s.clusterIPs[0];
  if (!s.clusterIP) s.clusterIP = old?.spec?.clusterIP ?? alloc.nextIP();
  if (!Array.isArray(s.clusterIPs) || s.clusterIPs.length === 0) s.clusterIPs = old?.spec?.clusterIP === s.clusterIP ? old.spec.clusterIPs : [s.clusterIP];
  s.ipFamilies ??= s.clusterIP === 'None' ? ['IPv4'] : s.clusterIPs.map(family);
  s.ipFamilyPolicy ??= s.clusterIPs.length > 1 ? 'RequireDualStack' : 'SingleStack';
  s.internalTrafficPolicy ??= 'Cluster';
  if (s.type === 'NodePort' || s.type === 'LoadBalancer') {
    s.externalTrafficPolicy ??= 'Cluster';
    s.ports = s.ports?.map((p: any) => ({ ...p, nodePort: p.nodePort ?? alloc.nextPort() }));
    if (s.type === 'LoadBalancer') s.allocateLoadBalancerNodePorts ??= true;
  }
  return s;
}

/**
 * Returns the object as the server would store it (a fresh copy; server metadata is set by the store).
 * `old` is the stored version on update. Throws ValidationError.
 */
export function applyDefaults(def: ResourceDef, input: any, old: any, alloc: Allocator): any {
  const o = structuredClone(input);
  checkName(def, o.metadata?.name);
  const ns = o.metadata.namespace;
  if (def.namespaced && (typeof ns !== 'string' || ns.length > 63 || !DNS1123_LABEL.test(ns))) {
    throw new ValidationError(`${def.kind} "${o.metadata.name}" is invalid: metadata.namespace: Invalid value: "${ns ?? ''}": must be a DNS-1123 label`);
  }
  switch (def.kind) {
    case 'Namespace':
      o.metadata.labels = { ...o.metadata.labels, 'kubernetes.io/metadata.name': o.metadata.name };
      o.spec = { finalizers: ['kubernetes'], ...o.spec };
      o.status = { phase: 'Active', ...o.status };
      break;
    case 'Service':
      o.spec = defaultService(o.spec ?? {}, old, alloc);
      break;
    case 'Pod':
      o.spec = { restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler', terminationGracePeriodSeconds: 30, ...o.spec };
      o.spec.containers = o.spec.containers?.map((c: any) => ({ ...c, ports: withProtocol(c.ports) }));
      o.status = { phase: 'Pending', ...o.status };
      syncIPs(o.status, 'podIP', 'podIPs');
      syncIPs(o.status, 'hostIP', 'hostIPs');
      break;
    case 'Endpoints':
      o.subsets = o.subsets?.map((s: any) => ({ ...s, ports: withProtocol(s.ports) }));
      break;
    case 'EndpointSlice':
      if (!['IPv4', 'IPv6', 'FQDN'].includes(o.addressType)) {
        throw new ValidationError(`EndpointSlice "${o.metadata.name}" is invalid: addressType: Unsupported value: "${o.addressType ?? ''}": supported values: "FQDN", "IPv4", "IPv6"`);
      }
      o.endpoints = Array.isArray(o.endpoints) && o.endpoints.length > 0 ? o.endpoints : null;
      o.ports = withProtocol(o.ports);
      break;
  }
  return o;
}
