/** Each fault, observed on the wire. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from './server.ts';
import { rawStream, service, waitFor } from './test-kit.ts';

let sim: ApiServer;
beforeEach(async () => {
  sim = await startApiServer({ bookmarkIntervalMs: 50 });
});
afterEach(() => sim.close());

const watchUrl = (): string => `${sim.url}/api/v1/services?watch=true`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('faults', () => {
  it('dropWatches("clean") ends the chunked body normally; "reset" breaks the connection', async () => {
    const a = await rawStream(watchUrl());
    await waitFor('open', () => sim.stats.openWatches === 1);
    sim.faults.dropWatches('clean');
    expect(await a.ended).toBe('end');
    const b = await rawStream(watchUrl());
    await waitFor('open', () => sim.stats.openWatches === 1);
    sim.faults.dropWatches('reset');
    expect(await b.ended).toBeInstanceOf(Error);
    await waitFor('closed', () => sim.stats.openWatches === 0);
  });

  it('down(ms) refuses connections and resets open watches, then serves again on the same URL', async () => {
    const w = await rawStream(watchUrl());
    await waitFor('open', () => sim.stats.openWatches === 1);
    sim.faults.down(300);
    expect(await w.ended).toBeInstanceOf(Error);
    const refused = await fetch(`${sim.url}/healthz`).then(() => 'ok', (err: Error) => String((err.cause as { code?: string })?.code ?? err));
    expect(refused).toBe('ECONNREFUSED');
    await sleep(400);
    expect((await fetch(`${sim.url}/healthz`)).status).toBe(200);
  });

  it('slow(ms) delays every response start', async () => {
    sim.faults.slow(200);
    let t = Date.now();
    await fetch(`${sim.url}/api/v1/services`).then((r) => r.text());
    expect(Date.now() - t).toBeGreaterThanOrEqual(190);
    sim.faults.slow(0);
    t = Date.now();
    await fetch(`${sim.url}/api/v1/services`).then((r) => r.text());
    expect(Date.now() - t).toBeLessThan(150);
  });

  it('silentWatches: open watches get stuck (no events, no bookmarks) and stay stuck; new ones work after off', async () => {
    const old = await rawStream(`${watchUrl()}&allowWatchBookmarks=true`);
    await waitFor('a bookmark', () => old.lines.length > 0);
    sim.faults.silentWatches(true);
    const seen = old.lines.length;
    sim.apply(service('d', 'a'));
    await sleep(200);
    expect(old.lines.length).toBe(seen);
    expect(sim.stats.openWatches).toBe(1); // the connection is still open
    sim.faults.silentWatches(false);
    const fresh = await rawStream(watchUrl());
    await waitFor('ADDED on the new watch', () => fresh.lines.length === 1);
    sim.apply(service('d', 'b'));
    await waitFor('live event on the new watch', () => fresh.lines.length === 2);
    expect(old.lines.length).toBe(seen);
    old.abort();
    fresh.abort();
  });

  it('failNext(n, status) fails the next n requests with a Status, then serves normally', async () => {
    sim.faults.failNext(2, 429);
    const r1 = await fetch(`${sim.url}/api/v1/services`);
    expect(r1.status).toBe(429);
    expect(r1.headers.get('retry-after')).toBe('1');
    expect(await r1.json()).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', code: 429 });
    expect((await fetch(`${sim.url}/api/v1/services?watch=true`)).status).toBe(429);
    expect((await fetch(`${sim.url}/api/v1/services`)).status).toBe(200);
    sim.faults.failNext(1);
    const r2 = await fetch(`${sim.url}/api/v1/services`);
    expect(await r2.json()).toMatchObject({ reason: 'InternalError', code: 500 });
  });

  it('malformedNextWatchEvent breaks exactly one event line', async () => {
    const w = await rawStream(watchUrl());
    await waitFor('open', () => sim.stats.openWatches === 1);
    sim.faults.malformedNextWatchEvent();
    sim.apply(service('d', 'a'));
    sim.apply(service('d', 'b'));
    await waitFor('two lines', () => w.lines.length === 2);
    expect(() => JSON.parse(w.lines[0]!)).toThrow();
    expect(JSON.parse(w.lines[1]!).object.metadata.name).toBe('b');
    w.abort();
  });

  it('expireHistory: resuming from any RV handed out before gets 410, the current one still works', async () => {
    sim.apply(service('d', 'a'));
    const before = sim.resourceVersion;
    sim.faults.expireHistory();
    const old = await rawStream(`${watchUrl()}&resourceVersion=${before}`);
    expect(await old.ended).toBe('end');
    expect(JSON.parse(old.lines[0]!)).toMatchObject({ type: 'ERROR', object: { code: 410, reason: 'Expired' } });
    const now = await rawStream(`${watchUrl()}&resourceVersion=${sim.resourceVersion}`);
    sim.apply(service('d', 'b'));
    await waitFor('event', () => now.lines.length === 1);
    expect(JSON.parse(now.lines[0]!).type).toBe('ADDED');
    now.abort();
  });

  it('clear() turns every fault off and brings a downed server back at once', async () => {
    sim.faults.slow(500);
    sim.faults.failNext(5);
    sim.faults.malformedNextWatchEvent();
    sim.faults.down(60_000);
    sim.faults.clear();
    const t = Date.now();
    expect((await fetch(`${sim.url}/api/v1/services`)).status).toBe(200);
    expect(Date.now() - t).toBeLessThan(400);
    const w = await rawStream(watchUrl());
    sim.apply(service('d', 'a'));
    await waitFor('event', () => w.lines.length === 1);
    expect(JSON.parse(w.lines[0]!).type).toBe('ADDED');
    w.abort();
  });

  it('rejects nonsense fault arguments with a RangeError', () => {
    expect(() => sim.faults.failNext(-1)).toThrow(RangeError);
    expect(() => sim.faults.failNext(1, 200)).toThrow(RangeError);
    expect(() => sim.faults.down(Number.NaN)).toThrow(RangeError);
    expect(() => sim.faults.slow(1.5)).toThrow(RangeError);
    expect(() => sim.faults.dropWatches('later' as 'clean')).toThrow(RangeError);
  });
});
