/**
 * A misbehaving API server, end to end: the real CLI (dist/cli.js) reads the simulator through the
 * real client path, and each fault is judged by what clients see (DNS answers), by /ready, by
 * /metrics and by the requests the simulator received. The reflector's rules are in src/kube/README.md.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rcode, Type } from '../../src/dns/constants.js';
import { encode } from '../../src/dns/encode.js';
import { newQuery } from '../../src/dns/message.js';
import type { ApiServer } from '../apiserver/server.js';
import { httpGet, metricSum, scrape } from '../helpers/metrics.js';
import { quantile, startQueryStream } from '../helpers/query-stream.js';
import { type Harness, useApiHarness } from '../helpers/api-harness.js';
import { defaultService } from '../helpers/web-cluster.js';
import { udpQuery } from '../helpers/wire-client.js';

const ZONE = 'cluster.local';
const service = defaultService;

const { boot, ask, addressOf, until, current } = useApiHarness();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lines = (h: Harness, re: RegExp) => h.srv.output().split('\n').filter((l) => re.test(l));
const watchRequests = (sim: ApiServer, from: number) => sim.stats.requests.slice(from).filter((r) => r.query.watch === 'true');

describe('API down at start', () => {
  it('SERVFAIL and /ready 503 until the API is back, retried with backoff; then answers and ready', async () => {
    const started = Date.now();
    const h = await boot({ before: (sim) => sim.faults.down(600_000), startupTimeout: '1s', synced: false });
    // The server waits startup_timeout for the first list before it serves, as CoreDNS does.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    await h.srv.waitFor(/\[WARNING\] plugin\/kubernetes: starting server with unsynced Kubernetes API/);
    expect((await ask('web')).rcode).toBe(Rcode.SERVFAIL);
    // Absence cannot be known yet either: SERVFAIL, not NXDOMAIN.
    expect((await ask('nope')).rcode).toBe(Rcode.SERVFAIL);
    const notReady = await httpGet(h.readyUrl);
    expect(notReady).toEqual({ status: 503, body: 'kubernetes' });
    const before = await scrape(h.metrics);
    expect(metricSum(before, 'coredns_dns_responses_total', { rcode: 'SERVFAIL' })).toBeGreaterThanOrEqual(2);

    await sleep(2500);
    const retries = lines(h, /list of \*v1\.Service failed: .*ECONNREFUSED.*; retrying in \d+ ms/);
    const delays = retries.map((l) => Number(/retrying in (\d+) ms/.exec(l)![1]));
    // 250 ms doubling, jittered into [d/2, d]: growing, and few tries in ~3.5 s (no hot loop).
    expect(delays.length).toBeGreaterThanOrEqual(3);
    expect(delays.length).toBeLessThanOrEqual(8);
    expect(delays[2]!).toBeGreaterThan(delays[0]!);

    h.sim.faults.clear();
    const took = await until(async () => (await addressOf('web')) === '10.96.0.50', 15_000, 'an answer once the API is back');
    expect(took).toBeLessThan(15_000);
    // Each kind lists again after its own backoff: NXDOMAIN only once all of them have synced.
    await until(async () => (await httpGet(h.readyUrl)).status === 200, 15_000, 'every kind synced');
    expect((await ask('nope')).rcode).toBe(Rcode.NXDOMAIN);
    expect(await httpGet(h.readyUrl)).toEqual({ status: 200, body: 'OK' });
    expect(h.srv.proc.exitCode).toBeNull();
  });
});

describe('watch dropped mid-stream', () => {
  it.each(['clean', 'reset'] as const)('%s: answers from the last state; re-watch from the last resourceVersion within 5 s', async (mode) => {
    const h = await boot();
    await sleep(500); // bookmarks bring every reflector's RV up to the current revision
    const rv = h.sim.resourceVersion;
    const lists = h.sim.stats.lists;
    const mark = h.sim.stats.requests.length;
    h.sim.faults.dropWatches(mode);
    expect(await addressOf('web')).toBe('10.96.0.50');
    h.sim.apply(service('after-drop', '10.96.0.51'));
    const took = await until(async () => (await addressOf('after-drop')) === '10.96.0.51', 5000, 'the event after the drop');
    expect(took).toBeLessThan(5000);
    // Resumed, not relisted: the new watches start at the RV the old ones had reached.
    expect(h.sim.stats.lists).toBe(lists);
    // Each kind re-watches on its own (after a reset, each backs off first): wait for all three.
    const kinds = ['/api/v1/services', '/api/v1/namespaces', '/apis/discovery.k8s.io/v1/endpointslices'];
    await until(() => new Set(watchRequests(h.sim, mark).map((r) => r.path)).size === kinds.length, 5000, 'all three watches resumed');
    const resumed = watchRequests(h.sim, mark);
    expect(new Set(resumed.map((r) => r.path))).toEqual(new Set(kinds));
    // The first re-watch of each kind starts at the RV it had reached.
    expect(kinds.map((k) => resumed.find((r) => r.path === k)!.query.resourceVersion)).toEqual([rv, rv, rv]);
    if (mode === 'reset') expect(lines(h, /\[WARNING\] plugin\/kubernetes: watch of \*v1\.Service failed: .*retrying in/).length).toBeGreaterThan(0);
    else expect(lines(h, /\[WARNING\]/)).toEqual([]);
  });
});

describe('410 Gone on resume', () => {
  it('relists once per kind: objects deleted during the gap disappear, new ones appear, no hot loop', async () => {
    const h = await boot({ before: (sim) => sim.apply(service('doomed', '10.96.0.52')) });
    expect(await addressOf('doomed')).toBe('10.96.0.52');
    const lists = h.sim.stats.lists;
    h.sim.faults.down(1000);
    h.sim.remove('Service', 'default', 'doomed');
    h.sim.apply(service('born', '10.96.0.53'));
    h.sim.faults.expireHistory();
    await until(async () => (await ask('doomed')).rcode === Rcode.NXDOMAIN && (await addressOf('born')) === '10.96.0.53', 15_000, 'the relist');
    for (const kind of ['Service', 'EndpointSlice', 'Namespace']) {
      await until(() => lines(h, new RegExp(`plugin/kubernetes: watch of \\*v1\\.${kind}: .*410 Gone\\); relisting`)).length === 1, 5000, `the 410 of ${kind}`);
    }
    await until(() => h.sim.stats.lists - lists === 3, 5000, 'three relists');
    await sleep(2000);
    // One relist per watched kind (services, endpointslices, namespaces), and nothing more after.
    expect(h.sim.stats.lists - lists).toBe(3);
    expect(await addressOf('web')).toBe('10.96.0.50');
  });
});

describe('watch open but silent', () => {
  it('is detected by the watchdog (CLUSTERDNS_WATCHDOG_MS) and re-established; a quiet watch with bookmarks is left alone', async () => {
    const h = await boot({ sim: { bookmarkIntervalMs: 300 }, env: { CLUSTERDNS_WATCHDOG_MS: '1500' } });
    await sleep(2000);
    expect(lines(h, /received nothing/)).toEqual([]);
    h.sim.faults.silentWatches(true);
    h.sim.faults.silentWatches(false);
    h.sim.apply(service('quiet', '10.96.0.54'));
    const took = await until(async () => (await addressOf('quiet')) === '10.96.0.54', 60_000, 'the event missed by the stuck watch');
    expect(took).toBeGreaterThanOrEqual(1000);
    expect(took).toBeLessThan(10_000);
    expect(lines(h, /\[WARNING\] plugin\/kubernetes: watch of \*v1\.Service received nothing for 1500 ms; restarting it/).length).toBeGreaterThan(0);
  });
});

describe('slow API (2 s per response)', () => {
  it('leaves DNS latency and the event loop alone', async () => {
    const h = await boot();
    const q = encode(newQuery(`web.default.svc.${ZONE}.`, Type.A, { id: 0 }));
    // The same stream with a healthy API first: the machine's own noise, to judge the slow run by.
    const base = await startQueryStream({ port: h.srv.port, queries: [q], count: 500, gapMs: 5 }).done;
    h.sim.faults.slow(2000);
    h.sim.faults.expireHistory();
    h.sim.faults.dropWatches('reset'); // every reflector now waits on slow watches, then slow relists
    await scrape(h.metrics); // resets the event-loop histogram
    const res = await startQueryStream({ port: h.srv.port, queries: [q], count: 500, gapMs: 5 }).done;
    const lag = metricSum(await scrape(h.metrics), 'nodejs_eventloop_lag_max_seconds');
    const p99 = quantile(res.latencyMs, 0.99);
    const baseP99 = quantile(base.latencyMs, 0.99);
    console.log(`slow API: 500 queries p50 ${quantile(res.latencyMs, 0.5).toFixed(2)} ms, p99 ${p99.toFixed(2)} ms (healthy API: ${baseP99.toFixed(2)} ms), max ${Math.max(...res.latencyMs).toFixed(2)} ms; event-loop lag max ${(lag * 1000).toFixed(1)} ms`);
    expect(res.rcode.filter((r) => r !== Rcode.NOERROR)).toEqual([]);
    // p99 < 5 ms; on a machine so busy that even the healthy run is slower, no worse than twice that.
    expect(p99).toBeLessThan(Math.max(5, 2 * baseP99));
    expect(lag).toBeLessThan(0.1);
    // The API is slow, not gone: changes still arrive.
    h.sim.apply(service('slowpoke', '10.96.0.55'));
    await until(async () => (await addressOf('slowpoke')) === '10.96.0.55', 15_000, 'a change through the slow API');
  });
});

describe('API errors', () => {
  it('a burst of 5xx is logged and retried; answers keep coming, nothing crashes', async () => {
    const h = await boot();
    h.sim.faults.failNext(5, 500);
    h.sim.faults.dropWatches('reset');
    expect(await addressOf('web')).toBe('10.96.0.50');
    h.sim.apply(service('burst', '10.96.0.56'));
    await until(async () => (await addressOf('burst')) === '10.96.0.56', 15_000, 'the change after the burst');
    expect(lines(h, /\[WARNING\] plugin\/kubernetes: watch of .* failed: 500 .*; retrying in \d+ ms/).length).toBeGreaterThan(0);
    h.sim.faults.failNext(3, 503);
    h.sim.faults.dropWatches('reset');
    h.sim.apply(service('retry-after', '10.96.0.57'));
    await until(async () => (await addressOf('retry-after')) === '10.96.0.57', 15_000, 'the change after the 503s');
    // Retry-After: 1 is honoured: no retry sooner than a second after a 503.
    const after503 = lines(h, /failed: 503 .*; retrying in (\d+) ms/).map((l) => Number(/retrying in (\d+) ms/.exec(l)![1]));
    expect(after503.length).toBeGreaterThan(0);
    expect(Math.min(...after503)).toBeGreaterThanOrEqual(1000);
    expect(await httpGet(h.readyUrl)).toEqual({ status: 200, body: 'OK' });
    expect(h.srv.proc.exitCode).toBeNull();
  });

  it('a malformed watch event is logged; the watch resumes before it, so the event is not lost', async () => {
    const h = await boot();
    const lists = h.sim.stats.lists;
    h.sim.faults.malformedNextWatchEvent();
    h.sim.apply(service('mangled', '10.96.0.58'));
    await until(async () => (await addressOf('mangled')) === '10.96.0.58', 10_000, 'the event that was cut in half');
    expect(lines(h, /\[WARNING\] plugin\/kubernetes: watch of \*v1\.Service failed: malformed watch event/).length).toBe(1);
    expect(h.sim.stats.lists).toBe(lists);
    expect(h.srv.proc.exitCode).toBeNull();
  });

  it('401 after a token change is retried; the rotated token file is picked up without a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clusterdns-token-'));
    const tokenPath = join(dir, 'token');
    writeFileSync(tokenPath, 'first-token\n');
    const h = await boot({
      sim: { token: 'first-token' },
      // kubectl's `token-file`, relative to the kubeconfig: the file is re-read before each request.
      connection: (sim) => ({
        line: 'kubeconfig kubeconfig',
        files: {
          kubeconfig: `apiVersion: v1\nkind: Config\ncurrent-context: sim\nclusters:\n- name: sim\n  cluster: { server: "${sim.url}" }\nusers:\n- name: sa\n  user: { token-file: "${tokenPath}" }\ncontexts:\n- name: sim\n  context: { cluster: sim, user: sa }\n`,
        },
      }),
    });
    const pid = h.srv.proc.pid;
    h.sim.setToken('second-token');
    h.sim.faults.dropWatches('reset');
    await until(() => lines(h, /failed: 401 Unauthorized; retrying in/).length >= 2, 10_000, 'the 401s to be logged');
    expect(await addressOf('web')).toBe('10.96.0.50');
    writeFileSync(tokenPath, 'second-token\n');
    h.sim.apply(service('rotated', '10.96.0.59'));
    await until(async () => (await addressOf('rotated')) === '10.96.0.59', 15_000, 'a change read with the rotated token');
    expect(h.srv.proc.pid).toBe(pid);
    expect(h.srv.proc.exitCode).toBeNull();
    expect(h.srv.output().match(/clusterdns-\d/g)).toHaveLength(1);
  });
});

/**
 * A pass-through proxy to the simulator that serves the pages of one list (limit=500) from memory,
 * fetched once beforehand. The simulator spends ~35 ms of CPU per page of a 50k list; on a 2-CPU
 * runner that would compete with clusterdns and blur what is measured. Pages are byte for byte
 * the simulator's (continue tokens are deterministic); watches and other requests pass through.
 */
