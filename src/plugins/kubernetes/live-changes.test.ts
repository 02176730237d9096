/** Watch events change answers at once: no stale record after a delete, no stale NXDOMAIN after a create. */
import { describe, expect, it, vi } from 'vitest';
import { Type } from '../../dns/constants.js';
import type { SlimEndpointSlice, SlimService } from '../../kube/objects.js';
import { registerCache } from '../../plugin/invalidation.js';
import { FakeSource } from './fake-source.js';
import { serviceEntries } from './service-records.js';
import { ask, fixtureSource, kubernetesFrom } from './testing.js';

// Counts the computations of Service names (behaviour unchanged).
vi.mock('./service-records.js', async (load) => {
  const real = await load<typeof import('./service-records.js')>();
  return { ...real, serviceEntries: vi.fn(real.serviceEntries) };
});

const BLOCK = (opts = '') => `.:53 {\n kubernetes cluster.local in-addr.arpa ip6.arpa {\n  ttl 30\n  ${opts}\n }\n}`;

const service = (name: string, over: Partial<SlimService> = {}): SlimService => ({
  namespace: 'testns', name, resourceVersion: '1', type: 'ClusterIP', clusterIPs: ['10.96.99.1'], headless: false,
  externalName: '', ports: [{ name: 'http', port: 80, protocol: 'TCP' }], publishNotReadyAddresses: false, ...over,
});

const slice = (svc: string, ips: string[], over: Partial<SlimEndpointSlice> = {}): SlimEndpointSlice => ({
  namespace: 'testns', name: `${svc}-abc`, resourceVersion: '1', serviceName: svc, addressType: 'IPv4',
  endpoints: ips.map((ip, i) => ({ addresses: [ip], hostname: `${svc}-${i}`, nodeName: '', targetRefName: '', ready: true, serving: true, terminating: false })),
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], ...over,
});

