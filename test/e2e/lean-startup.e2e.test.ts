/**
 * What a started server loads, against what its configuration needs: memory is part of the
 * product (issue: RSS budget), and every module loaded stays resident. kubeadm's Corefile against
 * the plain-HTTP simulator needs neither TLS nor HTTP/2 nor fetch (undici), OpenTelemetry, the
 * Pushgateway, client-node or the YAML parser; each of these, loaded by accident, cost MiB of RSS
 * (src/core/builtins.ts, src/plugin/prom-client.ts). A probe preloaded with --import records the
 * built-ins Node has loaded and every module the server resolves.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rcode, Type } from '../../src/dns/constants.js';
import { startApiServer, type ApiServer } from '../apiserver/server.js';
import { freePort, ROOT, startCli, type Running } from '../helpers/cli.js';
import { startStub, type Stub } from '../helpers/stub-upstream.js';
import { udpQuery } from '../helpers/wire-client.js';
import { replyTo } from '../../src/dns/message.js';

/** The probe: records resolutions (sync module hooks) and writes them with Node's built-in list every 100 ms. */
const PROBE = `
import { registerHooks } from 'node:module';
import { writeFileSync } from 'node:fs';
const resolved = new Set();
registerHooks({ resolve(spec, ctx, next) { const r = next(spec, ctx); resolved.add(r.url); return r; } });
setInterval(() => writeFileSync(process.env.PROBE_OUT, JSON.stringify({ builtins: process.moduleLoadList, resolved: [...resolved] })), 100).unref();
`;

interface Loaded {
  builtins: string[];
  resolved: string[];
}

let api: ApiServer;
let stub: Stub;
let srv: Running;
let loaded: Loaded;

beforeAll(async () => {
  api = await startApiServer({ bootstrap: true });
  stub = await startStub((q) => replyTo(q, Rcode.NXDOMAIN));
  const [health, ready, metrics] = [await freePort(), await freePort(), await freePort()];
  const corefile = readFileSync(join(ROOT, 'Corefile.example'), 'utf8')
    .replace('.:53 {', '.:{port} {')
    .replace('    health {', `    health 127.0.0.1:${health} {`)
    .replace('    ready\n', `    ready 127.0.0.1:${ready}\n`)
    .replace('prometheus :9153', `prometheus 127.0.0.1:${metrics}`)
    .replace('forward . /etc/resolv.conf', `forward . ${stub.addr}`)
    .replace('       pods insecure', `       endpoint ${api.url}\n       pods insecure`);
  expect(corefile).toContain(`endpoint ${api.url}`);
  const dir = mkdtempSync(join(tmpdir(), 'clusterdns-probe-'));
  writeFileSync(join(dir, 'probe.mjs'), PROBE);
  const out = join(dir, 'loaded.json');
  srv = await startCli(corefile, { env: { NODE_OPTIONS: `--import ${join(dir, 'probe.mjs')}`, PROBE_OUT: out } });
  // Synced, served a cluster name and a forwarded one, and scraped once: every path of the chain ran.
  const end = Date.now() + 15_000;
  for (;;) {
    const r = await udpQuery(srv.port, 'kubernetes.default.svc.cluster.local.', Type.A).catch(() => undefined);
    if (r?.answer.length) break;
    if (Date.now() > end) throw new Error(`never synced: ${srv.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  expect((await udpQuery(srv.port, 'example.org.', Type.A)).rcode).toBe(Rcode.NXDOMAIN);
  const scrape = await fetch(`http://127.0.0.1:${metrics}/metrics`);
  expect(await scrape.text()).toContain('process_cpu_seconds_total');
  await new Promise((r) => setTimeout(r, 300));
  expect(existsSync(out)).toBe(true);
  loaded = JSON.parse(readFileSync(out, 'utf8')) as Loaded;
}, 40_000);

afterAll(async () => {
  await srv?.stop();
  await stub?.close();
  await api?.close();
});

describe('a kubeadm server against a plain-HTTP API loads only what it uses', () => {
  it('no TLS, HTTP/2 or undici (fetch) among the built-ins', () => {
    const builtins = new Set(loaded.builtins.map((m) => m.replace(/^NativeModule /, '')));
    expect(builtins.has('dgram')).toBe(true); // the probe sees what was loaded
    expect(builtins.has('http')).toBe(true);
    for (const heavy of ['tls', 'https', 'http2', 'internal/deps/undici/undici']) expect(builtins.has(heavy), heavy).toBe(false);
  });

  it('prom-client without its Pushgateway, cluster aggregator or OpenTelemetry; no client-node, no YAML parser', () => {
    const deps = loaded.resolved.filter((u) => u.includes('/node_modules/'));
    expect(deps.some((u) => u.includes('/prom-client/lib/registry.js'))).toBe(true);
    for (const heavy of ['/prom-client/index.js', '/prom-client/lib/pushgateway.js', '/prom-client/lib/cluster.js', '/@opentelemetry/', '/@kubernetes/client-node/', '/yaml/']) {
      expect(deps.filter((u) => u.includes(heavy)), heavy).toEqual([]);
    }
  });
});
