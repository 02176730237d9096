/** What each option changes in the answers, beyond the conformance corpus. */
import { describe, expect, it } from 'vitest';
import { Type } from '../../dns/constants.js';
import { makeRequest } from '../../plugin/testing.js';
import { ask, fixtureSource, kubernetesFrom } from './testing.js';

const BLOCK = (opts: string) => `.:53 {\n kubernetes cluster.local in-addr.arpa ip6.arpa {\n  ttl 30\n  ${opts}\n }\n}`;

describe('options', () => {
  it('ptr_hostname_only: an IP with a hostname endpoint gets only hostname PTRs', async () => {
    const s = fixtureSource();
    // hdls-0's IP is also an endpoint (no hostname) of a second service.
    const hdls = s.snapshot().endpointSlices.get('testns/hdls-p2l5x')!;
    s.upsert('EndpointSlice', { ...hdls, name: 'lb-0', serviceName: 'lb-0', endpoints: [{ ...hdls.endpoints[0]!, hostname: '' }] });
    const plain = kubernetesFrom(BLOCK(''), s);
    const only = kubernetesFrom(BLOCK('ptr_hostname_only'), s);
    const q = '20.1.244.10.in-addr.arpa.';
    expect((await ask(plain, q, Type.PTR)).answer).toEqual([
      `${q} 30 IN PTR 10-244-1-20.lb-0.testns.svc.cluster.local.`,
      `${q} 30 IN PTR hdls-0.hdls.testns.svc.cluster.local.`,
    ]);
    expect((await ask(only, q, Type.PTR)).answer).toEqual([`${q} 30 IN PTR hdls-0.hdls.testns.svc.cluster.local.`]);
    // Without any hostname endpoint the dashed name is still answered.
    expect((await ask(only, '10.1.244.10.in-addr.arpa.', Type.PTR)).answer).toHaveLength(2);
  });

  it('namespace_labels hides the PTRs and pod records of other namespaces too', async () => {
    const k = kubernetesFrom(BLOCK('pods insecure\n namespace_labels dns-exposed=true'));
    expect((await ask(k, '2.20.96.10.in-addr.arpa.', Type.PTR)).rcode).toBe('NXDOMAIN');
    expect((await ask(k, '60.2.244.10.in-addr.arpa.', Type.PTR)).rcode).toBe('NXDOMAIN');
    expect((await ask(k, '1.10.96.10.in-addr.arpa.', Type.PTR)).rcode).toBe('NOERROR');
    expect((await ask(k, '1-2-3-4.otherns.pod.cluster.local.', Type.A)).rcode).toBe('NXDOMAIN');
    expect((await ask(k, '1-2-3-4.testns.pod.cluster.local.', Type.A)).rcode).toBe('NOERROR');
  });

  it('namespaces hides pod records of other namespaces', async () => {
    const k = kubernetesFrom(BLOCK('pods insecure\n namespaces testns'));
    expect((await ask(k, '1-2-3-4.otherns.pod.cluster.local.', Type.A)).rcode).toBe('NXDOMAIN');
    expect((await ask(k, 'otherns.pod.cluster.local.', Type.A)).rcode).toBe('NXDOMAIN');
    expect((await ask(k, '60.2.244.10.in-addr.arpa.', Type.PTR)).rcode).toBe('NXDOMAIN');
  });

  it('pods verified: only a pod of that namespace with that podIP, finished pods excluded', async () => {
    const k = kubernetesFrom(BLOCK('pods verified'));
    expect((await ask(k, '10-244-1-10.testns.pod.cluster.local.', Type.A)).rcode).toBe('NOERROR');
    expect((await ask(k, '10-244-1-10.otherns.pod.cluster.local.', Type.A)).rcode).toBe('NXDOMAIN');
    expect((await ask(k, '10-244-2-50.testns.pod.cluster.local.', Type.A)).rcode).toBe('NXDOMAIN');
    expect((await ask(k, 'fd00-10-244-2--14.testns.pod.cluster.local.', Type.AAAA)).answer).toEqual([
      'fd00-10-244-2--14.testns.pod.cluster.local. 30 IN AAAA fd00:10:244:2::14',
    ]);
  });

  it('noendpoints: no endpoint names, no endpoint PTRs, ClusterIP names stay', async () => {
    const k = kubernetesFrom(BLOCK('noendpoints'));
    expect((await ask(k, '10-244-1-10.svc1.testns.svc.cluster.local.', Type.A)).rcode).toBe('NXDOMAIN');
    expect((await ask(k, '10.1.244.10.in-addr.arpa.', Type.PTR)).rcode).toBe('NXDOMAIN');
    expect((await ask(k, 'svc1.testns.svc.cluster.local.', Type.A)).rcode).toBe('NOERROR');
  });

  it('ignore empty_service drops the ports and endpoints of an empty ClusterIP service as well', async () => {
    const k = kubernetesFrom(BLOCK('ignore empty_service'));
    expect((await ask(k, '_http._tcp.svc-empty.testns.svc.cluster.local.', Type.SRV)).rcode).toBe('NXDOMAIN');
    expect((await ask(k, 'svc-ext.testns.svc.cluster.local.', Type.CNAME)).rcode).toBe('NOERROR');
  });

  it('endpoint_pod_names names endpoints by pod, in SRV targets too', async () => {
    const k = kubernetesFrom(BLOCK('endpoint_pod_names'));
    const r = await ask(k, '_http._tcp.svc1.testns.svc.cluster.local.', Type.SRV);
    expect(r.answer).toEqual(['_http._tcp.svc1.testns.svc.cluster.local. 30 IN SRV 0 100 80 svc1.testns.svc.cluster.local.']);
    const e = await ask(k, 'web-6d8f9b7c4-abcde.svc1.testns.svc.cluster.local.', Type.SRV);
    expect(e.answer).toEqual([
      'web-6d8f9b7c4-abcde.svc1.testns.svc.cluster.local. 30 IN SRV 0 100 8080 web-6d8f9b7c4-abcde.svc1.testns.svc.cluster.local.',
    ]);
  });
});

describe('autoPath', () => {
  const verified = kubernetesFrom(BLOCK('pods verified'));

  it('gives the client pod namespace search path, then the host search list, then the name as is', () => {
    verified.hostSearch = ['corp.example.'];
    const req = makeRequest('svc1.testns.svc.cluster.local.', Type.A, { remoteAddress: '127.0.0.1' });
    expect(verified.autoPath(req)).toEqual(['testns.svc.cluster.local.', 'svc.cluster.local.', 'cluster.local.', 'corp.example.', '']);
    expect(verified.autoPath({ ...req, remoteAddress: '::ffff:127.0.0.1' })).toEqual(verified.autoPath(req));
    expect(verified.autoPath({ ...req, remoteAddress: '10.244.2.60' })![0]).toBe('otherns.svc.cluster.local.');
  });

  it('is null for unknown clients, other zones, and without pods verified', () => {
    expect(verified.autoPath(makeRequest('svc1.testns.svc.cluster.local.', Type.A, { remoteAddress: '192.0.2.99' }))).toBeNull();
    expect(verified.autoPath(makeRequest('example.org.', Type.A, { remoteAddress: '127.0.0.1' }))).toBeNull();
    const insecure = kubernetesFrom(BLOCK('pods insecure'));
    expect(insecure.autoPath(makeRequest('svc1.testns.svc.cluster.local.', Type.A, { remoteAddress: '127.0.0.1' }))).toBeNull();
  });
});
