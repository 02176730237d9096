import { describe, expect, it } from 'vitest';
import { ValidationError } from './defaults.ts';
import { resourceByKind } from './resources.ts';
import { Store, type StoreEvent } from './store.ts';
import { pod, service } from './test-kit.ts';

const SVC = resourceByKind('Service')!;
const NS = resourceByKind('Namespace')!;

describe('store', () => {
  it('stamps a global resourceVersion, uid and creationTimestamp; keeps uid on update', () => {
    const s = new Store(100);
    const a = s.apply(service('default', 'a')).obj;
    const b = s.apply(service('default', 'b')).obj;
    expect([a.metadata.resourceVersion, b.metadata.resourceVersion]).toEqual(['1', '2']);
    expect(a.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const a2 = s.apply({ ...service('default', 'a', { v: '2' }) }).obj;
    expect(a2.metadata.resourceVersion).toBe('3');
    expect(a2.metadata.uid).toBe(a.metadata.uid);
    expect(a2.spec.clusterIP).toBe(a.spec.clusterIP); // allocated IPs survive an update that omits them
    expect(Object.isFrozen(a2)).toBe(true);
  });

  it('skips no-op updates: no new resourceVersion, no event (as the real server)', () => {
    const s = new Store(100);
    const events: StoreEvent[] = [];
    s.of(SVC).subscribe((ev) => events.push(ev));
    s.apply(service('default', 'a', {}, '10.96.0.50'));
    const again = s.apply(service('default', 'a', {}, '10.96.0.50'));
    expect(again.changed).toBe(false);
    expect(s.rv).toBe(1);
    expect(events.map((e) => e.type)).toEqual(['ADDED']);
  });

  it('defaults like kube-apiserver: service IPs and ports, namespace label, pod IPs, empty slices as null', () => {
    const s = new Store(100);
    const svc = s.apply(service('default', 'a')).obj;
    expect(svc.spec).toMatchObject({ type: 'ClusterIP', clusterIP: '10.96.1.1', clusterIPs: ['10.96.1.1'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
    expect(svc.spec.ports[0]).toEqual({ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 });
    expect(s.apply(service('default', 'b')).obj.spec.clusterIP).toBe('10.96.1.2');
    const headless = s.apply(service('default', 'h', {}, 'None')).obj;
    expect(headless.spec.clusterIPs).toEqual(['None']);
    const ns = s.apply({ kind: 'Namespace', metadata: { name: 'team' } }).obj;
    expect(ns.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'team' });
    expect(ns.status.phase).toBe('Active');
    const p = s.apply(pod('default', 'p', 'Running')).obj;
    expect(p.status.podIPs).toEqual([{ ip: '10.244.0.9' }]);
    const es = s.apply({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'e' }, addressType: 'IPv4', endpoints: [] }).obj;
    expect(es.endpoints).toBeNull();
    expect(es.metadata.namespace).toBe('default');
  });

  it('rejects what the API would reject, with a clear message', () => {
    const s = new Store(100);
    expect(() => s.apply({ kind: 'ConfigMap', metadata: { name: 'x' } })).toThrow(/no resource for kind "ConfigMap"/);
    expect(() => s.apply({ kind: 'Service', metadata: {} })).toThrow(ValidationError);
    expect(() => s.apply({ kind: 'Service', metadata: { name: 'Abc' } })).toThrow(/DNS-1123/);
    expect(() => s.apply({ kind: 'Service', metadata: { name: '1abc', namespace: 'default' } })).not.toThrow();
    expect(() => s.apply({ kind: 'Service', apiVersion: 'v2', metadata: { name: 'a' } })).toThrow(/apiVersion v1/);
    expect(() => s.apply({ kind: 'EndpointSlice', metadata: { name: 'a' } })).toThrow(/addressType/);
    expect(() => s.apply(null)).toThrow(ValidationError);
  });

  it('deleting a namespace deletes its objects first, each with a DELETED event and a new RV', () => {
    const s = new Store(100);
    s.apply({ kind: 'Namespace', metadata: { name: 'team' } });
    s.apply(service('team', 'a'));
    s.apply(pod('team', 'p', 'Running'));
    s.apply(service('other', 'b'));
    const deleted = s.remove(NS, undefined, 'team');
    expect(deleted.metadata.resourceVersion).toBe(String(s.rv));
    expect([...s.of(SVC).items.keys()]).toEqual(['other/b']);
    expect(s.of(resourceByKind('Pod')!).items.size).toBe(0);
    expect(s.of(SVC).eventsAfter(4).map((e) => [e.type, e.key, e.obj.metadata.resourceVersion])).toEqual([['DELETED', 'team/a', '5']]);
  });

  it('rebuilds past states from history and compacts the oldest events past the limit', () => {
    const s = new Store(3);
    s.apply(service('d', 'a')); // rv 1
    s.apply(service('d', 'b')); // rv 2
    s.apply(service('d', 'a', { x: 'y' })); // rv 3
    s.remove(SVC, 'd', 'b'); // rv 4
    const rs = s.of(SVC);
    expect(rs.compactedRv).toBe(1);
    expect([...rs.stateAt(2).keys()].sort()).toEqual(['d/a', 'd/b']);
    expect(rs.stateAt(2).get('d/a').metadata.labels).toEqual({});
    expect([...rs.stateAt(4).keys()]).toEqual(['d/a']);
    s.expire();
    expect(s.rv).toBe(5);
    expect(rs.compactedRv).toBe(5);
    expect(rs.eventsAfter(0)).toEqual([]);
  });
});
