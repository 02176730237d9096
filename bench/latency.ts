/**
 * Latency under a steady load: dnsperf rate-limited (-Q) in verbose mode, which prints every
 * query's latency, for clusterdns (kubeadm chain, 10,000 Services) and Knot alike, pinned as in
 * the throughput runs, at 50,000 qps (the target: clusterdns p99 < 1 ms) and at 20,000 qps.
 */
import { startClusterDns } from './lib/clusterdns.ts';
import { percentile } from './lib/dnsperf.ts';
import { startKnot } from './lib/knot.ts';
import { measure, type Measured } from './lib/measure.ts';
import type { Proc } from './lib/proc.ts';
import { fmt, LOAD_CPU, runAlone, SERVER_CPU, table, type BenchEnv, type Section } from './lib/scenario.ts';
import { SERVICES } from './throughput.ts';

/** The target's offered load. */
export const RATE = 50_000;
/** Offered loads measured, the target's last. */
const RATES = [20_000, RATE];

export async function run(env: BenchEnv): Promise<Section> {
  const sim = await env.sim(SERVICES);
  const q = env.queries(SERVICES);
  const results: Array<{ name: string; rate: number; m: Measured }> = [];
  let command = '';
  const series = async (name: string, proc: Proc, port: number): Promise<void> => {
    const opts = { port, file: q.file, cpus: LOAD_CPU, clients: 4, outstanding: 200 };
    await measure([proc.pid], { ...opts, seconds: 2, qps: RATES[0] });
    for (const rate of RATES) {
      const m = await measure([proc.pid], { ...opts, seconds: env.seconds, qps: rate, perQuery: true });
      results.push({ name, rate, m });
      command = m.command;
    }
  };
  const knot = await startKnot(SERVICES, { cpus: SERVER_CPU });
  try {
    await series('Knot DNS', knot.proc, knot.port);
  } finally {
    await knot.proc.stop();
  }
  const cdns = await startClusterDns({ endpoint: sim.url, tls: sim.tls, upstream: env.stub.addr, cpus: SERVER_CPU });
  try {
    await series('clusterdns', cdns.proc, cdns.port);
  } finally {
    await cdns.proc.stop();
  }
  const pct = (m: Measured, p: number): number => percentile(m.latencies!, p);
  const rows = results.map(({ name, rate, m }) => [name, fmt(rate), fmt(m.qps), fmt(m.cpuUtil * 100) + '%', fmt(pct(m, 50), 3), fmt(pct(m, 90), 3), fmt(pct(m, 99), 3), fmt(pct(m, 99.9), 3), fmt(m.maxLatencyMs, 3), `${fmt(m.lost)} (${fmt(m.rcvbufDrops)})`]);
  const at = (name: string, rate: number): Measured => results.find((r) => r.name === name && r.rate === rate)!.m;
  const c = at('clusterdns', RATE);
  const data = { rate: RATE, clusterdnsQps: c.qps, p50: pct(c, 50), p99: pct(c, 99), p999: pct(c, 99.9), lost: c.lost, knotP99: pct(at('Knot DNS', RATE), 99), p99At20k: pct(at('clusterdns', RATES[0]!), 99), knotP99At20k: pct(at('Knot DNS', RATES[0]!), 99) };
  const markdown = [
    `${fmt(SERVICES)} Services, the same query mix offered at a fixed rate for ${env.seconds} s per row (after a 2 s warm-up); percentiles over every answered query as dnsperf timed it (client side, so they include the load generator's own delays). Lost queries have no latency and are counted apart; "rcvbuf drops" are datagrams the kernel dropped on a full socket buffer (the server's, when it stalls for a few ms: ~300 queries fit). dnsperf keeps at most 200 queries outstanding (a first burst that size fits a socket buffer) and a lost one holds its slot for the 2 s timeout, so drops also cost achieved rate. "server CPU" is over the run including dnsperf's 2 s drain at the end.`,
    '',
    '`' + command + '`',
    '',
    table(['server', 'offered qps', 'achieved qps', 'server CPU', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'lost (rcvbuf drops)'], rows),
    '',
    `- clusterdns p99 at ${fmt(RATE)} qps: **${fmt(data.p99, 3)} ms** (target < 1 ms)${c.qps < RATE * 0.97 ? `; it did not sustain the offered rate (${fmt(c.qps)} qps)` : ''}. Knot in the same conditions: ${fmt(data.knotP99, 3)} ms.`,
  ].join('\n');
  return { title: `Latency at ${fmt(RATE)} qps`, markdown, data };
}

if (import.meta.main) await runAlone(run);
