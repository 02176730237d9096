import { afterEach, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '../../test/apiserver/server.js';
import { ApiSource, type ApiSourceOptions, watchdogFromEnv } from './api-source.js';
import { endpointConnection } from './config.js';
import type { ClusterEvent } from './source.js';
import { captureLog, waitFor } from './testing.js';

const CLUSTER = `
apiVersion: v1
kind: Namespace
metadata: { name: prod, labels: { team: dns } }
---
apiVersion: v1
kind: Namespace
metadata: { name: dev, labels: { team: web } }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: prod, labels: { app: dns } }
spec: { clusterIP: 10.96.0.10, ports: [{ name: http, port: 80 }] }
---
apiVersion: v1
kind: Service
metadata: { name: other, namespace: prod, labels: { app: other } }
spec: { ports: [{ port: 81 }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: web-1, namespace: prod, labels: { kubernetes.io/service-name: web, app: dns } }
addressType: IPv4
endpoints: [{ addresses: [10.244.0.5], conditions: { ready: true } }]
ports: [{ name: http, port: 8080, protocol: TCP }]
---
apiVersion: v1
kind: Pod
metadata: { name: running, namespace: prod, labels: { app: dns } }
spec: { containers: [{ name: c, image: i }] }
status: { phase: Running, podIP: 10.244.0.5 }
---
apiVersion: v1
kind: Pod
metadata: { name: done, namespace: prod, labels: { app: dns } }
spec: { containers: [{ name: c, image: i }] }
status: { phase: Succeeded, podIP: 10.244.0.6 }
`;

let sim: ApiServer;
let src: ApiSource | undefined;
afterEach(async () => {
  await src?.stop();
  src = undefined;
  await sim.close();
});

async function start(opts: Partial<ApiSourceOptions> = {}) {
  sim = await startApiServer({ bookmarkIntervalMs: 100 });
  sim.load(CLUSTER);
  const log = captureLog();
  src = new ApiSource({ connection: endpointConnection(sim.url), pods: false, endpoints: true, log: log.logger, backoff: { initialMs: 50 }, ...opts });
  const events: ClusterEvent[] = [];
  src.subscribe((e) => events.push(e));
  src.start();
  return { src, events, log };
}

const paths = () => [...new Set(sim.stats.requests.map((r) => r.path))].sort();

describe('ApiSource', () => {
  it('watches services, endpointslices and namespaces; synced when all are listed', async () => {
    const { src, events } = await start();
    expect(src.synced).toBe(false);
    await src.whenSynced();
    expect(src.synced).toBe(true);
    const snap = src.snapshot();
    expect([...snap.services.keys()].sort()).toEqual(['prod/other', 'prod/web']);
    expect(snap.services.get('prod/web')).toMatchObject({ clusterIPs: '10.96.0.10', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] });
    expect(snap.endpointSlices.get('prod/web-1')).toMatchObject({ serviceName: 'web', endpoints: [{ addresses: '10.244.0.5', ready: true }] });
    expect([...snap.namespaces.keys()].sort()).toEqual(['dev', 'prod']);
    expect(snap.pods.size).toBe(0);
    expect(paths()).toEqual(['/api/v1/namespaces', '/api/v1/services', '/apis/discovery.k8s.io/v1/endpointslices']);
    expect(events.filter((e) => e.kind === 'EndpointSlice')).toHaveLength(1);
  });

  it('watches pods (pods verified) with CoreDNS field selector; noendpoints skips slices', async () => {
    const { src } = await start({ pods: true, endpoints: false });
    await src.whenSynced();
    expect([...src.snapshot().pods.keys()]).toEqual(['prod/running']);
    expect(src.snapshot().endpointSlices.size).toBe(0);
    expect(paths()).toEqual(['/api/v1/namespaces', '/api/v1/pods', '/api/v1/services']);
    const podList = sim.stats.requests.find((r) => r.path === '/api/v1/pods')!;
    expect(podList.query.fieldSelector).toBe('status.phase!=Succeeded,status.phase!=Failed,status.phase!=Unknown');
  });

  it('sends labels to services/slices and namespace_labels to namespaces', async () => {
    const { src } = await start({ labelSelector: 'app=dns', namespaceLabelSelector: 'team=dns' });
    await src.whenSynced();
    const snap = src.snapshot();
    expect([...snap.services.keys()]).toEqual(['prod/web']);
    expect([...snap.endpointSlices.keys()]).toEqual(['prod/web-1']);
    expect([...snap.namespaces.keys()]).toEqual(['prod']);
    const nsList = sim.stats.requests.find((r) => r.path === '/api/v1/namespaces')!;
    expect(nsList.query.labelSelector).toBe('team=dns');
  });

  it('delivers live changes to subscribers and moves lastChange; unsubscribe stops delivery', async () => {
    const { src, events, log } = await start();
    await src.whenSynced();
    const before = src.lastChange;
    await new Promise((r) => setTimeout(r, 5));
    events.length = 0;
    sim.remove('Service', 'prod', 'other');
    await waitFor(() => events.length === 1, 'the delete');
    expect(events[0]).toMatchObject({ kind: 'Service', type: 'delete', obj: { name: 'other' } });
    expect(src.lastChange).toBeGreaterThan(before);

    const late: ClusterEvent[] = [];
    const off = src.subscribe((e) => late.push(e));
    src.subscribe(() => {
      throw new Error('broken consumer');
    });
    off();
    sim.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'qa' } });
    await waitFor(() => events.length === 2, 'the namespace event');
    expect(late).toEqual([]);
    expect(log.matching('ERROR listener failed on upsert of Namespace')).toHaveLength(1);
  });
});

