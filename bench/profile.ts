/**
 * Where a query's CPU goes: clusterdns under the throughput load with `node --cpu-prof`, then the
 * profile's top functions by self time (mapped to src/ through the source maps) and self time per
 * file / dependency / Node area. Only samples taken while dnsperf ran count (the
 * profile's timestamps and process.hrtime share CLOCK_MONOTONIC); percentages are of the
 * non-idle ones.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startClusterDns } from './lib/clusterdns.ts';
import { summarizeProfile, type ProfileSummary } from './lib/cpu-profile.ts';
import { percentile } from './lib/dnsperf.ts';
import { parseGcTrace } from './lib/gc-trace.ts';
import { measure, type Measured } from './lib/measure.ts';
import { fmt, LOAD_CPU, runAlone, SERVER_CPU, table, type BenchEnv, type Section } from './lib/scenario.ts';
import { SERVICES } from './throughput.ts';

/** A function name fit for a table cell (V8 names regular expressions by their whole source). */
function shortName(fn: string): string {
  const one = fn.replaceAll('|', '\\|');
  return one.length > 60 ? `${one.slice(0, 57)}...` : one;
}

/** Renders a profile summary as two tables. */
export function profileTables(s: ProfileSummary, areas = 15): string {
  return [
    table(['function', 'where', 'self %', 'total %'], s.top.map((f) => [`\`${shortName(f.fn)}\``, `\`${f.where}\``, fmt(f.selfPct, 1), fmt(f.totalPct, 1)])),
    '',
    'Self time by area:',
    '',
    table(['area', 'self %'], s.byArea.slice(0, areas).map((a) => [`\`${a.area}\``, fmt(a.selfPct, 1)])),
  ].join('\n');
}

export async function run(env: BenchEnv): Promise<Section> {
  const sim = await env.sim(SERVICES);
  const q = env.queries(SERVICES);
  const dir = join(env.work, 'profile-query');
  mkdirSync(dir, { recursive: true });
  const srv = await startClusterDns({ endpoint: sim.url, tls: sim.tls, upstream: env.stub.addr, cpus: SERVER_CPU, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
  let m: Measured;
  const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);
  const window = { fromUs: 0, toUs: 0 };
  try {
    // Only the load window is summarized: startup (list decoding, zone build) is not the query path.
    window.fromUs = nowUs() + 500_000;
    m = await measure([srv.proc.pid], { port: srv.port, file: q.file, seconds: env.seconds, cpus: LOAD_CPU });
    window.toUs = nowUs() - 500_000;
  } finally {
    await srv.proc.stop(30_000);
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile written in ${dir}:\n${srv.proc.output().slice(-2000)}`);
  const s = summarizeProfile(join(dir, file), ROOT, 25, window);
  if (s.windowSamples < 100) throw new Error(`only ${s.windowSamples} samples fall in the load window: clocks disagree?`);
  const gc = await gcUnderLoad(env);
  const markdown = [
    `clusterdns (kubeadm chain, ${fmt(SERVICES)} Services) on CPU ${SERVER_CPU} under \`node --cpu-prof\`, dnsperf on CPU ${LOAD_CPU} for ${env.seconds} s: ${fmt(m.qps)} qps while profiled (server CPU ${fmt(m.cpuUtil * 100)}%), ${fmt(s.samples)} samples. "total" includes callees.`,
    '',
    profileTables(s),
    '',
    gc.markdown,
  ].join('\n');
  return { title: 'CPU profile of the query path', markdown, data: { qps: m.qps, top: s.top.slice(0, 10), byArea: s.byArea.slice(0, 10), ...gc.data } };
}

/** The same load on a fresh server under --trace-gc: pauses and allocation per query. */
async function gcUnderLoad(env: BenchEnv): Promise<{ markdown: string; data: Record<string, number> }> {
  const sim = await env.sim(SERVICES);
  const q = env.queries(SERVICES);
  const srv = await startClusterDns({ endpoint: sim.url, tls: sim.tls, upstream: env.stub.addr, cpus: SERVER_CPU, nodeArgs: ['--trace-gc'] });
  let m: Measured;
  let trace = '';
  try {
    await measure([srv.proc.pid], { port: srv.port, file: q.file, seconds: 2, cpus: LOAD_CPU });
    const from = srv.proc.output().length;
    m = await measure([srv.proc.pid], { port: srv.port, file: q.file, seconds: env.seconds, cpus: LOAD_CPU });
    trace = srv.proc.output().slice(from);
  } finally {
    await srv.proc.stop();
  }
  const g = parseGcTrace(trace);
  const sc = Float64Array.from(g.scavenges).sort();
  const mc = Float64Array.from(g.markCompacts).sort();
  const perQueryKiB = (g.allocatedMB * 1024) / Math.max(1, m.completed);
  const data = { gcScavenges: sc.length, gcScavengeP50Ms: percentile(sc, 50), gcScavengeMaxMs: sc[sc.length - 1] ?? NaN, gcMarkCompacts: mc.length, gcMarkCompactMaxMs: mc[mc.length - 1] ?? NaN, allocKiBPerQuery: perQueryKiB };
  const markdown = [
    `Garbage collection under the same load (a fresh server under \`--trace-gc\`, ${env.seconds} s after a 2 s warm-up, ${fmt(m.qps)} qps, ${fmt(m.rcvbufDrops)} rcvbuf drops): ${sc.length} scavenges (pause p50 ${fmt(percentile(sc, 50), 2)} ms, max ${fmt(data.gcScavengeMaxMs, 2)} ms), ${mc.length} mark-compacts (max ${fmt(data.gcMarkCompactMaxMs, 2)} ms); **${fmt(g.allocatedMB)} MB allocated, ~${fmt(perQueryKiB, 2)} KiB per answered query**. A pause longer than a few ms at tens of kqps overflows the socket buffer (~300 queries).`,
  ].join('\n');
  return { markdown, data };
}

if (import.meta.main) await runAlone(run);
