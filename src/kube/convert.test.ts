import { describe, expect, it } from 'vitest';
import { addressesOf, clusterIPsOf } from './objects.js';
import { ConvertError, internPorts, keyOf, kindOf, MAX_SHARED_PORT_LISTS, toEndpointSlice, toNamespace, toPod, toService } from './convert.js';

const meta = (name: string, extra: object = {}) => ({ name, namespace: 'ns1', resourceVersion: '7', ...extra });

describe('toService', () => {
  it('takes spec.clusterIPs (dual stack) and keeps only DNS fields', () => {
    const raw = {
      metadata: meta('web', { labels: { app: 'x' }, managedFields: [{ big: 'x'.repeat(100) }] }),
      spec: {
        type: 'ClusterIP',
        clusterIP: '10.0.0.1',
        clusterIPs: ['10.0.0.1', 'fd00::1'],
        ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }, { port: 53, protocol: 'UDP' }],
        selector: { app: 'x' },
      },
      status: { loadBalancer: {} },
    };
    expect(toService(raw)).toEqual({
      namespace: 'ns1',
      name: 'web',
      resourceVersion: '7',
      type: 'ClusterIP',
      clusterIPs: ['10.0.0.1', 'fd00::1'],
      headless: false,
      externalName: '',
      ports: [
        { name: 'http', port: 80, protocol: 'TCP' },
        { name: '', port: 53, protocol: 'UDP' },
      ],
      publishNotReadyAddresses: false,
    });
  });

  it('falls back to spec.clusterIP; None is headless; defaults type and protocol', () => {
    const svc = toService({ metadata: meta('h'), spec: { clusterIP: 'None', ports: [{ port: 5000 }], publishNotReadyAddresses: true } });
    expect(svc.clusterIPs).toBe('None'); // one IP (or None) is kept as the string itself
    expect(clusterIPsOf(svc)).toEqual(['None']);
    expect(svc.headless).toBe(true);
    expect(svc.type).toBe('ClusterIP');
    expect(svc.ports).toEqual([{ name: '', port: 5000, protocol: 'TCP' }]);
    expect(svc.publishNotReadyAddresses).toBe(true);
  });

  it('ExternalName has no cluster IPs', () => {
    const svc = toService({ metadata: meta('ext'), spec: { type: 'ExternalName', externalName: 'example.org' } });
    expect(svc).toMatchObject({ type: 'ExternalName', clusterIPs: [], headless: false, externalName: 'example.org', ports: [] });
    expect(clusterIPsOf(svc)).toEqual([]);
  });

  it('fills a missing namespace only when a default is given', () => {
    expect(() => toService({ metadata: { name: 'a' } })).toThrow(/Service a without metadata.namespace/);
    expect(toService({ metadata: { name: 'a' } }, 'default').namespace).toBe('default');
  });

  it('rejects wrongly typed fields naming the path', () => {
    expect(() => toService({ metadata: meta('a'), spec: { ports: { port: 80 } } })).toThrow(/spec.ports must be a list/);
    expect(() => toService({ metadata: meta('a'), spec: { ports: [{ port: '80' }] } })).toThrow(/spec.ports\[0\].port must be a number/);
    expect(() => toService({ metadata: {} })).toThrow(ConvertError);
    expect(() => toService('nope')).toThrow(/Service must be a mapping/);
    expect(() => toService(null)).toThrow(ConvertError);
  });
});

