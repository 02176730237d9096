import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { SlimEndpointSlice, SlimService } from '../../kube/objects.js';
import { serviceKey, WireTokens } from './wire-tokens.js';

const Z = 'cluster.local.';
const svc = (name: string, ns = 'ns'): SlimService => ({
  namespace: ns, name, resourceVersion: '1', type: 'ClusterIP', clusterIPs: ['10.0.0.1'], headless: false, externalName: '', ports: [], publishNotReadyAddresses: false,
});
const slice = (svcName: string): SlimEndpointSlice => ({ namespace: 'ns', name: `${svcName}-x`, resourceVersion: '1', serviceName: svcName, addressType: 'IPv4', endpoints: [], ports: [] });

describe('serviceKey', () => {
  it.each([
    ['web.ns.svc.cluster.local.', 'ns/web'],
    ['_http._tcp.web.ns.svc.cluster.local.', 'ns/web'],
    ['10-0-0-1.web.ns.svc.cluster.local.', 'ns/web'],
    ['ns.svc.cluster.local.', undefined],
    ['svc.cluster.local.', undefined],
    ['1-2-3-4.ns.pod.cluster.local.', undefined],
    ['cluster.local.', undefined],
  ])('%s -> %s', (q, want) => {
    expect(serviceKey(q, Z)).toBe(want);
  });
});

describe('WireTokens', () => {
  it('a change to one Service (or its slices) leaves the tokens of other Services valid', () => {
    const t = new WireTokens();
    const web = t.for('web.ns.svc.cluster.local.', Z, false);
    const db = t.for('_pg._tcp.db.ns.svc.cluster.local.', Z, false);
    const ptr = t.for('1.0.0.10.in-addr.arpa.', 'in-addr.arpa.', false);
    t.changed({ kind: 'EndpointSlice', type: 'upsert', obj: slice('web') });
    expect(web.valid).toBe(false);
    expect(db.valid).toBe(true);
    expect(ptr.valid).toBe(false);
    expect(t.for('web.ns.svc.cluster.local.', Z, false)).not.toBe(web);
    t.changed({ kind: 'Service', type: 'delete', obj: svc('db') });
    expect(db.valid).toBe(false);
  });
  it('a not-yet-existing Service name is vouched per Service, so creating it flips its NXDOMAIN', () => {
    const t = new WireTokens();
    const fresh = t.for('fresh.ns.svc.cluster.local.', Z, false);
    t.changed({ kind: 'Service', type: 'upsert', obj: svc('fresh') });
    expect(fresh.valid).toBe(false);
  });
  it('CNAME answers and namespace changes use / flip everything', () => {
    const t = new WireTokens();
    const ext = t.for('ext.ns.svc.cluster.local.', Z, true);
    t.changed({ kind: 'Service', type: 'upsert', obj: svc('other') });
    expect(ext.valid).toBe(false);
    const web = t.for('web.ns.svc.cluster.local.', Z, false);
    t.changed({ kind: 'Namespace', type: 'upsert', obj: { name: 'ns', resourceVersion: '2', labels: {} } });
    expect(web.valid).toBe(false);
  });
  it('forgets the tokens no kept reply holds: names of deleted Services asked once do not pile up', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const t = new WireTokens();
    // A reply still kept (held here, as the wire cache holds it) keeps its token in the table...
    const kept = t.for('kept.ns.svc.cluster.local.', Z, false);
    // ...while 1,000 NXDOMAINs of deleted Services, each asked once, are dropped by the cache.
    const churn = (): void => {
      for (let i = 0; i < 1000; i++) {
        t.changed({ kind: 'Service', type: 'delete', obj: svc(`churn-${i}`) });
        t.for(`churn-${i}.ns.svc.cluster.local.`, Z, false);
      }
    };
    churn();
    expect(t.size).toBe(1001);
    for (let i = 0; i < 50 && t.size > 1; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(t.size).toBe(1);
    // The kept token still follows its Service.
    t.changed({ kind: 'Service', type: 'upsert', obj: svc('kept') });
    expect(kept.valid).toBe(false);
    expect(t.size).toBe(0);
  });
});
