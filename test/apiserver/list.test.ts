/** LIST through the real client library: pagination, snapshots, selectors, resourceVersion semantics. */
import { ApiException, CoreV1Api, DiscoveryV1Api } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from './server.ts';
import { kubeConfigFor, pod, service } from './test-kit.ts';

let sim: ApiServer;
let core: CoreV1Api;

beforeEach(async () => {
  sim = await startApiServer({ historyLimit: 50, tooLargeWaitMs: 100 });
  core = kubeConfigFor(sim.url).makeApiClient(CoreV1Api);
});
afterEach(() => sim.close());

/** The ApiException a call fails with; client-node leaves non-200/401 bodies as text, so parse it. */
async function apiError(p: Promise<unknown>): Promise<{ code: number; body: any }> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof ApiException)) throw err;
    return { code: err.code, body: typeof err.body === 'string' ? JSON.parse(err.body) : err.body };
  }
  throw new Error('expected an ApiException');
}

describe('list', () => {
  it('pages with limit/continue in key order, every page on the first page\'s snapshot', async () => {
    for (const ns of ['b', 'a']) for (let i = 0; i < 5; i++) sim.apply(service(ns, `s${i}`));
    const first = await core.listServiceForAllNamespaces({ limit: 4 });
    const snapshot = first.metadata!.resourceVersion;
    expect(first.items.map((s) => `${s.metadata!.namespace}/${s.metadata!.name}`)).toEqual(['a/s0', 'a/s1', 'a/s2', 'a/s3']);
    expect(first.metadata!.remainingItemCount).toBe(6);
    // Changes between pages must not show up: the continuation is an Exact read at the snapshot.
    sim.apply(service('b', 's0a'));
    sim.remove('Service', 'b', 's4');
    const names: string[] = first.items.map((s) => `${s.metadata!.namespace}/${s.metadata!.name}`);
    let cont = first.metadata!._continue;
    for (let guard = 0; cont && guard < 10; guard++) {
      const page = await core.listServiceForAllNamespaces({ limit: 4, _continue: cont });
      expect(page.metadata!.resourceVersion).toBe(snapshot);
      names.push(...page.items.map((s) => `${s.metadata!.namespace}/${s.metadata!.name}`));
      cont = page.metadata!._continue;
    }
    expect(names).toEqual(['a/s0', 'a/s1', 'a/s2', 'a/s3', 'a/s4', 'b/s0', 'b/s1', 'b/s2', 'b/s3', 'b/s4']);
    const fresh = await core.listServiceForAllNamespaces({});
    expect(fresh.items.map((s) => s.metadata!.name)).toContain('s0a');
    expect(fresh.metadata!._continue).toBeUndefined();
  });

  it('scopes namespaced lists and paginates them', async () => {
    for (let i = 0; i < 3; i++) sim.apply(service('x', `s${i}`));
    sim.apply(service('y', 'other'));
    const p1 = await core.listNamespacedService({ namespace: 'x', limit: 2 });
    expect(p1.items.map((s) => s.metadata!.name)).toEqual(['s0', 's1']);
    const p2 = await core.listNamespacedService({ namespace: 'x', limit: 2, _continue: p1.metadata!._continue });
    expect(p2.items.map((s) => s.metadata!.name)).toEqual(['s2']);
    expect(p2.metadata!._continue).toBeUndefined();
    expect((await core.listNamespacedService({ namespace: 'nonexistent' })).items).toEqual([]);
  });

  it('an expired continue token is 410 Expired with an inconsistent-continuation token', async () => {
    for (let i = 0; i < 4; i++) sim.apply(service('d', `s${i}`));
    const first = await core.listNamespacedService({ namespace: 'd', limit: 2 });
    sim.faults.expireHistory();
    sim.apply(service('d', 's1a'));
    const err = await apiError(core.listNamespacedService({ namespace: 'd', limit: 2, _continue: first.metadata!._continue }));
    expect(err.code).toBe(410);
    expect(err.body).toMatchObject({ kind: 'Status', reason: 'Expired', code: 410 });
    expect(err.body.message).toMatch(/continue parameter is too old/);
    // The token in the Status continues from the next key on the latest state.
    const rest = await core.listNamespacedService({ namespace: 'd', limit: 10, _continue: err.body.metadata.continue });
    expect(rest.items.map((s) => s.metadata!.name)).toEqual(['s1a', 's2', 's3']);
  });

  it('filters by label selector and by the pod field selector CoreDNS-like clients use', async () => {
    sim.apply(service('d', 'web', { app: 'web', tier: 'front' }));
    sim.apply(service('d', 'db', { app: 'db' }));
    sim.apply(service('d', 'plain'));
    const sel = async (labelSelector: string): Promise<string[]> =>
      (await core.listServiceForAllNamespaces({ labelSelector })).items.map((s) => s.metadata!.name!);
    expect(await sel('app in (web,db)')).toEqual(['db', 'web']);
    expect(await sel('app,!tier')).toEqual(['db']);
    expect(await sel('app!=web')).toEqual(['db', 'plain']);
    for (const [name, phase] of [['run', 'Running'], ['done', 'Succeeded'], ['bad', 'Failed'], ['wait', 'Pending']]) sim.apply(pod('d', name!, phase!));
    sim.apply(pod('d', 'elsewhere', 'Running', 'node-2'));
    const pods = await core.listPodForAllNamespaces({ fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed,status.phase!=Unknown,spec.nodeName=node-1' });
    expect(pods.items.map((p) => p.metadata!.name)).toEqual(['run', 'wait']);
    const err = await apiError(core.listPodForAllNamespaces({ fieldSelector: 'spec.foo=1' }));
    expect(err.code).toBe(400);
  });

  it('with a selector, pages count matching items and remainingItemCount is omitted', async () => {
    for (let i = 0; i < 6; i++) sim.apply(service('d', `s${i}`, { even: String(i % 2 === 0) }));
    const p1 = await core.listNamespacedService({ namespace: 'd', labelSelector: 'even=true', limit: 2 });
    expect(p1.items.map((s) => s.metadata!.name)).toEqual(['s0', 's2']);
    expect(p1.metadata!.remainingItemCount).toBeUndefined();
    const p2 = await core.listNamespacedService({ namespace: 'd', labelSelector: 'even=true', limit: 2, _continue: p1.metadata!._continue });
    expect(p2.items.map((s) => s.metadata!.name)).toEqual(['s4']);
    expect(p2.metadata!._continue).toBeUndefined();
  });

  it('like etcd, a page that fills up with keys left gets a continue even if nothing else matches', async () => {
    for (let i = 0; i < 6; i++) sim.apply(service('d', `s${i}`, { even: String(i % 2 === 0) }));
    const p1 = await core.listNamespacedService({ namespace: 'd', labelSelector: 'even=true', limit: 3 });
    expect(p1.items.map((s) => s.metadata!.name)).toEqual(['s0', 's2', 's4']);
    expect(p1.metadata!._continue).toBeTruthy();
    const p2 = await core.listNamespacedService({ namespace: 'd', labelSelector: 'even=true', limit: 3, _continue: p1.metadata!._continue });
    expect(p2.items).toEqual([]);
    expect(p2.metadata!._continue).toBeUndefined();
  });

  it('honours resourceVersion / resourceVersionMatch as the API concepts table says', async () => {
    sim.apply(service('d', 'a'));
    const rvA = sim.resourceVersion;
    sim.apply(service('d', 'b'));
    const exact = await core.listNamespacedService({ namespace: 'd', resourceVersion: rvA, resourceVersionMatch: 'Exact' });
    expect(exact.items.map((s) => s.metadata!.name)).toEqual(['a']);
    expect(exact.metadata!.resourceVersion).toBe(rvA);
    // limit + RV without a match is the legacy Exact too.
    expect((await core.listNamespacedService({ namespace: 'd', resourceVersion: rvA, limit: 5 })).items).toHaveLength(1);
    const notOlder = await core.listNamespacedService({ namespace: 'd', resourceVersion: rvA, resourceVersionMatch: 'NotOlderThan' });
    expect(notOlder.items).toHaveLength(2);
    expect((await core.listNamespacedService({ namespace: 'd', resourceVersion: '0' })).items).toHaveLength(2);
    const future = await apiError(core.listNamespacedService({ namespace: 'd', resourceVersion: '999' }));
    expect(future.code).toBe(504);
    expect(future.body.message).toMatch(/Too large resource version: 999/);
    sim.faults.expireHistory();
    const old = await apiError(core.listNamespacedService({ namespace: 'd', resourceVersion: rvA, resourceVersionMatch: 'Exact' }));
    expect(old.code).toBe(410);
    const invalid = await apiError(core.listNamespacedService({ namespace: 'd', resourceVersionMatch: 'Exact' }));
    expect(invalid.code).toBe(422);
    expect(invalid.body.message).toMatch(/resourceVersionMatch is forbidden unless resourceVersion is provided/);
  });

  it('serves single objects and EndpointSlices of discovery.k8s.io/v1', async () => {
    sim.apply({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-1', namespace: 'd', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true } }],
      ports: [{ name: 'http', port: 8080 }],
    });
    const disc = kubeConfigFor(sim.url).makeApiClient(DiscoveryV1Api);
    const list = await disc.listEndpointSliceForAllNamespaces({ labelSelector: 'kubernetes.io/service-name=web' });
    expect(list.items[0]!.endpoints![0]!.addresses).toEqual(['10.0.0.1']);
    expect(list.items[0]!.ports![0]!.protocol).toBe('TCP');
    sim.apply(service('d', 'web'));
    const svc = await core.readNamespacedService({ namespace: 'd', name: 'web' });
    expect(svc.kind).toBe('Service');
    expect(svc.spec!.clusterIP).toMatch(/^10\.9[6-9]|^10\.1[01]\d/);
    expect((await apiError(core.readNamespacedService({ namespace: 'd', name: 'nope' }))).code).toBe(404);
  });
});