describe('toEndpointSlice', () => {
  const slice = {
    metadata: meta('web-abc', {
      labels: { 'kubernetes.io/service-name': 'web' },
      annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': '2024-05-01T10:00:00Z' },
    }),
    addressType: 'IPv4',
    endpoints: [
      {
        addresses: ['10.1.0.5'],
        hostname: 'web-0',
        nodeName: 'node-a',
        targetRef: { kind: 'Pod', name: 'web-0', namespace: 'ns1' },
        conditions: { ready: true, serving: true, terminating: false },
        zone: 'z1',
      },
      { addresses: ['10.1.0.6'], targetRef: { kind: 'Node', name: 'n' }, conditions: {} },
      { addresses: ['10.1.0.7'], conditions: { ready: false, terminating: true } },
    ],
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'noport' }],
  };

  it('converts endpoints with API defaults for absent conditions', () => {
    const s = toEndpointSlice(slice);
    expect(s.serviceName).toBe('web');
    expect(s.addressType).toBe('IPv4');
    expect(s.lastChangeTriggerTime).toBe(Date.parse('2024-05-01T10:00:00Z'));
    // One address is kept as the string itself (no array per endpoint); addressesOf() reads either form.
    expect(s.endpoints).toEqual([
      { addresses: '10.1.0.5', hostname: 'web-0', nodeName: 'node-a', targetRefName: 'web-0', ready: true, serving: true, terminating: false },
      // absent ready = ready; absent serving follows ready; targetRef of another kind is not a pod name
      { addresses: '10.1.0.6', hostname: '', nodeName: '', targetRefName: '', ready: true, serving: true, terminating: false },
      { addresses: '10.1.0.7', hostname: '', nodeName: '', targetRefName: '', ready: false, serving: false, terminating: true },
    ]);
    expect(s.endpoints.map(addressesOf)).toEqual([['10.1.0.5'], ['10.1.0.6'], ['10.1.0.7']]);
    const several = toEndpointSlice({ ...slice, endpoints: [{ addresses: ['10.1.0.8', '10.1.0.9'] }, { addresses: [] }] });
    expect(several.endpoints.map(addressesOf)).toEqual([['10.1.0.8', '10.1.0.9'], []]);
    expect(s.ports).toEqual([
      { name: 'http', port: 8080, protocol: 'TCP' },
      { name: 'noport', port: -1, protocol: 'TCP' },
    ]);
    // Without endpoint_pod_names nothing needs the pod names: they are not kept.
    expect(toEndpointSlice(slice, undefined, { podNames: false }).endpoints.map((e) => e.targetRefName)).toEqual(['', '', '']);
  });

  it('has an empty service name without the label and no trigger time when unparsable', () => {
    const s = toEndpointSlice({ metadata: meta('x', { annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': 'junk' } }) });
    expect(s.serviceName).toBe('');
    expect(s.endpoints).toEqual([]);
    expect('lastChangeTriggerTime' in s).toBe(false);
  });
});

describe('toPod', () => {
  it('reads podIPs, phase, hostNetwork and deletionTimestamp', () => {
    const p = toPod({
      metadata: meta('p', { deletionTimestamp: '2024-01-01T00:00:00Z' }),
      spec: { hostNetwork: true, containers: [{ name: 'c' }] },
      status: { phase: 'Running', podIP: '10.2.0.1', podIPs: [{ ip: '10.2.0.1' }, { ip: 'fd00::5' }] },
    });
    expect(p).toEqual({ namespace: 'ns1', name: 'p', resourceVersion: '7', podIPs: ['10.2.0.1', 'fd00::5'], phase: 'Running', deleting: true, hostNetwork: true });
  });

  it('falls back to status.podIP; a pending pod has none', () => {
    expect(toPod({ metadata: meta('p'), status: { podIP: '10.2.0.9' } }).podIPs).toEqual(['10.2.0.9']);
    expect(toPod({ metadata: meta('p'), status: { phase: 'Pending' } })).toMatchObject({ podIPs: [], deleting: false, hostNetwork: false });
  });
});

describe('toNamespace', () => {
  it('keeps name and labels; a namespace needs no namespace', () => {
    expect(toNamespace({ metadata: { name: 'kube-system', resourceVersion: '3', labels: { team: 'a' } } })).toEqual({
      name: 'kube-system',
      resourceVersion: '3',
      labels: { team: 'a' },
    });
    expect(() => toNamespace({ metadata: { name: 'x', labels: { a: 1 } } })).toThrow(/metadata.labels.a must be a string/);
  });
});

describe('kindOf / keyOf', () => {
  it('checks the API group', () => {
    expect(kindOf({ apiVersion: 'v1', kind: 'Service' })).toBe('Service');
    expect(kindOf({ apiVersion: 'serving.knative.dev/v1', kind: 'Service' })).toBeUndefined();
    expect(kindOf({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' })).toBe('EndpointSlice');
    expect(kindOf({ apiVersion: 'v1', kind: 'EndpointSlice' })).toBeUndefined();
    expect(kindOf({ apiVersion: 'apps/v1', kind: 'Deployment' })).toBeUndefined();
    expect(kindOf({ apiVersion: 'v1', kind: 'ConfigMap' })).toBeUndefined();
    expect(kindOf('x')).toBeUndefined();
  });

  it('keys namespaced objects by namespace/name', () => {
    expect(keyOf({ namespace: 'a', name: 'b' })).toBe('a/b');
    expect(keyOf({ name: 'ns' })).toBe('ns');
  });
});

describe('internPorts', () => {
  it('shares one frozen copy of each distinct port list (Services and slices alike)', () => {
    const svc = (name: string, ports: object[]) => toService({ metadata: meta(name), spec: { clusterIP: '10.0.0.1', ports } });
    const a = svc('a', [{ name: 'http', port: 80 }]);
    const b = svc('b', [{ name: 'http', port: 80, protocol: 'TCP' }]);
    const c = svc('c', [{ name: 'http', port: 8080 }]);
    expect(b.ports).toBe(a.ports);
    expect(c.ports).not.toBe(a.ports);
    expect(a.ports).toEqual([{ name: 'http', port: 80, protocol: 'TCP' }]);
    expect(Object.isFrozen(a.ports) && Object.isFrozen(a.ports[0])).toBe(true);
    const slice = (name: string) => toEndpointSlice({ metadata: meta(name), addressType: 'IPv4', endpoints: [], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] });
    expect(slice('s1').ports).toBe(a.ports);
    expect(slice('s2').ports).toBe(slice('s1').ports);
  });

  it('is bounded: past MAX_SHARED_PORT_LISTS distinct lists, a new list is kept as it came', () => {
    for (let i = 0; i <= MAX_SHARED_PORT_LISTS; i++) internPorts([{ name: `p${i}`, port: i, protocol: 'UDP' }]);
    const fresh = [{ name: 'never-seen', port: 1, protocol: 'TCP' }];
    expect(internPorts(fresh)).toBe(fresh);
    expect(Object.isFrozen(fresh)).toBe(false);
  });
});
