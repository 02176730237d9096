/**
 * The simulated cluster every scenario uses, generated deterministically from its size: N
 * ClusterIP Services (50 per namespace, one named TCP port) each with one EndpointSlice of 3 ready
 * endpoints. The same model feeds the API simulator, Knot's zone file and the query files, so the
 * product and the reference serve exactly the same names.
 */

/** Services per namespace. */
export const PER_NAMESPACE = 50;
/** Endpoints per Service (one EndpointSlice each). */
export const ENDPOINTS = 3;
/** The cluster domain. */
export const ZONE = 'cluster.local';

/** Where service `i` lives. */
export function serviceAt(i: number): { name: string; namespace: string; fqdn: string } {
  const name = `svc-${i}`;
  const namespace = `ns-${Math.floor(i / PER_NAMESPACE)}`;
  return { name, namespace, fqdn: `${name}.${namespace}.svc.${ZONE}.` };
}

function ipv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Cluster IP of service `i`: 10.96.0.0/12 from 10.96.16.0 (clear of 10.96.0.1 and 10.96.0.10). */
export function clusterIP(i: number): string {
  return ipv4(((10 << 24) | (96 << 16)) + 16 * 256 + i);
}

/**
 * Pod IP of endpoint `e` of service `i` (10.128.0.0/9). `gen` > 0 moves the addresses of the
 * first 21 services to fresh ones no other service uses (for churn scenarios).
 */
export function podIP(i: number, e: number, gen = 0): string {
  const n = i * ENDPOINTS + e + (gen > 0 ? 4_000_000 + gen * 64 : 0);
  return ipv4(((10 << 24) | (128 << 16)) + 1 + (n % 8_000_000));
}

/** How many namespaces a cluster of `n` services spans. */
export function namespaceCount(n: number): number {
  return Math.ceil(n / PER_NAMESPACE);
}

/** The Namespace object `ns-k`. */
export function namespaceObject(k: number): object {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns-${k}` } };
}

/** The Service object for `i`. */
export function serviceObject(i: number): object {
  const s = serviceAt(i);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: s.name, namespace: s.namespace, labels: { app: s.name } },
    spec: {
      type: 'ClusterIP',
      clusterIP: clusterIP(i),
      selector: { app: s.name },
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }],
    },
  };
}

/** The EndpointSlice of service `i`; `gen` changes its addresses. */
export function sliceObject(i: number, gen = 0): object {
  const s = serviceAt(i);
  const endpoints = [];
  for (let e = 0; e < ENDPOINTS; e++) {
    endpoints.push({
      addresses: [podIP(i, e, gen)],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: `node-${(i + e) % 100}`,
      targetRef: { kind: 'Pod', namespace: s.namespace, name: `${s.name}-pod-${e}` },
    });
  }
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${s.name}-x7k2p`, namespace: s.namespace, labels: { 'kubernetes.io/service-name': s.name, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } },
    addressType: 'IPv4',
    endpoints,
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  };
}

/** Every object of a cluster of `n` services, namespaces first. */
export function* clusterObjects(n: number): Generator<object> {
  for (let k = 0; k < namespaceCount(n); k++) yield namespaceObject(k);
  for (let i = 0; i < n; i++) {
    yield serviceObject(i);
    yield sliceObject(i);
  }
}

/** A small seeded PRNG (mulberry32), so query files are the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
