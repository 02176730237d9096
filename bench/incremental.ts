/**
 * Incremental updates: the CPU clusterdns spends on one EndpointSlice change (all 3 addresses
 * move), with 1,000 and with 50,000 Services loaded. O(that Service) means the same cost at both
 * sizes; O(zone) would make it ~50x at 50k. Measured from the process's CPU time over a paced
 * series of updates, less its idle CPU over the same wall time; then the change's propagation
 * (the new endpoint name answered).
 */
import { ENDPOINTS, podIP, serviceAt, sliceObject } from './lib/cluster.ts';
import { startClusterDns, type ClusterDns } from './lib/clusterdns.ts';
import { percentile } from './lib/dnsperf.ts';
import { pollUntilAnswered, sortedTimes } from './lib/poll.ts';
import { cpuMs, sleep } from './lib/proc.ts';
import { fmt, runAlone, SERVER_CPU, table, type BenchEnv, type Section } from './lib/scenario.ts';
import { simWrite, type Sim } from './lib/sim.ts';
import { Asker, QType } from './lib/wire.ts';

/** Cluster sizes compared. */
export const SIZES = [1_000, 50_000];
/** Updates whose CPU is measured (paced, no queries meanwhile). */
const UPDATES = 400;
/** Updates whose propagation is timed. */
const TIMED = 100;
/** Services whose slices are changed (svc-0..svc-9). */
const TOUCHED = 10;
const PACE_MS = 10;

function slicePath(i: number): string {
  const s = serviceAt(i);
  return `/apis/discovery.k8s.io/v1/namespaces/${s.namespace}/endpointslices/${(sliceObject(i) as { metadata: { name: string } }).metadata.name}`;
}

async function idleCpuPerMs(srv: ClusterDns, ms: number): Promise<number> {
  const c0 = cpuMs(srv.proc.pid);
  const t0 = performance.now();
  await sleep(ms);
  return (cpuMs(srv.proc.pid) - c0) / (performance.now() - t0);
}

async function measureSize(env: BenchEnv, sim: Sim, services: number): Promise<{ cpuPerUpdateMs: number; idlePct: number; p50: number; p99: number; failed: number; readyMs: number }> {
  const srv = await startClusterDns({ endpoint: sim.url, tls: sim.tls, upstream: env.stub.addr, cpus: SERVER_CPU, readyTimeoutMs: 120_000 });
  const asker = new Asker(srv.port);
  let gen = 0;
  try {
    // Past startup's own after-work (V8's memory reducer collects ~8 s after the list decoding): a
    // 2 s idle window right after ready once caught 6% CPU at 50k and made the per-update cost negative.
    await sleep(10_000);
    const idleBefore = await idleCpuPerMs(srv, 2000);
    const c0 = cpuMs(srv.proc.pid);
    const t0 = performance.now();
    for (let u = 0; u < UPDATES; u++) {
      gen++;
      await simWrite(sim, 'PUT', slicePath(u % TOUCHED), sliceObject(u % TOUCHED, gen));
      await sleep(PACE_MS);
    }
    await sleep(200);
    const wall = performance.now() - t0;
    const used = cpuMs(srv.proc.pid) - c0;
    // Idle again after the series; the lower rate is subtracted (one-off background work in either
    // window must not be taken off the updates' cost).
    const idle = Math.min(idleBefore, await idleCpuPerMs(srv, 2000));
    const cpuPerUpdateMs = (used - idle * wall) / UPDATES;
    const times: number[] = [];
    for (let u = 0; u < TIMED; u++) {
      gen++;
      const i = u % TOUCHED;
      const ip = podIP(i, ENDPOINTS - 1, gen);
      const name = `${ip.replaceAll('.', '-')}.${serviceAt(i).fqdn}`;
      const t = performance.now();
      await simWrite(sim, 'PUT', slicePath(i), sliceObject(i, gen));
      times.push((await pollUntilAnswered(asker, name, QType.A, 5000)) - t);
    }
    const { sorted, failed } = sortedTimes(times);
    return { cpuPerUpdateMs, idlePct: idle * 100, p50: percentile(sorted, 50), p99: percentile(sorted, 99), failed, readyMs: srv.readyMs };
  } finally {
    asker.close();
    await srv.proc.stop();
    // Put the touched slices back as generated, for the scenarios after this one.
    for (let i = 0; i < TOUCHED; i++) await simWrite(sim, 'PUT', slicePath(i), sliceObject(i, 0));
  }
}

export async function run(env: BenchEnv): Promise<Section> {
  const results: Array<{ services: number } & Awaited<ReturnType<typeof measureSize>>> = [];
  for (const services of SIZES) results.push({ services, ...(await measureSize(env, await env.sim(services), services)) });
  const [small, big] = results as [(typeof results)[0], (typeof results)[0]];
  const growth = big.cpuPerUpdateMs / small.cpuPerUpdateMs;
  const rows = results.map((r) => [fmt(r.services), fmt(r.cpuPerUpdateMs, 3), fmt(r.idlePct, 2) + '%', fmt(r.p50, 2), fmt(r.p99, 2), String(r.failed)]);
  const data = { cpuPerUpdateSmallMs: small.cpuPerUpdateMs, cpuPerUpdateBigMs: big.cpuPerUpdateMs, growth, sizeRatio: big.services / small.services, p99BigMs: big.p99 };
  const markdown = [
    `${fmt(UPDATES)} EndpointSlice updates (Services svc-0..svc-${TOUCHED - 1} in turn, all ${ENDPOINTS} addresses moved each time) PUT to the simulator every ~${PACE_MS} ms with no query load; clusterdns's CPU time over the series less its idle CPU rate over the same wall time, per update (CPU time is counted in 10 ms ticks, so expect +-10%). Then ${TIMED} more updates, each timed from the PUT until the new endpoint name answers.`,
    '',
    table(['Services', 'CPU ms per update', 'idle CPU', 'propagation p50 ms', 'propagation p99 ms', 'not answered in 5 s'], rows),
    '',
    `- cost at ${fmt(big.services)} vs ${fmt(small.services)} Services: **${fmt(growth, 2)}x** for a ${fmt(data.sizeRatio)}x larger zone (O(that Service) would be ~1x, O(zone) ~${fmt(data.sizeRatio)}x).`,
  ].join('\n');
  return { title: 'Incremental: one EndpointSlice change', markdown, data };
}

if (import.meta.main) await runAlone(run);
