/**
 * kubeadm's Corefile (Corefile.example, read from disk) through the real CLI, against the API
 * simulator loaded with the conformance cluster and a stub upstream: cluster answers, forwarding,
 * cache, metrics, health/ready, reload (SIGUSR1 and the reload plugin's polling), a broken edit,
 * loop detection, loadbalance and lameduck.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rcode, Type } from '../../src/dns/constants.js';
import { replyTo } from '../../src/dns/message.js';
import { startApiServer, type ApiServer } from '../apiserver/server.js';
import { CLUSTER_YAML } from '../conformance/cases.js';
import { freePort, ROOT, startCli, type Running } from '../helpers/cli.js';
import { dig } from '../helpers/dig.js';
import { startStub, type Stub } from '../helpers/stub-upstream.js';
import { udpQuery } from '../helpers/wire-client.js';

const KUBEADM = readFileSync(join(ROOT, 'Corefile.example'), 'utf8');

interface Side { health: number; ready: number; metrics: number }

/**
 * kubeadm's Corefile verbatim. The only changes: the DNS port (`.:53` -> `.:{port}`), the upstream
 * (`/etc/resolv.conf` -> the stub), health/ready/prometheus on free local ports, and an `endpoint`
 * line so the kubernetes plugin reaches the simulator. `lameduck` may be shortened for the lameduck test.
 */
function kubeadmCorefile(o: Side & { endpoint: string; upstream: string; lameduck?: string }): string {
  let text = KUBEADM;
  const swap = (from: string, to: string) => {
    if (!text.includes(from)) throw new Error(`Corefile.example no longer contains ${JSON.stringify(from)}`);
    text = text.replace(from, to);
  };
  swap('.:53 {', '.:{port} {');
  swap('    health {', `    health 127.0.0.1:${o.health} {`);
  swap('    ready\n', `    ready 127.0.0.1:${o.ready}\n`);
  swap('prometheus :9153', `prometheus 127.0.0.1:${o.metrics}`);
  swap('forward . /etc/resolv.conf', `forward . ${o.upstream}`);
  swap('       pods insecure', `       endpoint ${o.endpoint}\n       pods insecure`);
  if (o.lameduck) swap('lameduck 5s', `lameduck ${o.lameduck}`);
  return text;
}

const sideports = async (): Promise<Side> => ({ health: await freePort(), ready: await freePort(), metrics: await freePort() });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** GET on a side port: status and body (status 0 when nothing listens). */
async function http(port: number, path: string): Promise<{ status: number; body: string }> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2000) });
    return { status: r.status, body: await r.text() };
  } catch {
    return { status: 0, body: '' };
  }
}

/** One Prometheus sample. */
interface Sample { labels: Record<string, string>; value: number }

/** The samples of `name` in a text exposition. */
function samples(text: string, name: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1]!, x[2]!]));
    out.push({ labels, value: Number(m[3]) });
  }
  return out;
}

/** The value of the one sample of `name` whose labels are exactly `labels` (0 if absent). */
function value(text: string, name: string, labels: Record<string, string>): number {
  const want = JSON.stringify(Object.entries(labels).sort());
  const hit = samples(text, name).filter((s) => JSON.stringify(Object.entries(s.labels).sort()) === want);
  expect(hit.length, `${name} ${want}`).toBeLessThanOrEqual(1);
  return hit[0]?.value ?? 0;
}

const scrape = async (port: number) => (await http(port, '/metrics')).body;

/** Polls until the kubernetes plugin answers from a synced cluster. */
async function waitSynced(port: number): Promise<void> {
  const end = Date.now() + 15_000;
  for (;;) {
    const r = await udpQuery(port, 'kubernetes.default.svc.cluster.local.', Type.A).catch(() => undefined);
    if (r && r.rcode === Rcode.NOERROR && r.answer.length > 0) return;
    if (Date.now() > end) throw new Error('cluster never synced');
    await sleep(50);
  }
}

/** Stub upstream: `*.fwd.test.` A 192.0.2.20 TTL 300, `example.org.` A 192.0.2.10; anything else NXDOMAIN. */
function stubAnswers(): Parameters<typeof startStub>[0] {
  return (q) => {
    const { name, type } = q.question[0]!;
    const lower = name.toLowerCase();
    const address = lower === 'example.org.' ? '192.0.2.10' : lower.endsWith('.fwd.test.') ? '192.0.2.20' : undefined;
    const r = replyTo(q, address ? Rcode.NOERROR : Rcode.NXDOMAIN);
    r.ra = true;
    if (address && type === Type.A) r.answer = [{ name, type: Type.A, class: 1, ttl: 300, address }];
    return r;
  };
}

