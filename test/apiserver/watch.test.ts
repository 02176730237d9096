/** WATCH through client-node's Watch class: start points, resume, selector transitions, 410, bookmarks. */
import type { KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from './server.ts';
import { collectWatch, kubeConfigFor, pod, service, waitFor } from './test-kit.ts';

let sim: ApiServer;
let kc: KubeConfig;
const SVCS = '/api/v1/services';

beforeEach(async () => {
  sim = await startApiServer({ bookmarkIntervalMs: 50, historyLimit: 100 });
  kc = kubeConfigFor(sim.url);
});
afterEach(() => sim.close());

const summary = (events: Array<{ type: string; obj: any }>): string[] => events.map((e) => `${e.type} ${e.obj.metadata?.name ?? ''}`.trim());

describe('watch', () => {
  it('without a resourceVersion starts with synthetic ADDED for every object, then live events', async () => {
    sim.apply(service('d', 'a'));
    sim.apply(service('d', 'b'));
    const w = await collectWatch(kc, SVCS, {});
    await waitFor('initial events', () => w.events.length === 2);
    expect(w.events[0]!.obj).toMatchObject({ kind: 'Service', apiVersion: 'v1' }); // watch objects carry their type
    sim.apply(service('d', 'a', { v: '2' }));
    sim.remove('Service', 'd', 'b');
    await waitFor('live events', () => w.events.length === 4);
    expect(summary(w.events)).toEqual(['ADDED a', 'ADDED b', 'MODIFIED a', 'DELETED b']);
    const deleted = w.events[3]!.obj;
    expect(deleted.metadata.resourceVersion).toBe(sim.resourceVersion); // the last state, with the deletion's RV
    w.abort();
  });

  it('resumes from a resourceVersion: replays exactly the later events', async () => {
    sim.apply(service('d', 'a'));
    const rv = sim.resourceVersion;
    sim.apply(service('d', 'b'));
    sim.apply(service('d', 'a', { v: '2' }));
    sim.apply(pod('d', 'p', 'Running')); // another resource: not in this stream
    const w = await collectWatch(kc, SVCS, { resourceVersion: rv });
    await waitFor('replay', () => w.events.length === 2);
    expect(summary(w.events)).toEqual(['ADDED b', 'MODIFIED a']);
    w.abort();
  });

  it('an object entering or leaving the selector is ADDED / DELETED for that watcher', async () => {
    sim.apply(service('d', 'a', { app: 'x' }));
    const w = await collectWatch(kc, '/api/v1/namespaces/d/services', { labelSelector: 'app=web' });
    sim.apply(service('d', 'a', { app: 'web' }));
    sim.apply(service('d', 'a', { app: 'web', v: '2' }));
    sim.apply(service('d', 'a', { app: 'gone' }));
    sim.apply(service('e', 'other', { app: 'web' })); // other namespace
    await waitFor('transitions', () => w.events.length === 3);
    expect(summary(w.events)).toEqual(['ADDED a', 'MODIFIED a', 'DELETED a']);
    const del = w.events[2]!.obj;
    expect(del.metadata.labels).toEqual({ app: 'web', v: '2' }); // the previous state...
    expect(del.metadata.resourceVersion).toBe(String(Number(sim.resourceVersion) - 1)); // ...stamped with the event's RV
    w.abort();
  });

  it('a resourceVersion older than the history gets an ERROR event with a 410 Status, then a clean end', async () => {
    sim.apply(service('d', 'a'));
    const rv = sim.resourceVersion;
    sim.faults.expireHistory();
    const w = await collectWatch(kc, SVCS, { resourceVersion: rv });
    expect(await w.done).toBeNull();
    expect(w.events).toHaveLength(1);
    expect(w.events[0]!.type).toBe('ERROR');
    expect(w.events[0]!.obj).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 });
    expect(w.events[0]!.obj.message).toBe(`too old resource version: ${rv} (${sim.resourceVersion})`);
  });

  it('sends BOOKMARKs carrying only the kind and the current resourceVersion when asked', async () => {
    sim.apply(service('d', 'a'));
    const w = await collectWatch(kc, SVCS, { resourceVersion: sim.resourceVersion, allowWatchBookmarks: true });
    sim.apply(pod('d', 'p', 'Running')); // moves the global RV without a service event
    await waitFor('a bookmark at the new RV', () => w.events.some((e) => e.type === 'BOOKMARK' && e.obj.metadata.resourceVersion === sim.resourceVersion));
    const bm = w.events.find((e) => e.type === 'BOOKMARK')!.obj;
    expect(Object.keys(bm).sort()).toEqual(['apiVersion', 'kind', 'metadata']);
    expect(bm.kind).toBe('Service');
    w.abort();
    const quiet = await collectWatch(kc, SVCS, { resourceVersion: sim.resourceVersion });
    await new Promise((r) => setTimeout(r, 200));
    expect(quiet.events).toEqual([]);
    quiet.abort();
  });

  it('sendInitialEvents=true ends the initial events with the k8s.io/initial-events-end bookmark', async () => {
    sim.apply(service('d', 'a'));
    const w = await collectWatch(kc, SVCS, { sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: true });
    await waitFor('end bookmark', () => w.events.length >= 2);
    expect(w.events[0]!.type).toBe('ADDED');
    expect(w.events[1]!.obj.metadata).toEqual({ resourceVersion: sim.resourceVersion, annotations: { 'k8s.io/initial-events-end': 'true' } });
    w.abort();
  });

  it('sendInitialEvents=false with resourceVersion "0" starts from now, without synthetic events', async () => {
    sim.apply(service('d', 'old'));
    const w = await collectWatch(kc, SVCS, { sendInitialEvents: false, resourceVersionMatch: 'NotOlderThan', resourceVersion: '0' });
    sim.apply(service('d', 'new'));
    await waitFor('live event', () => w.events.length === 1);
    expect(summary(w.events)).toEqual(['ADDED new']);
    w.abort();
  });

  it('timeoutSeconds ends the stream cleanly; a single-object path watches that object only', async () => {
    const w = await collectWatch(kc, '/api/v1/namespaces/d/services/a', { timeoutSeconds: 1 });
    sim.apply(service('d', 'b'));
    sim.apply(service('d', 'a'));
    const started = Date.now();
    expect(await w.done).toBeNull();
    expect(Date.now() - started).toBeGreaterThan(500);
    expect(summary(w.events)).toEqual(['ADDED a']);
  });

  it('rejects bad options before streaming, with the HTTP status in done()', async () => {
    const w = await collectWatch(kc, SVCS, { resourceVersionMatch: 'NotOlderThan' });
    expect(await w.done).toMatchObject({ statusCode: 422 });
    const bad = await collectWatch(kc, SVCS, { labelSelector: 'a in (' });
    expect(await bad.done).toMatchObject({ statusCode: 400 });
  });
});
