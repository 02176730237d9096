/** The raw wire shape, read with plain fetch: chunked watch lines, list bodies, Status errors, discovery, writes. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from './server.ts';
import { rawStream, service, waitFor } from './test-kit.ts';

let sim: ApiServer;
beforeEach(async () => {
  sim = await startApiServer({ bookmarkIntervalMs: 50 });
});
afterEach(() => sim.close());

const get = async (path: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; body: any }> => {
  const res = await fetch(sim.url + path, init);
  const text = await res.text();
  const isJson = (res.headers.get('content-type') ?? '').startsWith('application/json');
  return { status: res.status, headers: res.headers, body: isJson ? JSON.parse(text) : text };
};

describe('wire format', () => {
  it('a watch is a chunked application/json stream of one JSON event per line', async () => {
    sim.apply(service('d', 'a'));
    const w = await rawStream(`${sim.url}/api/v1/namespaces/d/services?watch=1&allowWatchBookmarks=true`);
    expect(w.status).toBe(200);
    expect(w.headers.get('content-type')).toBe('application/json');
    expect(w.headers.get('transfer-encoding')).toBe('chunked');
    sim.apply(service('d', 'b'));
    await waitFor('add + bookmark', () => w.lines.length >= 3);
    const events = w.lines.map((l) => JSON.parse(l));
    expect(events.slice(0, 2).map((e) => [e.type, e.object.kind, e.object.metadata.name])).toEqual([
      ['ADDED', 'Service', 'a'],
      ['ADDED', 'Service', 'b'],
    ]);
    expect(events[2]).toEqual({ type: 'BOOKMARK', object: { kind: 'Service', apiVersion: 'v1', metadata: { resourceVersion: sim.resourceVersion } } });
    w.abort();
  });

  it('list items carry no kind/apiVersion; single objects do', async () => {
    sim.apply(service('d', 'a'));
    const list = await get('/api/v1/services');
    expect(list.body.kind).toBe('ServiceList');
    expect(list.body.apiVersion).toBe('v1');
    expect(list.body.items[0].kind).toBeUndefined();
    expect(list.body.items[0].apiVersion).toBeUndefined();
    expect((await get('/api/v1/namespaces/d/services/a')).body.kind).toBe('Service');
  });

  it('errors are Status objects with the right code and reason', async () => {
    const cases: Array<[string, number, string, RegExp]> = [
      ['/api/v1/configmaps', 404, 'NotFound', /the server could not find the requested resource/],
      ['/api/v1/namespaces/d/services/x', 404, 'NotFound', /services "x" not found/],
      ['/apis/discovery.k8s.io/v1/namespaces/d/endpointslices/x', 404, 'NotFound', /endpointslices.discovery.k8s.io "x" not found/],
      ['/api/v1/services?resourceVersionMatch=Exact', 422, 'Invalid', /resourceVersionMatch is forbidden unless/],
      ['/api/v1/services?labelSelector=a%20in', 400, 'BadRequest', /expected/],
      ['/api/v1/services?limit=x', 400, 'BadRequest', /limit/],
      ['/api/v1/services?continue=garbage', 400, 'BadRequest', /continue/],
    ];
    for (const [path, code, reason, message] of cases) {
      const r = await get(path);
      expect([path, r.status]).toEqual([path, code]);
      expect(r.body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, code });
      expect(r.body.message).toMatch(message);
    }
  });

  it('requires the bearer token when one is set, and setToken rotates it', async () => {
    sim.setToken('t1');
    const anon = await get('/api/v1/services');
    expect(anon.status).toBe(401);
    expect(anon.body).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    expect((await get('/api/v1/services', { headers: { Authorization: 'Bearer t1' } })).status).toBe(200);
    sim.setToken('t2');
    expect((await get('/api/v1/services', { headers: { Authorization: 'Bearer t1' } })).status).toBe(401);
    expect((await get('/api/v1/services', { headers: { Authorization: 'bearer t2' } })).status).toBe(200);
    const w = await rawStream(`${sim.url}/api/v1/services?watch=true`, { Authorization: 'Bearer nope' });
    expect(w.status).toBe(401);
  });

  it('serves discovery, version and health', async () => {
    expect((await get('/api')).body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const v1 = (await get('/api/v1')).body;
    expect(v1.resources.map((r: any) => r.name)).toEqual(['namespaces', 'services', 'endpoints', 'pods']);
    expect(v1.resources.find((r: any) => r.name === 'services')).toMatchObject({ namespaced: true, kind: 'Service', verbs: expect.arrayContaining(['list', 'watch']) });
    expect((await get('/apis')).body.groups[0].name).toBe('discovery.k8s.io');
    expect((await get('/apis/discovery.k8s.io/v1')).body.resources[0]).toMatchObject({ name: 'endpointslices', kind: 'EndpointSlice' });
    expect((await get('/version')).body).toMatchObject({ major: '1', minor: '33', gitVersion: 'v1.33.0' });
    const health = await get('/healthz');
    expect([health.status, health.body]).toEqual([200, 'ok']);
  });

  it('creates, updates and deletes over HTTP with the real status codes', async () => {
    const w = await rawStream(`${sim.url}/api/v1/namespaces/d/services?watch=true`);
    const post = (body: unknown) => get('/api/v1/namespaces/d/services', { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
    const created = await post(service('d', 'a'));
    expect(created.status).toBe(201);
    expect(created.body.metadata.resourceVersion).toBe('1');
    expect((await post(service('d', 'a'))).body).toMatchObject({ code: 409, reason: 'AlreadyExists' });
    expect((await post(service('other', 'x'))).status).toBe(400);
    const put = (body: any) => get('/api/v1/namespaces/d/services/a', { method: 'PUT', body: JSON.stringify(body) });
    const stale = { ...created.body, metadata: { ...created.body.metadata, resourceVersion: '0', labels: { v: '2' } } };
    expect((await put(stale)).body).toMatchObject({ code: 409, reason: 'Conflict' });
    const fresh = { ...created.body, metadata: { ...created.body.metadata, labels: { v: '2' } } };
    expect((await put(fresh)).body.metadata).toMatchObject({ resourceVersion: '2', labels: { v: '2' } });
    const del = await get('/api/v1/namespaces/d/services/a', { method: 'DELETE' });
    expect(del.body).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'a', kind: 'services' } });
    expect((await get('/api/v1/namespaces/d/services/a', { method: 'DELETE' })).status).toBe(404);
    expect((await get('/api/v1/namespaces/d/services/a', { method: 'PATCH', body: '{}' })).status).toBe(405);
    await waitFor('three events', () => w.lines.length === 3);
    expect(w.lines.map((l) => JSON.parse(l).type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    w.abort();
  });

  it('gzips large non-watch responses when the client accepts gzip, as kube-apiserver does', async () => {
    for (let i = 0; i < 400; i++) sim.apply({ ...service('d', `s${i}`), metadata: { name: `s${i}`, namespace: 'd', annotations: { pad: 'x'.repeat(400) } } });
    const big = await get('/api/v1/services', { headers: { 'Accept-Encoding': 'gzip' } });
    expect(big.headers.get('content-encoding')).toBe('gzip');
    expect(big.body.items).toHaveLength(400); // fetch inflated it
    const small = await get('/api/v1/services?limit=1', { headers: { 'Accept-Encoding': 'gzip' } });
    expect(small.headers.get('content-encoding')).toBeNull();
  });

  it('serves the deprecated /watch/ path prefix', async () => {
    sim.apply(service('d', 'a'));
    const w = await rawStream(`${sim.url}/api/v1/watch/namespaces/d/services`);
    await waitFor('added', () => w.lines.length === 1);
    expect(JSON.parse(w.lines[0]!).type).toBe('ADDED');
    w.abort();
  });
});