async function listCache(sim: ApiServer, path: string) {
  const get = (url: string) =>
    new Promise<Buffer>((resolve, reject) => {
      http.get(url, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`${url}: ${res.statusCode}`))));
        res.on('error', reject);
      }).on('error', reject);
    });
  const pages = new Map<string, Buffer>();
  let cont = '';
  do {
    const body = await get(`${sim.url}${path}?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
    pages.set(cont, body);
    cont = (JSON.parse(body.toString()) as { metadata?: { continue?: string } }).metadata?.continue ?? '';
  } while (cont && pages.size < 10_000);
  const upstream = new URL(sim.url);
  let served = 0;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy.invalid');
    const q = url.searchParams;
    const hit = url.pathname === path && !q.has('watch') && q.get('limit') === '500' ? pages.get(q.get('continue') ?? '') : undefined;
    if (hit) {
      served++;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': hit.length }).end(hit);
      return;
    }
    const up = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    up.on('error', () => res.destroy());
    res.on('close', () => up.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    pages: pages.size,
    get served() {
      return served;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('50,000 services', () => {
  it('the initial list is paginated, and the event loop is never blocked > 100 ms meanwhile', async () => {
    const N = 50_000;
    const t0 = Date.now();
    let proxy: Awaited<ReturnType<typeof listCache>> | undefined;
    try {
      const h = await boot({
        startupTimeout: '100ms',
        synced: false,
        before: async (sim) => {
          for (let i = 0; i < 100; i++) sim.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns-${i}` } });
          for (let i = 0; i < N; i++) {
            sim.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}`, namespace: `ns-${i % 100}` }, spec: { ports: [{ port: 80 }] } });
          }
          proxy = await listCache(sim, '/api/v1/services');
        },
        connection: () => ({ line: `endpoint ${proxy!.url}` }),
      });
      console.log(`50k: simulator loaded, ${proxy!.pages} pages cached, CLI started in ${Date.now() - t0} ms`);
      await scrape(h.metrics); // resets the event-loop histogram
      const q = encode(newQuery(`web.default.svc.${ZONE}.`, Type.A, { id: 0 }));
      const stream = startQueryStream({ port: h.srv.port, queries: [q], gapMs: 1, timeoutMs: 2000 });
      const syncMs = await until(async () => (await httpGet(h.readyUrl)).status === 200, 60_000, 'the 50k list');
      const res = await stream.stop();
      const lag = metricSum(await scrape(h.metrics), 'nodejs_eventloop_lag_max_seconds');
      const max = Math.max(...res.latencyMs);
      console.log(`50k: synced ${syncMs} ms after the banner; ${res.latencyMs.length} queries meanwhile, p50 ${quantile(res.latencyMs, 0.5).toFixed(2)} ms, p99 ${quantile(res.latencyMs, 0.99).toFixed(2)} ms, max ${max.toFixed(1)} ms; event-loop lag max ${(lag * 1000).toFixed(1)} ms`);
      // Every page of the list was asked for, 500 at a time (pages not in the cache would be 0 here).
      expect(proxy!.pages).toBe(Math.ceil((N + 1) / 500));
      expect(proxy!.served).toBe(proxy!.pages);
      expect(res.latencyMs.length).toBeGreaterThan(20);
      expect(res.rcode.filter((r) => r === -1)).toEqual([]);
      expect(max).toBeLessThan(100);
      expect(lag).toBeLessThan(0.1);
      for (const i of [0, 12_345, N - 1]) {
        const r = await udpQuery(h.srv.port, `svc-${i}.ns-${i % 100}.svc.${ZONE}.`, Type.A);
        expect(r.rcode).toBe(Rcode.NOERROR);
        expect(r.answer[0]!.address).toBe(h.sim.get('Service', `ns-${i % 100}`, `svc-${i}`).spec.clusterIP);
      }
    } finally {
      await current()?.srv.stop();
      await proxy?.close();
    }
  }, 120_000);
});
