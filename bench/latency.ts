/**
 * Latency under a steady load: dnsperf rate-limited (-Q) in verbose mode, which prints every
 * query's latency, for clusterdns (kubeadm chain, 10,000 Services), Knot and the raw-dgram ceiling
 * (Node answering precomputed bytes: what any Node server's tail starts from), pinned as in the
 * throughput runs, at 50,000 qps (the target: clusterdns p99 < 1 ms) and at 20,000 qps; in
 * alternating rounds, each server's median round reported.
 */
import { startClusterDns } from './lib/clusterdns.ts';
import { percentile } from './lib/dnsperf.ts';
import { startKnot } from './lib/knot.ts';
import { measure, type Measured } from './lib/measure.ts';
import { startRawDgram } from './lib/raw-dgram.ts';
import { fmt, LOAD_CPU, runAlone, SERVER_CPU, table, type BenchEnv, type Section } from './lib/scenario.ts';
import { SERVICES } from './throughput.ts';

/** The target's offered load. */
export const RATE = 50_000;
/** Offered loads measured, the target's last. */
const RATES = [20_000, RATE];

const KNOT = 'Knot DNS';
const RAW = 'raw dgram, precomputed bytes';
const CDNS = 'clusterdns';

/** Rounds per server and rate, alternating servers (the machine's noise then hits both alike). */
const ROUNDS = 3;

export async function run(env: BenchEnv): Promise<Section> {
  const sim = await env.sim(SERVICES);
  const q = env.queries(SERVICES);
  const results: Array<{ name: string; rate: number; round: number; m: Measured }> = [];
  let command = '';
  const knot = await startKnot(SERVICES, { cpus: SERVER_CPU });
  try {
    const raw = await startRawDgram(env.work, knot.port, q.lines, SERVER_CPU);
    try {
      const cdns = await startClusterDns({ endpoint: sim.url, tls: sim.tls, upstream: env.stub.addr, cpus: SERVER_CPU });
      try {
        const servers: Array<[string, number, number]> = [[KNOT, knot.proc.pid, knot.port], [RAW, raw.proc.pid, raw.port], [CDNS, cdns.proc.pid, cdns.port]];
        const opts = (port: number) => ({ port, file: q.file, cpus: LOAD_CPU, clients: 4, outstanding: 200 });
        for (const [, pid, port] of servers) await measure([pid], { ...opts(port), seconds: 2, qps: RATES[0] });
        for (let round = 1; round <= ROUNDS; round++) {
          for (const [name, pid, port] of servers) {
            for (const rate of RATES) {
              const m = await measure([pid], { ...opts(port), seconds: env.seconds, qps: rate, perQuery: true });
              results.push({ name, rate, round, m });
              command = m.command;
            }
          }
        }
      } finally {
        await cdns.proc.stop();
      }
    } finally {
      await raw.proc.stop();
    }
  } finally {
    await knot.proc.stop();
  }
  const pct = (m: Measured, p: number): number => percentile(m.latencies!, p);
  const rounds = (name: string, rate: number) => results.filter((r) => r.name === name && r.rate === rate);
  /** The round whose p99 is the median of the rounds'. */
  const median = (name: string, rate: number): Measured => {
    const sorted = rounds(name, rate).sort((x, y) => pct(x.m, 99) - pct(y.m, 99));
    return sorted[Math.floor(sorted.length / 2)]!.m;
  };
  const rows = results.map(({ name, rate, round, m }) => [name, fmt(rate), fmt(round), fmt(m.qps), fmt(m.cpuUtil * 100) + '%', fmt(pct(m, 50), 3), fmt(pct(m, 90), 3), fmt(pct(m, 99), 3), fmt(pct(m, 99.9), 3), fmt(m.maxLatencyMs, 3), `${fmt(m.lost)} (${fmt(m.rcvbufDrops)})`]);
  const c = median(CDNS, RATE);
  const p99s = (name: string, rate: number): string => rounds(name, rate).map((r) => fmt(pct(r.m, 99), 3)).join(' / ');
  const data = {
    rate: RATE, clusterdnsQps: c.qps, p50: pct(c, 50), p90: pct(c, 90), p99: pct(c, 99), p999: pct(c, 99.9), lost: c.lost,
    p99Rounds: rounds(CDNS, RATE).map((r) => pct(r.m, 99)),
    knotP99: pct(median(KNOT, RATE), 99), knotP99Rounds: rounds(KNOT, RATE).map((r) => pct(r.m, 99)),
    rawP99: pct(median(RAW, RATE), 99), rawP99Rounds: rounds(RAW, RATE).map((r) => pct(r.m, 99)),
    p99At20k: pct(median(CDNS, RATES[0]!), 99), knotP99At20k: pct(median(KNOT, RATES[0]!), 99),
  };
  const markdown = [
    `${fmt(SERVICES)} Services, the same query mix offered at a fixed rate for ${env.seconds} s per row; the servers run throughout (each warmed up with 2 s at ${fmt(RATES[0]!)} qps) and take turns, ${ROUNDS} rounds each, so that the machine's noise hits them alike; a server's figure is its median round (by p99). Percentiles over every answered query as dnsperf timed it (client side, so they include the load generator's own delays). The raw-dgram server is bench/raw-dgram-server.ts, Node answering Knot's captured replies with the ID patched in: no DNS work at all, so its tail is what Node's event loop and \`dgram\` on this machine add by themselves. Lost queries have no latency and are counted apart; "rcvbuf drops" are datagrams the kernel dropped on a full socket buffer (clusterdns and the raw-dgram server ask for a 4 MiB buffer, Knot keeps the kernel's 208 KiB, ~270 queries). dnsperf keeps at most 200 queries outstanding (a first burst that size fits a socket buffer) and a lost one holds its slot for the 2 s timeout, so drops also cost achieved rate. "server CPU" is over the run including dnsperf's 2 s drain at the end.`,
    '',
    '`' + command + '`',
    '',
    table(['server', 'offered qps', 'round', 'achieved qps', 'server CPU', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'lost (rcvbuf drops)'], rows),
    '',
    `- clusterdns p99 at ${fmt(RATE)} qps: **${fmt(data.p99, 3)} ms**, median of rounds ${p99s(CDNS, RATE)} (target < 1 ms)${c.qps < RATE * 0.97 ? `; it did not sustain the offered rate (${fmt(c.qps)} qps)` : ''}. Knot in the same rounds: ${fmt(data.knotP99, 3)} ms (${p99s(KNOT, RATE)}); the raw-dgram server: ${fmt(data.rawP99, 3)} ms (${p99s(RAW, RATE)}).`,
  ].join('\n');
  return { title: `Latency at ${fmt(RATE)} qps`, markdown, data };
}

if (import.meta.main) await runAlone(run);
