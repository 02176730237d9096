/**
 * Soak under churn: Services (each with an EndpointSlice) created and deleted at a steady rate
 * (default 50/s each way, each living 10 s) against a loaded cluster, for a long time (default
 * 10 min; not part of CI). Watches for leaks and drift: RSS and heap are sampled all along and
 * printed before/after, and the answers are checked as it goes (a Service created 2 s ago
 * resolves to its cluster IP, one deleted 2 s ago is NXDOMAIN).
 *
 *   node bench/soak-churn.ts [--duration 10m] [--rate 50] [--services 1000] [--workers N]
 *
 * --workers N (N >= 2) is passed on; without it the product's default applies (bench/lib's
 * startClusterDns passes no -workers for 1).
 *
 * Exit status 1 when an answer was wrong or the server died.
 */
import { parseArgs } from 'node:util';
import { startClusterDns } from './lib/clusterdns.ts';
import { peakRssKiB, rssKiB, scrape, sleep, stopAll } from './lib/proc.ts';
import { simWrite, startSim } from './lib/sim.ts';
import { startStubUpstream } from './stub-upstream.ts';
import { Asker, head, QType } from './lib/wire.ts';

/** Parses `90`, `90s`, `10m`, `1h` into ms; throws on anything else. */
function durationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`--duration: expected a number with an optional unit (ms, s, m, h), got "${text}"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10m' },
    rate: { type: 'string', default: '50' },
    services: { type: 'string', default: '1000' },
    workers: { type: 'string' },
  },
  strict: true,
});
const durationTotal = durationMs(values.duration);
const rate = Number(values.rate);
const base = Number(values.services);
const workers = values.workers === undefined ? undefined : Number(values.workers);
if (!Number.isFinite(rate) || rate <= 0 || rate > 1000) throw new Error(`--rate must be in (0, 1000], got "${values.rate}"`);
if (!Number.isInteger(base) || base < 0) throw new Error(`--services must be a whole number, got "${values.services}"`);
if (workers !== undefined && (!Number.isInteger(workers) || workers < 2)) throw new Error(`--workers must be >= 2 (omit it for the default), got "${values.workers}"`);

const NS = 'ns-0';
const LIFETIME_MS = 10_000;
const live = Math.round((rate * LIFETIME_MS) / 1000);
const name = (k: number) => `churn-${k}`;
/** Cluster IPs 10.100.0.0/16: inside the service range, clear of the bench cluster's 10.96.16.0+ */
const ipOf = (k: number) => `10.100.${(k >> 8) & 255}.${k & 255}`;
const service = (k: number) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name: name(k), namespace: NS },
  spec: { clusterIP: ipOf(k), ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
});
const slice = (k: number) => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
  metadata: { name: `${name(k)}-abcde`, namespace: NS, labels: { 'kubernetes.io/service-name': name(k) } },
  addressType: 'IPv4',
  endpoints: [{ addresses: [`10.200.${(k >> 8) & 255}.${k & 255}`], conditions: { ready: true } }],
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
});

const mib = (kib: number) => (kib / 1024).toFixed(1);
/** Minutes of churn before RSS should stop growing (V8 heap sizing, JIT code, malloc arenas settle). */
const WARMUP_MIN = 3;

async function main(): Promise<number> {
  console.log(`soak-churn: ${rate}/s creates and deletes (each Service lives ${LIFETIME_MS / 1000} s, ~${live} at a time) over ${base} Services, for ${(durationTotal / 1000).toFixed(0)} s`);
  const sim = await startSim(base, { tls: true });
  const stub = await startStubUpstream();
  // --trace-gc: the live heap after each full GC is the leak signal ("heap used" includes garbage).
  const srv = await startClusterDns({ endpoint: sim.url, tls: sim.tls, upstream: stub.addr, workers, readyTimeoutMs: 120_000, nodeArgs: ['--trace-gc'] });
  const pid = srv.proc.pid;
  const metric = (m: string) => scrape(srv.metricsUrl, m);
  const liveAfterGc = new Map<string, number>(); // isolate -> MB live after its last Mark-Compact
  let gcSeen = 0;
  const readGc = (): string => {
    const out = srv.proc.output();
    for (const m of out.slice(gcSeen).matchAll(/\[\d+:(0x[0-9a-f]+)\]\s+\d+ ms: Mark-Compact[^\n]*?-> ([\d.]+) \(/g)) liveAfterGc.set(m[1]!, Number(m[2]));
    gcSeen = out.length;
    const all = [...liveAfterGc.values()];
    return all.length ? `${all.reduce((a, b) => a + b, 0).toFixed(1)} MB (${all.length} isolate${all.length > 1 ? 's' : ''})` : 'no full GC yet';
  };
  await sleep(3000);
  const before = { rss: rssKiB(pid), heap: await metric('nodejs_heap_size_used_bytes'), live: readGc() };
  console.log(`ready in ${srv.readyMs.toFixed(0)} ms; before: RSS ${mib(before.rss)} MiB, heap used ${(before.heap / 1048576).toFixed(1)} MiB, live after last full GC ${before.live}`);

  const asker = new Asker(srv.port);
  const created = new Map<number, number>(); // k -> time created
  const deleted = new Map<number, number>(); // k -> time deleted
  let next = 0;
  let writesFailed = 0;
  let wrong = 0;
  let checks = 0;
  let lagMax = 0;
  const inFlight = new Set<Promise<void>>();
  const track = (p: Promise<void>) => {
    const q = p.catch((err: Error) => {
      writesFailed++;
      if (writesFailed <= 5) console.log(`write failed: ${err.message}`);
    }).finally(() => inFlight.delete(q));
    inFlight.add(q);
  };
  const t0 = Date.now();
  let lastSample = t0;
  /** RSS (KiB) at each whole minute of churn: the flatness check after the warm-up reads these. */
  const perMinute: number[] = [];
  let lastCheck = t0;
  while (Date.now() - t0 < durationTotal && srv.proc.child.exitCode === null) {
    // Keep to the rate on the clock, whatever each write took.
    const due = Math.floor(((Date.now() - t0) * rate) / 1000);
    for (; next < due && inFlight.size < 200; next++) {
      const k = next;
      track(simWrite(sim, 'POST', `/api/v1/namespaces/${NS}/services`, service(k))
        .then(() => simWrite(sim, 'POST', `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices`, slice(k)))
        .then(() => void created.set(k, Date.now())));
      const old = k - live;
      if (old >= 0 && created.has(old)) {
        created.delete(old);
        track(simWrite(sim, 'DELETE', `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices/${name(old)}-abcde`)
          .then(() => simWrite(sim, 'DELETE', `/api/v1/namespaces/${NS}/services/${name(old)}`))
          .then(() => void deleted.set(old, Date.now())));
      }
    }
    const now = Date.now();
    if (now - lastCheck >= 2000) {
      lastCheck = now;
      // The newest Service at least 2 s old must resolve; the newest deleted at least 2 s ago must not.
      const born = [...created].filter(([, at]) => now - at >= 2000).pop();
      const gone = [...deleted].filter(([, at]) => now - at >= 2000).pop();
      for (const [k, want] of [[born?.[0], 'hit'], [gone?.[0], 'gone']] as const) {
        if (k === undefined) continue;
        checks++;
        const reply = await asker.ask(`${name(k)}.${NS}.svc.cluster.local`, QType.A, 2000);
        const h = reply ? head(reply) : undefined;
        const ip = reply && h && h.answers > 0 ? reply.subarray(reply.length - 4).join('.') : '';
        const ok = want === 'hit' ? h?.rcode === 0 && ip === ipOf(k) : h?.rcode === 3;
        if (!ok) {
          wrong++;
          console.log(`wrong answer for ${name(k)} (${want}): ${h ? `rcode ${h.rcode}, ${h.answers} answers ${ip}` : 'no reply'}`);
        }
      }
      for (const k of [...deleted.keys()]) if (now - deleted.get(k)! > 60_000) deleted.delete(k);
      lagMax = Math.max(lagMax, await metric('nodejs_eventloop_lag_max_seconds'));
    }
    if (now - lastSample >= 10_000) {
      lastSample = now;
      if (now - t0 >= (perMinute.length + 1) * 60_000) perMinute.push(rssKiB(pid));
      console.log(`${((now - t0) / 1000).toFixed(0).padStart(5)} s: ${next} created, RSS ${mib(rssKiB(pid))} MiB, heap used ${((await metric('nodejs_heap_size_used_bytes')) / 1048576).toFixed(1)} MiB, live after last full GC ${readGc()}, writes in flight ${inFlight.size}`);
    }
    await sleep(5);
  }
  const churnMs = Date.now() - t0;
  await Promise.all(inFlight);
  asker.close();
  const alive = srv.proc.child.exitCode === null;
  await sleep(10_000); // settle: the last deletes applied, garbage collected in the normal course
  const after = { rss: rssKiB(pid), heap: await metric('nodejs_heap_size_used_bytes'), live: readGc() };
  console.log([
    '',
    `churned ${(churnMs / 1000).toFixed(0)} s: ${next} Services created (${((next * 1000) / churnMs).toFixed(1)}/s), ${Math.max(0, next - live)} deleted; ${writesFailed} writes failed`,
    `answers checked: ${checks}, wrong: ${wrong}; event-loop lag max ${(lagMax * 1000).toFixed(1)} ms; server ${alive ? 'alive' : 'DIED'}`,
    `RSS before ${mib(before.rss)} MiB, after ${mib(after.rss)} MiB (${after.rss >= before.rss ? '+' : ''}${mib(after.rss - before.rss)}), peak ${mib(peakRssKiB(pid))} MiB`,
    `RSS per minute (MiB): ${perMinute.map((k, i) => `${i + 1}m ${mib(k)}`).join(', ') || 'none (shorter than a minute)'}`,
    ...(perMinute.length > WARMUP_MIN ? [`RSS growth after the ${WARMUP_MIN}-minute warm-up: ${after.rss >= perMinute[WARMUP_MIN - 1]! ? '+' : ''}${mib(after.rss - perMinute[WARMUP_MIN - 1]!)} MiB (${WARMUP_MIN}m ${mib(perMinute[WARMUP_MIN - 1]!)} -> after ${mib(after.rss)})`] : []),
    `heap used before ${(before.heap / 1048576).toFixed(1)} MiB, after ${(after.heap / 1048576).toFixed(1)} MiB (garbage included)`,
    `live heap after the last full GC: before ${before.live}, after ${after.live}`,
  ].join('\n'));
  await srv.proc.stop();
  await stub.close();
  await sim.proc.stop();
  return wrong === 0 && alive ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  async (err: Error) => {
    console.error(err.stack ?? err.message);
    await stopAll();
    process.exit(1);
  },
);
