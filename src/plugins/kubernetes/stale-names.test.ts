import { describe, expect, it } from 'vitest';
import type { SlimService } from '../../kube/objects.js';
import { staleNames } from './stale-names.js';

const svc = (ips: string[]): SlimService => ({
  namespace: 'ns', name: 'web', resourceVersion: '1', type: 'ClusterIP', clusterIPs: ips, headless: false,
  externalName: '', ports: [], publishNotReadyAddresses: false,
});

describe('staleNames', () => {
  it('a Service: its names under the cluster zone and the PTRs of its old and new IPs', () => {
    const names = staleNames({ kind: 'Service', type: 'upsert', obj: svc(['10.96.0.2']), old: svc(['10.96.0.1']) }, ['cluster.local.', 'in-addr.arpa.', 'ip6.arpa.']);
    expect(names.sort()).toEqual(['1.0.96.10.in-addr.arpa.', '2.0.96.10.in-addr.arpa.', 'web.ns.svc.cluster.local.']);
  });
  it('an EndpointSlice: the service and each endpoint address (IPv6 as nibbles)', () => {
    const names = staleNames({
      kind: 'EndpointSlice', type: 'delete',
      obj: { namespace: 'ns', name: 'web-x', resourceVersion: '1', serviceName: 'web', addressType: 'IPv6', ports: [],
        endpoints: [{ addresses: ['fd00::1'], hostname: '', nodeName: '', targetRefName: '', ready: true, serving: true, terminating: false }] },
    }, ['cluster.local.']);
    expect(names).toContain('web.ns.svc.cluster.local.');
    expect(names).toContain(`1.${'0.'.repeat(29)}d.f.ip6.arpa.`);
  });
  it('a Namespace: its svc and pod subtrees', () => {
    expect(staleNames({ kind: 'Namespace', type: 'upsert', obj: { name: 'shop', resourceVersion: '1', labels: {} } }, ['cluster.local.']).sort())
      .toEqual(['shop.pod.cluster.local.', 'shop.svc.cluster.local.']);
  });
});