const lbService = {
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'lb', namespace: 'testns' },
  spec: { clusterIP: 'None', ports: [{ name: 'http', port: 80 }], selector: { app: 'lb' } },
};
const lbSlice = {
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
  metadata: { name: 'lb-1', namespace: 'testns', labels: { 'kubernetes.io/service-name': 'lb' } },
  endpoints: [1, 2, 3, 4].map((i) => ({ addresses: [`10.244.7.${i}`], conditions: { ready: true } })),
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
};

let api: ApiServer;
let stub: Stub;

beforeAll(async () => {
  api = await startApiServer();
  api.load(readFileSync(CLUSTER_YAML, 'utf8'));
  api.apply(lbService);
  api.apply(lbSlice);
  stub = await startStub(stubAnswers());
});
afterAll(async () => {
  await stub?.close();
  await api?.close();
});

describe('kubeadm Corefile', () => {
  let srv: Running;
  let side: Side;
  let server: string;
  beforeAll(async () => {
    side = await sideports();
    srv = await startCli(kubeadmCorefile({ ...side, endpoint: api.url, upstream: stub.addr }));
    server = `dns://:${srv.port}`;
    await waitSynced(srv.port);
  });
  afterAll(async () => {
    // kubeadm's lameduck is 5s; the lameduck test below uses a short variant.
    await srv?.stop('SIGKILL');
  });

  it('answers cluster names as CoreDNS does (A, SRV, PTR, NXDOMAIN with SOA)', async () => {
    expect((await dig(srv.port, 'svc1.testns.svc.cluster.local')).answer).toEqual(['svc1.testns.svc.cluster.local. 30 IN A 10.96.10.1']);
    const srv1 = await dig(srv.port, '_http._tcp.svc1.testns.svc.cluster.local', 'SRV');
    expect(srv1.answer).toEqual(['_http._tcp.svc1.testns.svc.cluster.local. 30 IN SRV 0 100 80 svc1.testns.svc.cluster.local.']);
    expect(srv1.additional).toEqual(['svc1.testns.svc.cluster.local. 30 IN A 10.96.10.1']);
    expect((await dig(srv.port, '1.10.96.10.in-addr.arpa', 'PTR')).answer).toEqual(['1.10.96.10.in-addr.arpa. 30 IN PTR svc1.testns.svc.cluster.local.']);
    const nx = await dig(srv.port, 'nosuch.testns.svc.cluster.local');
    expect(nx.status).toBe('NXDOMAIN');
    expect(nx.flags).toContain('aa');
    expect(nx.answer).toEqual([]);
    expect(nx.authority).toHaveLength(1);
    expect(nx.authority[0]).toMatch(/^cluster\.local\. 30 IN SOA ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. \d+ 7200 1800 86400 30$/);
  });

  it('forwards other names to the upstream (reverse lookups outside the cluster too)', async () => {
    const r = await dig(srv.port, 'www.fwd.test');
    expect(r.status).toBe('NOERROR');
    // `cache 30` caps the TTL of what it passes on.
    expect(r.answer).toEqual(['www.fwd.test. 30 IN A 192.0.2.20']);
    expect(r.flags).not.toContain('aa');
    expect(stub.queries.some((q) => q.msg.question[0]!.name === 'www.fwd.test.')).toBe(true);
    expect((await dig(srv.port, 'nothing.example.net')).status).toBe('NXDOMAIN');
    // fallthrough in-addr.arpa: an address the cluster does not know goes upstream.
    const before = stub.queries.length;
    expect((await dig(srv.port, '9.9.51.198.in-addr.arpa', 'PTR')).status).toBe('NXDOMAIN');
    expect(stub.queries.slice(before).map((q) => q.msg.question[0]!.name)).toContain('9.9.51.198.in-addr.arpa.');
  });

  it('caches forwarded names but not cluster.local (success and denial disabled)', async () => {
    const labels = { server, zones: '.', view: '' };
    const m0 = await scrape(side.metrics);
    const first = await dig(srv.port, 'cached.fwd.test');
    await sleep(1100);
    const second = await dig(srv.port, 'cached.fwd.test');
    expect(first.answer).toEqual(['cached.fwd.test. 30 IN A 192.0.2.20']);
    expect(second.answer).toHaveLength(1);
    expect(Number(second.answer[0]!.split(' ')[1])).toBeLessThan(30);
    expect(stub.queries.filter((q) => q.msg.question[0]!.name === 'cached.fwd.test.')).toHaveLength(1);
    const m1 = await scrape(side.metrics);
    expect(value(m1, 'coredns_cache_hits_total', { ...labels, type: 'success' }) - value(m0, 'coredns_cache_hits_total', { ...labels, type: 'success' })).toBe(1);
    expect(value(m1, 'coredns_cache_misses_total', labels) - value(m0, 'coredns_cache_misses_total', labels)).toBe(1);
    expect(value(m1, 'coredns_cache_requests_total', labels) - value(m0, 'coredns_cache_requests_total', labels)).toBe(2);

    // Cluster names: every query is a miss, nothing is stored (CoreDNS counts request + miss each time).
    for (const name of ['svc1.testns.svc.cluster.local', 'svc1.testns.svc.cluster.local', 'nosuch.testns.svc.cluster.local', 'nosuch.testns.svc.cluster.local']) await dig(srv.port, name);
    const m2 = await scrape(side.metrics);
    for (const type of ['success', 'denial']) {
      expect(value(m2, 'coredns_cache_hits_total', { ...labels, type })).toBe(value(m1, 'coredns_cache_hits_total', { ...labels, type }));
      expect(value(m2, 'coredns_cache_entries', { ...labels, type })).toBe(value(m1, 'coredns_cache_entries', { ...labels, type }));
    }
    expect(value(m2, 'coredns_cache_misses_total', labels) - value(m1, 'coredns_cache_misses_total', labels)).toBe(4);
    expect(value(m2, 'coredns_cache_requests_total', labels) - value(m1, 'coredns_cache_requests_total', labels)).toBe(4);

    // And in behaviour: a name denied a moment ago appears at once when created, and goes at once.
    const name = 'kubeadm-late.testns.svc.cluster.local';
    expect((await dig(srv.port, name)).status).toBe('NXDOMAIN');
    api.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'kubeadm-late', namespace: 'testns' }, spec: { clusterIP: '10.96.77.7', ports: [{ port: 80 }] } });
    expect(await pollDig(srv.port, name, (r) => r.answer.join() === `${name}. 30 IN A 10.96.77.7`)).toBe(true);
    api.remove('Service', 'testns', 'kubeadm-late');
    expect(await pollDig(srv.port, name, (r) => r.status === 'NXDOMAIN')).toBe(true);
  });

  it('counts requests and responses with CoreDNS labels', async () => {
    const base = { server, zone: '.', view: '' };
    const udpA = { ...base, proto: 'udp', family: '1', type: 'A' };
    const tcpSrv = { ...base, proto: 'tcp', family: '1', type: 'SRV' };
    const m0 = await scrape(side.metrics);
    await dig(srv.port, 'svc1.testns.svc.cluster.local');
    await dig(srv.port, 'nosuch.testns.svc.cluster.local');
    await dig(srv.port, 'counted.fwd.test');
    await dig(srv.port, 'counted.fwd.test');
    await dig(srv.port, '_http._tcp.svc1.testns.svc.cluster.local', 'SRV', ['+tcp']);
    const m1 = await scrape(side.metrics);
    const delta = (name: string, labels: Record<string, string>) => value(m1, name, labels) - value(m0, name, labels);
    expect(delta('coredns_dns_requests_total', udpA)).toBe(4);
    expect(delta('coredns_dns_requests_total', tcpSrv)).toBe(1);
    // The plugin label names the plugin that wrote the reply (docs/metrics.md).
    expect(delta('coredns_dns_responses_total', { ...base, rcode: 'NOERROR', plugin: 'kubernetes' })).toBe(2);
    expect(delta('coredns_dns_responses_total', { ...base, rcode: 'NXDOMAIN', plugin: 'kubernetes' })).toBe(1);
    expect(delta('coredns_dns_responses_total', { ...base, rcode: 'NOERROR', plugin: 'forward' })).toBe(1);
    expect(delta('coredns_dns_responses_total', { ...base, rcode: 'NOERROR', plugin: 'cache' })).toBe(1);
    expect(samples(m1, 'coredns_dns_request_duration_seconds_count').some((s) => s.labels.server === server && s.labels.zone === '.')).toBe(true);
    expect(value(m1, 'coredns_plugin_enabled', { ...base, name: 'kubernetes' })).toBe(1);
    expect(value(m1, 'coredns_plugin_enabled', { ...base, name: 'loadbalance' })).toBe(1);
    // Repeats are replayed from the wire cache (no chain runs) and counted exactly the same way.
    for (let i = 0; i < 3; i++) expect((await dig(srv.port, 'svc1.testns.svc.cluster.local')).status).toBe('NOERROR');
    const m2 = await scrape(side.metrics);
    const delta2 = (name: string, labels: Record<string, string>) => value(m2, name, labels) - value(m1, name, labels);
    expect(delta2('coredns_dns_requests_total', udpA)).toBe(3);
    expect(delta2('coredns_dns_responses_total', { ...base, rcode: 'NOERROR', plugin: 'kubernetes' })).toBe(3);
    expect(delta2('coredns_dns_request_size_bytes_count', { ...base, proto: 'udp' })).toBe(3);
    expect(delta2('coredns_dns_response_size_bytes_count', { ...base, proto: 'udp' })).toBe(3);
    expect(delta2('coredns_dns_request_duration_seconds_count', base)).toBe(3);
  });

  it('serves /health 200 OK and /ready 200 OK once synced', async () => {
    expect(await http(side.health, '/health')).toEqual({ status: 200, body: 'OK' });
    expect(await http(side.ready, '/ready')).toEqual({ status: 200, body: 'OK' });
  });

  it('loadbalance shuffles the A records of a headless service', async () => {
    const orders = new Set<string>();
    const want = [1, 2, 3, 4].map((i) => `lb.testns.svc.cluster.local. 30 IN A 10.244.7.${i}`);
    for (let i = 0; i < 20; i++) {
      const r = await udpQuery(srv.port, 'lb.testns.svc.cluster.local.', Type.A);
      const lines = r.answer.map((a) => `${a.name} ${a.ttl} IN A ${(a as { address: string }).address}`);
      expect([...lines].sort()).toEqual(want);
      orders.add(lines.join(','));
    }
    expect(orders.size).toBeGreaterThan(1);
  });

  it('SIGUSR1 reloads an edited Corefile; a broken edit keeps the old config answering', async () => {
    const text = readFileSync(srv.corefile, 'utf8');
    writeFileSync(srv.corefile, text.replace('ttl 30', 'ttl 10'));
    srv.proc.kill('SIGUSR1');
    await srv.waitFor(/Reloaded configuration/);
    expect((await dig(srv.port, 'svc1.testns.svc.cluster.local')).answer).toEqual(['svc1.testns.svc.cluster.local. 10 IN A 10.96.10.1']);
    // Side listeners survive the reload.
    expect((await http(side.ready, '/ready')).status).toBe(200);
    expect((await http(side.metrics, '/metrics')).status).toBe(200);
    writeFileSync(srv.corefile, text.replace('    loop\n', '    loop\n    bogus\n'));
    srv.proc.kill('SIGUSR1');
    await srv.waitFor(/Reload failed.*bogus/);
    expect((await dig(srv.port, 'svc1.testns.svc.cluster.local')).answer).toEqual(['svc1.testns.svc.cluster.local. 10 IN A 10.96.10.1']);
    expect((await dig(srv.port, 'www.fwd.test')).status).toBe('NOERROR');
    writeFileSync(srv.corefile, text);
  });
});

