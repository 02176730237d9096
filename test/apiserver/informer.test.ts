/**
 * client-node 2.0.1's informer (makeInformer / ListWatch) against the simulator. These tests double as
 * the record of how that informer behaves (see README.md): it recovers from clean watch ends and 410,
 * but stops for good on any other error, never paginates, and has no synced event.
 */
import { CoreV1Api, ListWatch, Watch, makeInformer, type KubeConfig, type V1Service } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from './server.ts';
import { kubeConfigFor, service, waitFor } from './test-kit.ts';

let sim: ApiServer;
let kc: KubeConfig;
let core: CoreV1Api;
let informer: ListWatch<V1Service> | undefined;

beforeEach(async () => {
  sim = await startApiServer({ historyLimit: 100 });
  kc = kubeConfigFor(sim.url);
  core = kc.makeApiClient(CoreV1Api);
});
afterEach(async () => {
  await informer?.stop();
  informer = undefined;
  await sim.close();
});

/** Starts an informer on all services, recording callbacks. */
async function startInformer(listFn = () => core.listServiceForAllNamespaces()) {
  const log: string[] = [];
  const errors: unknown[] = [];
  const inf = makeInformer(kc, '/api/v1/services', listFn) as ListWatch<V1Service>;
  inf.on('add', (s) => log.push(`add ${s.metadata!.name}`));
  inf.on('update', (s) => log.push(`update ${s.metadata!.name}`));
  inf.on('delete', (s) => log.push(`delete ${s.metadata!.name}`));
  inf.on('error', (e) => errors.push(e));
  informer = inf;
  await inf.start();
  return { inf, log, errors };
}

const names = (inf: ListWatch<V1Service>): string[] => inf.list().map((s) => s.metadata!.name!).sort();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('client-node informer against the simulator', () => {
  it('lists, then watches from the list RV: add / update / delete', async () => {
    sim.apply(service('d', 'a'));
    const { inf, log } = await startInformer();
    // No synced event exists; start() resolves once the list is applied and the watch is connected.
    expect(names(inf)).toEqual(['a']);
    expect(sim.stats.requests.filter((r) => r.query.watch === 'true').map((r) => r.query.resourceVersion)).toEqual(['1']);
    sim.apply(service('d', 'b'));
    sim.apply(service('d', 'a', { v: '2' }));
    sim.remove('Service', 'd', 'b');
    await waitFor('events', () => log.length === 4);
    expect(log).toEqual(['add a', 'add b', 'update a', 'delete b']);
  });

  it('a clean watch end resumes from the last RV without a relist', async () => {
    const { inf, log } = await startInformer();
    sim.apply(service('d', 'a'));
    await waitFor('add a', () => log.length === 1);
    const lists = sim.stats.lists;
    sim.faults.dropWatches('clean');
    sim.apply(service('d', 'b')); // while no watch is open
    await waitFor('b after reconnect', () => names(inf).includes('b'));
    expect(sim.stats.lists).toBe(lists);
    expect(sim.stats.watches).toBe(2);
  });

  it('410 on resume (history expired) makes it relist; a deletion during the gap is reported', async () => {
    sim.apply(service('d', 'a'));
    sim.apply(service('d', 'b'));
    const { inf, log } = await startInformer();
    sim.faults.dropWatches('clean');
    sim.faults.expireHistory();
    sim.remove('Service', 'd', 'b');
    sim.apply(service('d', 'c'));
    await waitFor('relisted state', () => names(inf).join() === 'a,c');
    expect(sim.stats.lists).toBe(2);
    expect(log).toContain('delete b');
  });

  it('stops for good on a reset watch connection (error callback, no reconnect)', async () => {
    const { errors } = await startInformer();
    sim.faults.dropWatches('reset');
    await waitFor('error callback', () => errors.length === 1);
    await sleep(300);
    expect(sim.stats.watches).toBe(1);
    sim.apply(service('d', 'late'));
    expect(informer!.list()).toEqual([]);
  });

  it('stops for good when the list fails (5xx, 401); start() resolves anyway', async () => {
    sim.faults.failNext(1, 503);
    const { errors } = await startInformer();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 503 });
    await sleep(200);
    expect(sim.stats.requests).toHaveLength(1);
    await informer!.stop();
    sim.setToken('secret');
    const second = await startInformer();
    expect(second.errors[0]).toMatchObject({ code: 401 });
  });

  it('stops for good when a watch reconnect gets a 5xx or the server is down', async () => {
    const first = await startInformer();
    sim.faults.failNext(1, 500);
    sim.faults.dropWatches('clean');
    await waitFor('error', () => first.errors.length === 1);
    expect(first.errors[0]).toMatchObject({ statusCode: 500 });
    await informer!.stop();
    const second = await startInformer();
    sim.faults.down(300);
    await waitFor('error', () => second.errors.length === 1);
    await sleep(500); // the server is back, the informer does not come back by itself
    expect(sim.stats.watches).toBe(2);
  });

  it('does not paginate: it keeps only the first page its listFn returns', async () => {
    for (let i = 0; i < 5; i++) sim.apply(service('d', `s${i}`));
    const { inf } = await startInformer(() => core.listServiceForAllNamespaces({ limit: 2 }));
    expect(names(inf)).toEqual(['s0', 's1']);
  });

  it('drops a malformed event line silently (the event is lost to the cache)', async () => {
    const { inf, log } = await startInformer();
    sim.faults.malformedNextWatchEvent();
    sim.apply(service('d', 'lost'));
    sim.apply(service('d', 'seen'));
    await waitFor('seen', () => log.includes('add seen'));
    expect(names(inf)).toEqual(['seen']);
  });

  it('a silent watch is only noticed by the client inactivity timeout (30 s by default), then resumed', async () => {
    const watch = new Watch(kc);
    (watch as unknown as { requestTimeoutMs: number }).requestTimeoutMs = 300; // private in 2.0.1
    const lw = new ListWatch<V1Service>('/api/v1/services', watch, () => core.listServiceForAllNamespaces(), false);
    informer = lw;
    await lw.start();
    sim.faults.silentWatches(true);
    sim.apply(service('d', 'missed'));
    await sleep(50);
    expect(lw.list()).toEqual([]);
    sim.faults.silentWatches(false);
    await waitFor('resume after timeout', () => lw.list().length === 1, 3000);
    expect(sim.stats.lists).toBe(1);
  });
});