describe('CLUSTERDNS_WATCHDOG_MS', () => {
  it('parses milliseconds; rejects junk and out-of-range values with a warning', () => {
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);
    expect(watchdogFromEnv({}, warn)).toBeUndefined();
    expect(watchdogFromEnv({ CLUSTERDNS_WATCHDOG_MS: '' }, warn)).toBeUndefined();
    expect(watchdogFromEnv({ CLUSTERDNS_WATCHDOG_MS: '1500' }, warn)).toBe(1500);
    expect(warnings).toEqual([]);
    for (const bad of ['abc', '1.5', '-5', '50', '3600001', '10s']) expect(watchdogFromEnv({ CLUSTERDNS_WATCHDOG_MS: bad }, warn)).toBeUndefined();
    expect(warnings).toHaveLength(6);
    expect(warnings[0]).toBe("CLUSTERDNS_WATCHDOG_MS='abc' is not a number of milliseconds in [100, 3600000]; using the default watchdog");
  });

  it('shortens the watchdog of every reflector: a stuck watch is restarted', async () => {
    const { src, log } = await start({ env: { CLUSTERDNS_WATCHDOG_MS: '300' } });
    await src.whenSynced();
    await waitFor(() => sim.stats.openWatches === 3, 'three open watches');
    sim.faults.silentWatches(true);
    sim.faults.silentWatches(false);
    sim.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'late', namespace: 'prod' }, spec: { ports: [{ port: 1 }] } });
    await waitFor(() => src.snapshot().services.has('prod/late'), 'the event missed by the stuck watch', 5000);
    expect(log.matching('received nothing for 300 ms').length).toBeGreaterThan(0);
  });

  it('an explicit watchdogMs wins over the environment', async () => {
    const { src, log } = await start({ watchdogMs: 60_000, env: { CLUSTERDNS_WATCHDOG_MS: '300' } });
    await src.whenSynced();
    await waitFor(() => sim.stats.openWatches === 3, 'three open watches');
    sim.faults.silentWatches(true);
    await new Promise((r) => setTimeout(r, 700));
    expect(log.matching('received nothing')).toEqual([]);
  });
});
