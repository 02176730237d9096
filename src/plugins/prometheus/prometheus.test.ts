import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { Rcode, Type } from '../../dns/constants.js';
import { encode } from '../../dns/encode.js';
import { newQuery, replyTo } from '../../dns/message.js';
import type { Directive } from '../../corefile/types.js';
import { PluginError, type Handler, type Request } from '../../plugin/handler.js';
import { makeSetupContext } from '../../plugin/testing.js';
import type { SetupContext } from '../../plugin/setup.js';
import { makeRequest, runChain } from '../../plugin/testing.js';
import { panics, reportDropped } from './core-metrics.js';
import type { Prometheus } from './prometheus.js';
import { plugin } from './setup.js';
import { Resources } from '../../core/resources.js';

type Sample = { name: string; labels: Record<string, string>; value: number };

/** Parses Prometheus text exposition into samples. */
function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`bad exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: m[3] === '+Inf' ? Infinity : Number(m[3]) });
  }
  return out;
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const hits = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (hits.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${hits.length} series`);
  return hits[0]?.value;
}

function get(addr: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; type?: string; body: Buffer; encoding?: string }> {
  const u = new URL(`http://${addr}${path}`);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port, path, headers, timeout: 5000, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body: Buffer.concat(chunks), encoding: res.headers['content-encoding'] }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

async function scrape(addr: string): Promise<Sample[]> {
  const res = await get(addr, '/metrics');
  expect(res.status).toBe(200);
  return parseExposition(res.body.toString());
}

/**
 * A SetupContext for one block. `resources` is the core's store of kept resources: pass the same
 * one to model a reload; `shared` is per config, as in the core.
 */
function makeCtx(over: { zones?: string[]; server?: string; shared?: Map<string, unknown>; resources?: Resources } = {}) {
  const startup: Array<() => void | Promise<void>> = [];
  const shutdown: Array<() => void | Promise<void>> = [];
  const handlers = new Map<string, Handler>();
  const resources = over.resources ?? new Resources();
  const shared = over.shared ?? new Map<string, unknown>();
  const ctx: SetupContext = {
    ...makeSetupContext().ctx,
    zones: over.zones ?? ['.'],
    server: over.server ?? 'dns://:53',
    onStartup: (fn) => startup.push(fn),
    onShutdown: (fn) => shutdown.push(fn),
    shared,
    keep: (key, create) => resources.keep(key, create),
    handlers,
  };
  return {
    ctx,
    handlers,
    resources,
    /** Runs the startup hooks and adopts the config (closing kept resources it did not claim). */
    start: async () => {
      for (const fn of startup) await fn();
      await resources.releaseUnclaimed();
    },
    stop: async () => {
      for (const fn of shutdown) await fn();
    },
  };
}

const dir = (args: string[]): Directive => ({ name: 'prometheus', args, block: null, file: 'Corefile', line: 2 });

/** A plugin that answers every query itself with `rcode`. */
function answering(name: string, rcode: number = Rcode.NOERROR): Handler {
  return {
    name,
    async serveDNS(req: Request) {
      req.responder = name;
      const reply = replyTo(req.msg, rcode);
      if (rcode === Rcode.NOERROR && req.qtype === Type.A) reply.answer.push({ name: req.name, type: Type.A, class: 1, ttl: 5, address: '10.0.0.1' });
      return reply;
    },
  };
}

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (stops.length) await stops.pop()!();
});

async function started(args: string[], over: Parameters<typeof makeCtx>[0] = {}) {
  const c = makeCtx(over);
  c.resources.beginBuild();
  const h = (await plugin.setup([dir(args)], c.ctx)) as Prometheus;
  c.handlers.set('prometheus', h);
  await c.start();
  stops.push(async () => {
    await c.stop();
    await c.resources.closeAll();
  });
  return { ...c, h, addr: `127.0.0.1:${h.listener!.port}` };
}

