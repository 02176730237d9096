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

/** Tokens over a set of existing Services (ns/name), kept up to date by `tokens.changed` as the plugin does. */
function tokensOver(existing: string[]): { t: WireTokens; live: Set<string>; change: (ev: Parameters<WireTokens['changed']>[0]) => void } {
  const live = new Set(existing);
  const t = new WireTokens((key) => live.has(key));
  const change = (ev: Parameters<WireTokens['changed']>[0]) => {
    if (ev.kind === 'Service') {
      const key = `${ev.obj.namespace}/${ev.obj.name}`;
      if (ev.type === 'delete') live.delete(key);
      else live.add(key);
    }
    t.changed(ev);
  };
  return { t, live, change };
}

describe('WireTokens', () => {
  it('a change to one Service (or its slices) leaves the tokens of other Services valid', () => {
    const { t } = tokensOver(['ns/web', 'ns/db']);
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
  it('a not-yet-existing Service name shares the absent token, which creating a Service flips', () => {
    const { t, change } = tokensOver(['ns/web']);
    const fresh = t.for('fresh.ns.svc.cluster.local.', Z, false);
    const typo = t.for('_http._tcp.typo.ns.svc.cluster.local.', Z, false);
    const web = t.for('web.ns.svc.cluster.local.', Z, false);
    expect(typo).toBe(fresh);
    change({ kind: 'Service', type: 'upsert', obj: svc('fresh') });
    expect(fresh.valid).toBe(false);
    expect(web.valid).toBe(true);
    // Now it exists: a token of its own.
    const own = t.for('fresh.ns.svc.cluster.local.', Z, false);
    expect(own.valid).toBe(true);
    expect(t.for('typo.ns.svc.cluster.local.', Z, false)).not.toBe(own);
  });
  it('CNAME answers and namespace changes use / flip everything', () => {
    const { t } = tokensOver(['ns/ext', 'ns/web']);
    const ext = t.for('ext.ns.svc.cluster.local.', Z, true);
    t.changed({ kind: 'Service', type: 'upsert', obj: svc('other') });
    expect(ext.valid).toBe(false);
    const web = t.for('web.ns.svc.cluster.local.', Z, false);
    t.changed({ kind: 'Namespace', type: 'upsert', obj: { name: 'ns', resourceVersion: '2', labels: {} } });
    expect(web.valid).toBe(false);
  });
  it('holds tokens of existing Services only: names of deleted Services asked again do not pile up', () => {
    const { t, change } = tokensOver(['ns/kept']);
    const kept = t.for('kept.ns.svc.cluster.local.', Z, false);
    for (let i = 0; i < 1000; i++) {
      change({ kind: 'Service', type: 'upsert', obj: svc(`churn-${i}`) });
      t.for(`churn-${i}.ns.svc.cluster.local.`, Z, false);
      change({ kind: 'Service', type: 'delete', obj: svc(`churn-${i}`) });
      // Asked after the delete (the NXDOMAIN a client sees): no entry of its own.
      t.for(`churn-${i}.ns.svc.cluster.local.`, Z, false);
    }
    expect(t.size).toBe(1);
    expect(kept.valid).toBe(true);
    change({ kind: 'Service', type: 'upsert', obj: svc('kept') });
    expect(kept.valid).toBe(false);
    expect(t.size).toBe(0);
  });
});
