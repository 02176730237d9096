/**
 * The reflector against the API-server simulator over real HTTP: pagination, live events, and each
 * fault the supervisor must survive. Timeouts are shrunk (watchdog, backoff, bookmarks) to keep
 * every test within a couple of seconds.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ApiServer, type ApiServerOptions, startApiServer } from '../../test/apiserver/server.js';
import { ApiClient } from './api-client.js';
import { type KubeConnection, endpointConnection, inClusterConnection } from './config.js';
import { toService } from './convert.js';
import { KindStore } from './kind-store.js';
import { Reflector, type ReflectorOptions } from './reflector.js';
import type { ClusterEvent } from './source.js';
import { captureLog, waitFor } from './testing.js';

const svc = (name: string, ns = 'default', labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns, labels },
  spec: { ports: [{ name: 'http', port: 80 }] },
});

let cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function server(opts: ApiServerOptions = {}): Promise<ApiServer> {
  const sim = await startApiServer({ bookmarkIntervalMs: 100, ...opts });
  cleanup.push(() => sim.close());
  return sim;
}

function reflector(conn: KubeConnection, opts: Partial<ReflectorOptions<'Service'>> = {}) {
  const log = captureLog();
  const events: ClusterEvent[] = [];
  const store = new KindStore('Service', (e) => events.push(e));
  const r = new Reflector<'Service'>({
    client: new ApiClient(conn),
    path: '/api/v1/services',
    typeName: '*v1.Service',
    convert: toService,
    store,
    log: log.logger,
    watchdogMs: 2000,
    backoff: { initialMs: 50, maxMs: 400 },
    ...opts,
  });
  cleanup.push(() => r.stop());
  r.start();
  const names = (): string[] => [...store.map.keys()].sort();
  return { r, store, events, log, names };
}

const lists = (sim: ApiServer) => sim.stats.requests.filter((q) => q.path === '/api/v1/services' && q.query.watch !== 'true');
const watches = (sim: ApiServer) => sim.stats.requests.filter((q) => q.path === '/api/v1/services' && q.query.watch === 'true');

describe('Reflector', () => {
  it('lists 1,200 services in pages of 500 and watches from the list resourceVersion', async () => {
    const sim = await server();
    for (let i = 0; i < 1200; i++) sim.apply(svc(`s${i}`, `ns${i % 7}`));
    const { r, store } = reflector(endpointConnection(sim.url));
    expect(r.isSynced).toBe(false);
    await r.synced;
    expect(store.map.size).toBe(1200);
    expect(store.map.get('ns3/s10')).toMatchObject({ name: 's10', namespace: 'ns3', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] });
    const pages = lists(sim);
    expect(pages.map((p) => [p.query.limit, Boolean(p.query.continue)])).toEqual([
      ['500', false],
      ['500', true],
      ['500', true],
    ]);
    await waitFor(() => watches(sim).length === 1, 'the watch');
    const w = watches(sim)[0]!;
    expect(w.query).toMatchObject({ resourceVersion: sim.resourceVersion, allowWatchBookmarks: 'true' });
    const t = Number(w.query.timeoutSeconds);
    expect(t).toBeGreaterThanOrEqual(300);
    expect(t).toBeLessThan(600);
  });

  it('applies live adds, updates and deletes, and ignores same-version repeats', async () => {
    const sim = await server();
    sim.apply(svc('a'));
    const { r, events, names, store } = reflector(endpointConnection(sim.url));
    await r.synced;
    events.length = 0;
    sim.apply(svc('b'));
    sim.apply({ ...svc('a'), spec: { ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] } });
    sim.remove('Service', 'default', 'b');
    await waitFor(() => events.length === 3, 'three events');
    expect(events.map((e) => `${e.type} ${e.obj.name}`)).toEqual(['upsert b', 'upsert a', 'delete b']);
    expect(events[1]!.old).toMatchObject({ ports: [{ name: 'http' }] });
    expect(store.map.get('default/a')!.ports).toEqual([{ name: 'dns', port: 53, protocol: 'UDP' }]);
    expect(names()).toEqual(['default/a']);
    expect(r.resourceVersion).toBe(sim.resourceVersion);
  });

  for (const mode of ['clean', 'reset'] as const) {
    it(`resumes from the last resourceVersion after a ${mode} watch drop, without relisting`, async () => {
      const sim = await server();
      const { r, names, log } = reflector(endpointConnection(sim.url));
      await r.synced;
      await waitFor(() => sim.stats.openWatches === 1, 'the watch');
      sim.apply(svc('before'));
      await waitFor(() => names().includes('default/before'), 'the first event');
      const rv = r.resourceVersion;
      const started = Date.now();
      sim.faults.dropWatches(mode);
      sim.apply(svc('during'));
      await waitFor(() => names().includes('default/during'), 'the event sent while no watch was open');
      expect(Date.now() - started).toBeLessThan(5000);
      expect(lists(sim)).toHaveLength(1);
      expect(watches(sim).at(-1)!.query.resourceVersion).toBe(rv);
      if (mode === 'reset') expect(log.matching('WARNING watch of *v1.Service failed')).not.toHaveLength(0);
    });
  }

  it('on 410 Gone relists once and diffs: objects deleted during the gap disappear, changed ones update', async () => {
    const sim = await server();
    for (const n of ['keep', 'change', 'gone']) sim.apply(svc(n));
    const { r, events, names, log } = reflector(endpointConnection(sim.url));
    await r.synced;
    await waitFor(() => sim.stats.openWatches === 1, 'the watch');
    sim.faults.down(300);
    sim.remove('Service', 'default', 'gone');
    sim.apply(svc('change', 'default', { v: '2' }));
    sim.apply(svc('new'));
    sim.faults.expireHistory();
    events.length = 0;
    await waitFor(() => !names().includes('default/gone') && names().includes('default/new'), 'the relist after 410', 5000);
    expect(names()).toEqual(['default/change', 'default/keep', 'default/new']);
    expect(events.map((e) => `${e.type} ${e.obj.name}`).sort()).toEqual(['delete gone', 'upsert change', 'upsert new']);
    expect(log.matching('410 Gone')).not.toHaveLength(0);
    // No list hot loop: exactly one relist, and it stays so.
    await new Promise((res) => setTimeout(res, 500));
    expect(lists(sim)).toHaveLength(2);
  });

  it('a server that is down at start is retried with backoff until it is up; synced later', async () => {
    const sim = await server();
    sim.apply(svc('a'));
    sim.faults.down(800);
    const { r, names, log } = reflector(endpointConnection(sim.url));
    await new Promise((res) => setTimeout(res, 400));
    expect(r.isSynced).toBe(false);
    await r.synced;
    expect(names()).toEqual(['default/a']);
    const warnings = log.matching('WARNING list of *v1.Service failed: ECONNREFUSED');
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.length).toBeLessThan(12); // backoff, not a hot loop
    expect(warnings[0]).toMatch(/retrying in \d+ ms$/);
  });

  it('the watchdog restarts a watch that went silent, and the missed events arrive', async () => {
    const sim = await server();
    const { r, names, log } = reflector(endpointConnection(sim.url), { watchdogMs: 500 });
    await r.synced;
    await waitFor(() => sim.stats.openWatches === 1, 'the watch');
    await new Promise((res) => setTimeout(res, 700)); // bookmarks every 100 ms keep a healthy watch alive
    expect(log.matching('received nothing')).toEqual([]);
    sim.faults.silentWatches(true);
    sim.apply(svc('missed'));
    await waitFor(() => log.matching('received nothing for 500 ms').length > 0, 'the watchdog', 3000);
    expect(names()).not.toContain('default/missed');
    sim.faults.silentWatches(false);
    await waitFor(() => names().includes('default/missed'), 'the event after the restart', 3000);
    expect(lists(sim)).toHaveLength(1);
  });

  it('survives a burst of 5xx answers with backoff, honouring Retry-After', async () => {
    const sim = await server();
    const { r, names, log } = reflector(endpointConnection(sim.url));
    await r.synced;
    await waitFor(() => sim.stats.openWatches === 1, 'the watch');
    sim.faults.failNext(4, 503);
    sim.faults.dropWatches('clean');
    sim.apply(svc('after'));
    await waitFor(() => names().includes('default/after'), 'recovery', 5000);
    const warnings = log.matching('WARNING watch of *v1.Service failed: 503');
    expect(warnings.length).toBeGreaterThanOrEqual(3);
    // The simulator sends Retry-After: 1 with 503; it is honoured up to the backoff cap (400 ms here).
    for (const w of warnings) expect(w).toMatch(/retrying in 400 ms$/);
    expect(lists(sim)).toHaveLength(1);
  });

  it('a malformed watch line is logged and the watch resumes from the last good version', async () => {
    const sim = await server({ bookmarkIntervalMs: 60_000 });
    const { r, names, log } = reflector(endpointConnection(sim.url), { watchdogMs: 120_000 });
    await r.synced;
    await waitFor(() => sim.stats.openWatches === 1, 'the watch');
    sim.faults.malformedNextWatchEvent();
    sim.apply(svc('x'));
    await waitFor(() => names().includes('default/x'), 'the event, re-sent after the re-watch', 3000);
    expect(log.matching('WARNING watch of *v1.Service failed: malformed watch event')).toHaveLength(1);
    expect(lists(sim)).toHaveLength(1);
  });

  it('401 after the token changes, then the rotated token file is picked up without restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sa-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'old-token\n');
    const sim = await server({ token: 'old-token' });
    const port = new URL(sim.url).port;
    const conn = inClusterConnection({ host: '127.0.0.1', port, tokenFile, scheme: 'http' });
    const { r, names, log } = reflector(conn);
    await r.synced;
    await waitFor(() => sim.stats.openWatches === 1, 'the watch');
    sim.setToken('new-token');
    sim.faults.dropWatches('reset');
    sim.apply(svc('later'));
    await waitFor(() => log.matching('401').length >= 2, 'the 401s', 3000);
    expect(names()).not.toContain('default/later');
    writeFileSync(tokenFile, 'new-token\n');
    await waitFor(() => names().includes('default/later'), 'recovery with the new token', 3000);
    expect(lists(sim)).toHaveLength(1);
  });

  it('sends label and field selectors to the server', async () => {
    const sim = await server();
    sim.apply(svc('yes', 'default', { app: 'dns' }));
    sim.apply(svc('no', 'default', { app: 'web' }));
    const { r, names } = reflector(endpointConnection(sim.url), { labelSelector: 'app=dns', fieldSelector: 'metadata.namespace=default' });
    await r.synced;
    expect(names()).toEqual(['default/yes']);
    await waitFor(() => watches(sim).length === 1, 'the watch');
    for (const q of [lists(sim)[0]!, watches(sim)[0]!]) expect(q.query).toMatchObject({ labelSelector: 'app=dns', fieldSelector: 'metadata.namespace=default' });
    sim.apply(svc('late', 'default', { app: 'dns' }));
    sim.apply(svc('late-no', 'default', { app: 'x' }));
    await waitFor(() => names().includes('default/late'), 'the matching event');
    expect(names()).toEqual(['default/late', 'default/yes']);
  });

  it('stop() ends the loop: no more requests afterwards', async () => {
    const sim = await server();
    const { r } = reflector(endpointConnection(sim.url));
    await r.synced;
    await waitFor(() => sim.stats.openWatches === 1, 'the watch');
    await r.stop();
    await waitFor(() => sim.stats.openWatches === 0, 'the watch to close');
    const n = sim.stats.requests.length;
    await new Promise((res) => setTimeout(res, 300));
    expect(sim.stats.requests.length).toBe(n);
  });
});