describe('live changes', () => {
  it('Service create, update, delete', async () => {
    const s = fixtureSource();
    const k = kubernetesFrom(BLOCK(), s);
    const name = 'fresh.testns.svc.cluster.local.';
    expect((await ask(k, name, Type.A)).rcode).toBe('NXDOMAIN');
    s.upsert('Service', service('fresh'));
    expect((await ask(k, name, Type.A)).answer).toEqual([`${name} 30 IN A 10.96.99.1`]);
    expect((await ask(k, '1.99.96.10.in-addr.arpa.', Type.PTR)).answer).toEqual(['1.99.96.10.in-addr.arpa. 30 IN PTR fresh.testns.svc.cluster.local.']);
    s.upsert('Service', service('fresh', { resourceVersion: '2', clusterIPs: ['10.96.99.2'], ports: [{ name: 'grpc', port: 9000, protocol: 'TCP' }] }));
    expect((await ask(k, name, Type.A)).answer).toEqual([`${name} 30 IN A 10.96.99.2`]);
    expect((await ask(k, '1.99.96.10.in-addr.arpa.', Type.PTR)).rcode).toBe('NXDOMAIN');
    expect((await ask(k, `_http._tcp.${name}`, Type.SRV)).rcode).toBe('NXDOMAIN');
    expect((await ask(k, `_grpc._tcp.${name}`, Type.SRV)).answer).toEqual([`_grpc._tcp.${name} 30 IN SRV 0 100 9000 ${name}`]);
    s.delete('Service', service('fresh'));
    expect((await ask(k, name, Type.A)).rcode).toBe('NXDOMAIN');
    expect((await ask(k, `_grpc._tcp.${name}`, Type.SRV)).rcode).toBe('NXDOMAIN');
    expect((await ask(k, '2.99.96.10.in-addr.arpa.', Type.PTR)).rcode).toBe('NXDOMAIN');
  });

  it('EndpointSlice create, update, delete on a headless service', async () => {
    const s = fixtureSource();
    const k = kubernetesFrom(BLOCK(), s);
    s.upsert('Service', service('db', { clusterIPs: ['None'], headless: true }));
    const name = 'db.testns.svc.cluster.local.';
    expect((await ask(k, name, Type.A)).rcode).toBe('NXDOMAIN');
    s.upsert('EndpointSlice', slice('db', ['10.244.9.1', '10.244.9.2']));
    expect((await ask(k, name, Type.A)).answer).toEqual([`${name} 30 IN A 10.244.9.1`, `${name} 30 IN A 10.244.9.2`]);
    expect((await ask(k, `db-1.${name}`, Type.A)).answer).toEqual([`db-1.${name} 30 IN A 10.244.9.2`]);
    expect((await ask(k, '2.9.244.10.in-addr.arpa.', Type.PTR)).answer).toEqual([`2.9.244.10.in-addr.arpa. 30 IN PTR db-1.${name}`]);
    // The second endpoint turns unready.
    const next = slice('db', ['10.244.9.1', '10.244.9.2'], { resourceVersion: '2' });
    next.endpoints[1] = { ...next.endpoints[1]!, ready: false };
    s.upsert('EndpointSlice', next);
    expect((await ask(k, name, Type.A)).answer).toEqual([`${name} 30 IN A 10.244.9.1`]);
    expect((await ask(k, `db-1.${name}`, Type.A)).rcode).toBe('NXDOMAIN');
    expect((await ask(k, '2.9.244.10.in-addr.arpa.', Type.PTR)).rcode).toBe('NXDOMAIN');
    s.delete('EndpointSlice', next);
    expect((await ask(k, name, Type.A)).rcode).toBe('NXDOMAIN');
    expect((await ask(k, `_http._tcp.${name}`, Type.SRV)).rcode).toBe('NXDOMAIN');
    expect((await ask(k, '1.9.244.10.in-addr.arpa.', Type.PTR)).rcode).toBe('NXDOMAIN');
  });

  it('a slice moving to another service updates both', async () => {
    const s = fixtureSource();
    const k = kubernetesFrom(BLOCK(), s);
    s.upsert('Service', service('a', { clusterIPs: ['None'], headless: true }));
    s.upsert('Service', service('b', { clusterIPs: ['None'], headless: true }));
    s.upsert('EndpointSlice', slice('a', ['10.244.9.5'], { name: 'moving' }));
    expect((await ask(k, 'a.testns.svc.cluster.local.', Type.A)).rcode).toBe('NOERROR');
    s.upsert('EndpointSlice', slice('b', ['10.244.9.5'], { name: 'moving', resourceVersion: '2' }));
    expect((await ask(k, 'a.testns.svc.cluster.local.', Type.A)).rcode).toBe('NXDOMAIN');
    expect((await ask(k, 'b.testns.svc.cluster.local.', Type.A)).answer).toEqual(['b.testns.svc.cluster.local. 30 IN A 10.244.9.5']);
    expect((await ask(k, '5.9.244.10.in-addr.arpa.', Type.PTR)).answer).toEqual(['5.9.244.10.in-addr.arpa. 30 IN PTR b-0.b.testns.svc.cluster.local.']);
  });

  it('an IP two slices share keeps its PTRs from the other slice when one drops it; a slice back with its Service is found again', async () => {
    const s = fixtureSource();
    const k = kubernetesFrom(BLOCK(), s);
    for (const n of ['a', 'b']) s.upsert('Service', service(n, { clusterIPs: ['None'], headless: true }));
    const ptr = '7.9.244.10.in-addr.arpa.';
    s.upsert('EndpointSlice', slice('a', ['10.244.9.7']));
    s.upsert('EndpointSlice', slice('b', ['10.244.9.7']));
    expect((await ask(k, ptr, Type.PTR)).answer.sort()).toEqual([`${ptr} 30 IN PTR a-0.a.testns.svc.cluster.local.`, `${ptr} 30 IN PTR b-0.b.testns.svc.cluster.local.`]);
    s.upsert('EndpointSlice', slice('a', ['10.244.9.8'], { resourceVersion: '2' }));
    expect((await ask(k, ptr, Type.PTR)).answer).toEqual([`${ptr} 30 IN PTR b-0.b.testns.svc.cluster.local.`]);
    // Unlinked from its Service (no label), then linked again: the index follows each state.
    s.upsert('EndpointSlice', slice('a', ['10.244.9.8'], { resourceVersion: '3', serviceName: '' }));
    expect((await ask(k, 'a.testns.svc.cluster.local.', Type.A)).rcode).toBe('NXDOMAIN');
    s.upsert('EndpointSlice', slice('a', ['10.244.9.8'], { resourceVersion: '4' }));
    expect((await ask(k, 'a.testns.svc.cluster.local.', Type.A)).answer).toEqual(['a.testns.svc.cluster.local. 30 IN A 10.244.9.8']);
    s.delete('EndpointSlice', slice('b', []));
    expect((await ask(k, ptr, Type.PTR)).rcode).toBe('NXDOMAIN');
    expect((await ask(k, '8.9.244.10.in-addr.arpa.', Type.PTR)).answer).toEqual(['8.9.244.10.in-addr.arpa. 30 IN PTR a-0.a.testns.svc.cluster.local.']);
    // Answers are checked against the objects, so a stale index entry would not show in them:
    // the indexes themselves must hold nothing of these objects once they are gone.
    const indexes = k.cluster as unknown as Record<'slicesOfSvc' | 'slicesOfIP' | 'svcsOfIP', Map<string, unknown>>;
    const before = { svc: indexes.slicesOfSvc.size, ip: indexes.slicesOfIP.size };
    s.delete('EndpointSlice', slice('a', []));
    for (const n of ['a', 'b']) s.delete('Service', service(n));
    expect({ svc: indexes.slicesOfSvc.size, ip: indexes.slicesOfIP.size }).toEqual({ svc: before.svc - 1, ip: before.ip - 1 });
    expect([...indexes.slicesOfIP.keys()].filter((ip) => ip.startsWith('10.244.9.'))).toEqual([]);
  });

  it('Pod create and delete with pods verified', async () => {
    const s = fixtureSource();
    const k = kubernetesFrom(BLOCK('pods verified'), s);
    const name = '10-244-7-7.testns.pod.cluster.local.';
    expect((await ask(k, name, Type.A)).rcode).toBe('NXDOMAIN');
    const pod = { namespace: 'testns', name: 'p', resourceVersion: '1', podIPs: ['10.244.7.7'], phase: 'Running', deleting: false, hostNetwork: false };
    s.upsert('Pod', pod);
    expect((await ask(k, name, Type.A)).answer).toEqual([`${name} 30 IN A 10.244.7.7`]);
    s.upsert('Pod', { ...pod, resourceVersion: '2', deleting: true });
    expect((await ask(k, name, Type.A)).rcode).toBe('NXDOMAIN');
    s.upsert('Pod', { ...pod, resourceVersion: '3' });
    expect((await ask(k, name, Type.A)).rcode).toBe('NOERROR');
    s.delete('Pod', pod);
    expect((await ask(k, name, Type.A)).rcode).toBe('NXDOMAIN');
  });

  it('Namespace create and delete expose and hide what is in it', async () => {
    const s = new FakeSource();
    const k = kubernetesFrom(BLOCK('pods insecure\n namespaces late'), s);
    s.upsert('Service', service('web', { namespace: 'late' }));
    s.upsert('EndpointSlice', slice('web', ['10.244.8.1'], { namespace: 'late' }));
    const name = 'web.late.svc.cluster.local.';
    expect((await ask(k, name, Type.A)).rcode).toBe('NXDOMAIN');
    expect((await ask(k, '1.99.96.10.in-addr.arpa.', Type.PTR)).rcode).toBe('NXDOMAIN');
    s.upsert('Namespace', { name: 'late', resourceVersion: '1', labels: {} });
    expect((await ask(k, name, Type.A)).answer).toEqual([`${name} 30 IN A 10.96.99.1`]);
    expect((await ask(k, 'late.svc.cluster.local.', Type.A)).rcode).toBe('NOERROR');
    expect((await ask(k, '1-2-3-4.late.pod.cluster.local.', Type.A)).rcode).toBe('NOERROR');
    expect((await ask(k, '1.99.96.10.in-addr.arpa.', Type.PTR)).rcode).toBe('NOERROR');
    expect((await ask(k, '1.8.244.10.in-addr.arpa.', Type.PTR)).rcode).toBe('NOERROR');
    s.delete('Namespace', { name: 'late', resourceVersion: '1', labels: {} });
    for (const q of [name, 'late.svc.cluster.local.', '1-2-3-4.late.pod.cluster.local.']) expect((await ask(k, q, Type.A)).rcode).toBe('NXDOMAIN');
    expect((await ask(k, '1.99.96.10.in-addr.arpa.', Type.PTR)).rcode).toBe('NXDOMAIN');
    expect((await ask(k, '1.8.244.10.in-addr.arpa.', Type.PTR)).rcode).toBe('NXDOMAIN');
  });

  it('a namespace relabelled out of namespace_labels disappears', async () => {
    const s = fixtureSource();
    const k = kubernetesFrom(BLOCK('namespace_labels dns-exposed=true'), s);
    expect((await ask(k, 'svc1.testns.svc.cluster.local.', Type.A)).rcode).toBe('NOERROR');
    s.upsert('Namespace', { name: 'testns', resourceVersion: '9', labels: { 'dns-exposed': 'false' } });
    expect((await ask(k, 'svc1.testns.svc.cluster.local.', Type.A)).rcode).toBe('NXDOMAIN');
    expect((await ask(k, '1.10.96.10.in-addr.arpa.', Type.PTR)).rcode).toBe('NXDOMAIN');
  });

  it('one slice change computes nothing; a question then computes only its Service', async () => {
    const s = fixtureSource();
    const k = kubernetesFrom(BLOCK(), s);
    const computed = vi.mocked(serviceEntries);
    computed.mockClear();
    const hdls = s.snapshot().endpointSlices.get('testns/hdls-p2l5x')!;
    s.upsert('EndpointSlice', { ...hdls, resourceVersion: '99', endpoints: hdls.endpoints.slice(0, 1) });
    expect(computed).not.toHaveBeenCalled();
    expect((await ask(k, 'hdls.testns.svc.cluster.local.', Type.A)).answer).toHaveLength(1);
    expect(computed.mock.calls.map((c) => `${c[0].namespace}/${c[0].name}`)).toEqual(['testns/hdls']);
  });

  it('before the first sync, caches drop the cluster zones once per burst of objects; then only what changed', async () => {
    const dropped: string[] = [];
    const unregister = registerCache({ invalidateZone: (z) => (dropped.push(z), 0) });
    try {
      const s = new FakeSource({ synced: false });
      kubernetesFrom(BLOCK(), s);
      for (const name of ['a', 'b', 'c']) s.upsert('Service', service(name));
      expect(dropped).toEqual([]);
      await new Promise((resolve) => setImmediate(resolve));
      expect(dropped).toEqual(['cluster.local.', 'in-addr.arpa.', 'ip6.arpa.']);
      dropped.length = 0;
      s.markSynced();
      s.upsert('Service', service('d', { clusterIPs: ['10.96.99.4'] }));
      expect(dropped.sort()).toEqual(['4.99.96.10.in-addr.arpa.', 'd.testns.svc.cluster.local.']);
      await new Promise((resolve) => setImmediate(resolve));
      expect(dropped).toHaveLength(2);
    } finally {
      unregister();
    }
  });

  it('stops following the source when closed', async () => {
    const s = fixtureSource();
    const k = kubernetesFrom(BLOCK(), s);
    const before = s.subscribers;
    k.close();
    expect(s.subscribers).toBe(before - 1);
    s.upsert('Service', service('after-close'));
    // Its indexes no longer change (names read the shared source's objects, which its owner keeps).
    expect((await ask(k, '1.99.96.10.in-addr.arpa.', Type.PTR)).rcode).toBe('NXDOMAIN');
  });
});