/** Polls dig (about every 20 ms, at most 2 s) until `ok`. */
async function pollDig(port: number, name: string, ok: (r: Awaited<ReturnType<typeof dig>>) => boolean, ms = 2000): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (ok(await dig(port, name))) return true;
    if (Date.now() > end) return false;
    await sleep(20);
  }
}

describe('kubeadm Corefile: startup, shutdown, mistakes', () => {
  it('/ready is 503 naming kubernetes while the API server is down, 200 once synced', async () => {
    const down = await startApiServer();
    down.load(readFileSync(CLUSTER_YAML, 'utf8'));
    down.faults.down(60_000);
    const side = await sideports();
    const srv = await startCli(kubeadmCorefile({ ...side, endpoint: down.url, upstream: stub.addr }), { wait: false });
    try {
      let r = { status: 0, body: '' };
      for (let end = Date.now() + 5000; r.status === 0 && Date.now() < end; await sleep(50)) r = await http(side.ready, '/ready');
      expect(r).toEqual({ status: 503, body: 'kubernetes' });
      expect((await http(side.health, '/health')).status).toBe(200);
      const cleared = Date.now();
      down.faults.clear();
      for (let end = Date.now() + 10_000; r.status !== 200 && Date.now() < end; await sleep(50)) r = await http(side.ready, '/ready');
      expect(r).toEqual({ status: 200, body: 'OK' });
      console.log(`/ready turned 200 ${Date.now() - cleared} ms after the API server came back`);
      await waitSynced(srv.port);
    } finally {
      await srv.stop('SIGKILL');
      await down.close();
    }
  });

  it('lameduck: on SIGTERM /ready turns 503 at once, queries are answered for the period, then exit 0', async () => {
    const side = await sideports();
    const srv = await startCli(kubeadmCorefile({ ...side, endpoint: api.url, upstream: stub.addr, lameduck: '2s' }));
    await waitSynced(srv.port);
    expect((await http(side.ready, '/ready')).status).toBe(200);
    const t0 = Date.now();
    const exited = new Promise<number | null>((r) => srv.proc.once('exit', (c) => r(c)));
    srv.proc.kill('SIGTERM');
    await srv.waitFor(/Going into lameduck mode for 2s/, 2000);
    expect(await http(side.ready, '/ready')).toEqual({ status: 503, body: 'shutting down' });
    expect((await dig(srv.port, 'svc1.testns.svc.cluster.local')).answer).toEqual(['svc1.testns.svc.cluster.local. 30 IN A 10.96.10.1']);
    expect((await dig(srv.port, 'lameduck.fwd.test')).answer).toEqual(['lameduck.fwd.test. 30 IN A 192.0.2.20']);
    // All of that happened inside the lameduck period.
    expect(srv.proc.exitCode).toBe(null);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(await exited).toBe(0);
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(2000);
    expect(took).toBeLessThan(6000);
    expect(await http(side.ready, '/ready')).toEqual({ status: 0, body: '' });
  });

  it('loop: a forward pointing at itself is detected and the process exits with CoreDNS\'s message', async () => {
    const side = await sideports();
    const srv = await startCli(kubeadmCorefile({ ...side, endpoint: api.url, upstream: '127.0.0.1:{port}' }), { wait: false });
    const code = await new Promise<number | null>((r) => srv.proc.once('exit', (c) => r(c)));
    expect(code).toBe(1);
    expect(srv.output()).toMatch(new RegExp(`\\[FATAL\\] plugin/loop: Loop \\(127\\.0\\.0\\.1:\\d+ -> :${srv.port}\\) detected for zone "\\."`));
  });

  it('reload plugin: polls the Corefile, applies an edit, survives a broken one and counts it', async () => {
    const metrics = await freePort();
    const corefile = (ip: string) => `.:{port} {\n    reload 2s 1s\n    prometheus 127.0.0.1:${metrics}\n    hosts {\n        ${ip} www.example.test\n    }\n}\n`;
    const srv = await startCli(corefile('192.0.2.1'));
    try {
      const sha = (t: string) => createHash('sha512').update(t).digest('hex');
      const info = (m: string) => samples(m, 'coredns_reload_version_info').map((s) => s.labels.value);
      expect(info(await scrape(metrics))).toEqual([sha(readFileSync(srv.corefile, 'utf8'))]);
      expect((await dig(srv.port, 'www.example.test')).answer).toEqual(['www.example.test. 3600 IN A 192.0.2.1']);
      const edited = corefile('192.0.2.2').replace('{port}', String(srv.port));
      writeFileSync(srv.corefile, edited);
      const t0 = Date.now();
      let r = await dig(srv.port, 'www.example.test');
      while (r.answer[0] !== 'www.example.test. 3600 IN A 192.0.2.2' && Date.now() - t0 < 8000) {
        await sleep(100);
        r = await dig(srv.port, 'www.example.test');
      }
      expect(r.answer).toEqual(['www.example.test. 3600 IN A 192.0.2.2']);
      console.log(`reload plugin applied the edit after ${Date.now() - t0} ms`);
      expect(info(await scrape(metrics))).toEqual([sha(edited)]);

      writeFileSync(srv.corefile, edited.replace('    hosts {', '    bogus\n    hosts {'));
      await srv.waitFor(/plugin\/reload: Corefile changed but reload failed/, 8000);
      const m = await scrape(metrics);
      expect(value(m, 'coredns_reload_failed_total', {})).toBe(1);
      expect(info(m)).toEqual([sha(edited)]);
      expect((await dig(srv.port, 'www.example.test')).answer).toEqual(['www.example.test. 3600 IN A 192.0.2.2']);
    } finally {
      await srv.stop();
    }
  });
});
