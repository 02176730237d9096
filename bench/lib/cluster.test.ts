import { describe, expect, it } from 'vitest';
import { clusterIP, clusterObjects, ENDPOINTS, namespaceCount, podIP, rng, serviceAt } from './cluster.ts';

describe('generated cluster', () => {
  it('gives 50,000 services distinct cluster IPs inside 10.96.0.0/12, clear of the kubernetes and DNS IPs', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50_000; i++) {
      const ip = clusterIP(i);
      const [a, b] = ip.split('.').map(Number) as [number, number];
      expect(a).toBe(10);
      expect(b >= 96 && b <= 111).toBe(true);
      seen.add(ip);
    }
    expect(seen.size).toBe(50_000);
    expect(seen.has('10.96.0.1')).toBe(false);
    expect(seen.has('10.96.0.10')).toBe(false);
  });

  it('gives every endpoint its own pod IP, and churned addresses collide with none of them', () => {
    const base = new Set<string>();
    for (let i = 0; i < 50_000; i++) for (let e = 0; e < ENDPOINTS; e++) base.add(podIP(i, e));
    expect(base.size).toBe(50_000 * ENDPOINTS);
    const churned = new Set<string>();
    for (let gen = 1; gen <= 600; gen++) for (let i = 0; i < 10; i++) for (let e = 0; e < ENDPOINTS; e++) churned.add(podIP(i, e, gen));
    expect(churned.size).toBe(600 * 10 * ENDPOINTS);
    for (const ip of churned) expect(base.has(ip)).toBe(false);
  });

  it('emits namespaces, then each service with its slice, named as serviceAt says', () => {
    const objs = [...clusterObjects(120)] as Array<{ kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } }>;
    expect(objs.filter((o) => o.kind === 'Namespace')).toHaveLength(namespaceCount(120));
    expect(namespaceCount(120)).toBe(3);
    const svc = objs.find((o) => o.kind === 'Service' && o.metadata.name === 'svc-119')!;
    expect(svc.metadata.namespace).toBe(serviceAt(119).namespace);
    const slice = objs.find((o) => o.kind === 'EndpointSlice' && o.metadata.labels?.['kubernetes.io/service-name'] === 'svc-119') as unknown as { endpoints: unknown[] };
    expect(slice.endpoints).toHaveLength(ENDPOINTS);
    expect(serviceAt(119).fqdn).toBe('svc-119.ns-2.svc.cluster.local.');
  });

  it('has a seeded PRNG that repeats for a seed and differs across seeds', () => {
    const a = rng(7);
    const b = rng(7);
    const c = rng(8);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });
});