describe('prometheus handler and /metrics', () => {
  it('records queries with CoreDNS names and labels', async () => {
    const { h, handlers, addr } = await started(['127.0.0.1:0'], { zones: ['cluster.local.'], server: 'dns://:1053' });
    const kube = answering('kubernetes');
    handlers.set('kubernetes', kube);
    const zone = 'cluster.local.';
    const q = (name: string, type: number, over: Partial<Request> = {}) =>
      runChain([h, kube], makeRequest(name, type, { zone, server: 'dns://:1053', ...over }));

    const a = await q('web.default.svc.cluster.local.', Type.A);
    await q('web.default.svc.cluster.local.', Type.A, { proto: 'tcp', family: 2 });
    await q('x.cluster.local.', Type.HINFO);
    await q('x.cluster.local.', Type.NAPTR);
    const withDo = newQuery('s.cluster.local.', Type.SRV, { opt: { udpSize: 1232, version: 0, do: true, extendedRcode: 0, options: [] } });
    await q('s.cluster.local.', Type.SRV, { msg: withDo, do: true });

    // Metrics are global to the process; re-starting the instance's hooks must not lose them.
    const s = await scrape(addr);
    const base = { server: 'dns://:1053', zone, view: '' };
    expect(value(s, 'coredns_dns_requests_total', { ...base, proto: 'udp', family: '1', type: 'A' })).toBe(1);
    expect(value(s, 'coredns_dns_requests_total', { ...base, proto: 'tcp', family: '2', type: 'A' })).toBe(1);
    expect(value(s, 'coredns_dns_requests_total', { ...base, proto: 'udp', family: '1', type: 'other' })).toBe(2);
    expect(value(s, 'coredns_dns_requests_total', { ...base, type: 'SRV' })).toBe(1);
    expect(value(s, 'coredns_dns_do_requests_total', base)).toBe(1);
    expect(value(s, 'coredns_dns_responses_total', { ...base, rcode: 'NOERROR', plugin: 'kubernetes' })).toBe(5);
    expect(value(s, 'coredns_dns_request_duration_seconds_count', base)).toBe(5);
    expect(value(s, 'coredns_dns_request_duration_seconds_bucket', { ...base, le: '+Inf' })).toBe(5);
    expect(value(s, 'coredns_dns_request_duration_seconds_bucket', { ...base, le: '0.00025' })).toBeDefined();
    expect(s.some((x) => x.name === 'coredns_dns_request_duration_seconds_bucket' && 'type' in x.labels)).toBe(false);
    // Sizes: the first A query and its reply, exactly as encoded (the common shapes are exact).
    expect(value(s, 'coredns_dns_request_size_bytes_count', { ...base, proto: 'udp' })).toBe(4);
    expect(value(s, 'coredns_dns_request_size_bytes_bucket', { ...base, proto: 'tcp', le: '100' })).toBe(1);
    expect(value(s, 'coredns_dns_request_size_bytes_sum', { ...base, proto: 'tcp' })).toBe(encode(newQuery('web.default.svc.cluster.local.', Type.A)).length);
    expect(value(s, 'coredns_dns_response_size_bytes_sum', { ...base, proto: 'tcp' })).toBe(encode(a).length);
    expect(value(s, 'coredns_dns_response_size_bytes_bucket', { ...base, proto: 'tcp', le: '64000' })).toBe(1);
  });

  it('counts a failing chain as the server answering: SERVFAIL, plugin "", size 0', async () => {
    const { h, addr } = await started(['127.0.0.1:0'], { server: 'dns://:2053' });
    const failing: Handler = { name: 'kubernetes', serveDNS: async () => { throw new PluginError('kubernetes', 'no API', Rcode.REFUSED); } };
    const crashing: Handler = { name: 'forward', serveDNS: async () => { throw new TypeError('boom'); } };
    await expect(runChain([h, failing], makeRequest('a.', Type.A, { server: 'dns://:2053' }))).rejects.toThrow('no API');
    await expect(runChain([h, crashing], makeRequest('a.', Type.A, { server: 'dns://:2053' }))).rejects.toThrow('boom');
    const s = await scrape(addr);
    const base = { server: 'dns://:2053', zone: '.', view: '' };
    expect(value(s, 'coredns_dns_responses_total', { ...base, rcode: 'REFUSED', plugin: '' })).toBe(1);
    expect(value(s, 'coredns_dns_responses_total', { ...base, rcode: 'SERVFAIL', plugin: '' })).toBe(1);
    expect(value(s, 'coredns_dns_response_size_bytes_sum', { ...base, proto: 'udp' })).toBe(0);
  });

  it('serves build info, panics, plugin_enabled, process metrics and dropped queries', async () => {
    const { handlers, addr } = await started(['127.0.0.1:0'], { zones: ['a.', 'b.'], server: 'dns://:3053' });
    expect(handlers.size).toBe(1);
    panics.inc();
    reportDropped({ server: 'dns://:3053', proto: 'udp', family: 1, qtype: Type.A, do: false, rcode: Rcode.REFUSED, requestBytes: 30, responseBytes: 30 });
    const s = await scrape(addr);
    expect(value(s, 'coredns_panics_total')).toBe(1);
    const build = s.find((x) => x.name === 'coredns_build_info')!;
    expect(build.value).toBe(1);
    expect(build.labels.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(build.labels.goversion).toBe(`node${process.versions.node}`);
    for (const zone of ['a.', 'b.']) expect(value(s, 'coredns_plugin_enabled', { server: 'dns://:3053', zone, view: '', name: 'prometheus' })).toBe(1);
    expect(value(s, 'process_cpu_user_seconds_total')).toBeGreaterThanOrEqual(0);
    expect(value(s, 'coredns_dns_responses_total', { server: 'dns://:3053', zone: 'dropped', rcode: 'REFUSED', plugin: '' })).toBe(1);
  });

  it('answers HTTP like promhttp: content type, gzip, 404 elsewhere', async () => {
    const { addr } = await started(['127.0.0.1:0']);
    const plain = await get(addr, '/metrics');
    expect(plain.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    const zipped = await get(addr, '/metrics', { 'accept-encoding': 'gzip' });
    expect(zipped.encoding).toBe('gzip');
    expect(gunzipSync(zipped.body).toString()).toContain('# TYPE coredns_panics_total counter');
    const other = await get(addr, '/');
    expect(other.status).toBe(404);
  });

  it('survives a reload: same socket when the address stays, plugin_enabled listed anew', async () => {
    const resources = new Resources();
    const one = makeCtx({ resources, server: 'dns://:4053' });
    resources.beginBuild();
    const h1 = (await plugin.setup([dir(['127.0.0.1:0'])], one.ctx)) as Prometheus;
    one.handlers.set('prometheus', h1);
    one.handlers.set('whoami', answering('whoami'));
    await one.start();
    stops.push(() => resources.closeAll());
    const addr = `127.0.0.1:${h1.listener!.port}`;
    expect(value(await scrape(addr), 'coredns_plugin_enabled', { server: 'dns://:4053', name: 'whoami' })).toBe(1);

    // The core's reload order: build and start the new config, adopt it, then shut the old one down.
    const two = makeCtx({ resources, server: 'dns://:4053' });
    resources.beginBuild();
    const h2 = (await plugin.setup([dir(['127.0.0.1:0'])], two.ctx)) as Prometheus;
    two.handlers.set('prometheus', h2);
    await two.start();
    await one.stop();
    expect(h2.listener).toBe(h1.listener);
    const s = await scrape(addr);
    expect(value(s, 'coredns_plugin_enabled', { server: 'dns://:4053', name: 'prometheus' })).toBe(1);
    expect(value(s, 'coredns_plugin_enabled', { server: 'dns://:4053', name: 'whoami' })).toBeUndefined();

    // A third config on another address: the old listener is closed.
    const three = makeCtx({ resources, server: 'dns://:4053' });
    resources.beginBuild();
    const h3 = (await plugin.setup([dir([':0'])], three.ctx)) as Prometheus;
    await three.start();
    expect(h3.listener).not.toBe(h1.listener);
    await expect(get(addr, '/metrics')).rejects.toThrow(/ECONNREFUSED/);
    expect((await scrape(`127.0.0.1:${h3.listener!.port}`)).length).toBeGreaterThan(0);
  });

  it('shares one listener between blocks naming the same address', async () => {
    const resources = new Resources();
    const shared = new Map<string, unknown>();
    resources.beginBuild();
    const a = makeCtx({ resources, shared, zones: ['a.'] });
    const b = makeCtx({ resources, shared, zones: ['b.'] });
    const ha = (await plugin.setup([dir(['127.0.0.1:0'])], a.ctx)) as Prometheus;
    const hb = (await plugin.setup([dir(['127.0.0.1:0'])], b.ctx)) as Prometheus;
    await a.start();
    await b.start();
    stops.push(() => resources.closeAll());
    expect(ha.listener).toBe(hb.listener);
  });

  it('fails startup with a clear error when the address is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as AddressInfo).port;
    const c = makeCtx();
    c.resources.beginBuild();
    await plugin.setup([dir([`127.0.0.1:${port}`])], c.ctx);
    await expect(c.start()).rejects.toThrow(new RegExp(`plugin/prometheus: Corefile:2 - Error during parsing: cannot listen on 127.0.0.1:${port}: .*EADDRINUSE`));
    await c.resources.closeAll();
    await new Promise<void>((r) => blocker.close(() => r()));
  });
});
