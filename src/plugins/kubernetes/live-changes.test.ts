/** Watch events change answers at once: no stale record after a delete, no stale NXDOMAIN after a create. */
import { describe, expect, it, vi } from 'vitest';
import { Type } from '../../dns/constants.js';
import type { SlimEndpointSlice, SlimService } from '../../kube/objects.js';
import { FakeSource } from './fake-source.js';
import { ask, fixtureSource, kubernetesFrom } from './testing.js';

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

  it('one slice change recomputes only its service and its IPs', () => {
    const s = fixtureSource();
    const k = kubernetesFrom(BLOCK(), s);
    const fwd = vi.spyOn(k.cluster.forward, 'put');
    const rev = vi.spyOn(k.cluster.reverse, 'put');
    const hdls = s.snapshot().endpointSlices.get('testns/hdls-p2l5x')!;
    s.upsert('EndpointSlice', { ...hdls, resourceVersion: '99', endpoints: hdls.endpoints.slice(0, 1) });
    expect(fwd.mock.calls.map((c) => c[0])).toEqual(['svc:testns/hdls']);
    expect(rev.mock.calls.map((c) => c[0]).sort()).toEqual(['ptr:10.244.1.20', 'ptr:10.244.2.21']);
  });

  it('stops following the source when closed', async () => {
    const s = fixtureSource();
    const k = kubernetesFrom(BLOCK(), s);
    const before = s.subscribers;
    k.close();
    expect(s.subscribers).toBe(before - 1);
    s.upsert('Service', service('after-close'));
    expect((await ask(k, 'after-close.testns.svc.cluster.local.', Type.A)).rcode).toBe('NXDOMAIN');
  });
});
