/**
 * Multi-core: clusterdns with `-workers 1` and `-workers 2` (SO_REUSEPORT threads, both given
 * explicitly: the default is the CPU count), unpinned,
 * dnsperf unpinned too (the machine has 2 CPUs, so the load generator competes with the second
 * worker: the figure is what this machine can show, not the scaling on a big host).
 */
import { startClusterDns, type ClusterDns } from './lib/clusterdns.ts';
import { measure, type Measured } from './lib/measure.ts';
import { rssKiB } from './lib/proc.ts';
import { fmt, runAlone, table, type BenchEnv, type Section } from './lib/scenario.ts';
import { SERVICES } from './throughput.ts';

const ROUNDS = 2;

export async function run(env: BenchEnv): Promise<Section> {
  const sim = await env.sim(SERVICES);
  const q = env.queries(SERVICES);
  const servers: Array<{ workers: number; srv: ClusterDns; runs: Measured[]; rss: number }> = [];
  let command = '';
  try {
    for (const workers of [1, 2]) {
      const srv = await startClusterDns({ endpoint: sim.url, tls: sim.tls, upstream: env.stub.addr, workers });
      servers.push({ workers, srv, runs: [], rss: NaN });
      await measure([srv.proc.pid], { port: srv.port, file: q.file, seconds: 2, clients: 8, outstanding: 200 });
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const s of servers) {
        const m = await measure([s.srv.proc.pid], { port: s.srv.port, file: q.file, seconds: env.seconds, clients: 8, outstanding: 200 });
        s.runs.push(m);
        command = m.command;
      }
    }
    for (const s of servers) s.rss = rssKiB(s.srv.proc.pid);
  } finally {
    for (const s of servers) await s.srv.proc.stop();
  }
  const best = (runs: Measured[]): Measured => runs.reduce((a, b) => (b.qps > a.qps ? b : a));
  const rows = servers.map((s) => {
    const m = best(s.runs);
    return [`-workers ${s.workers}`, fmt(m.qps), s.runs.map((x) => fmt(x.qps)).join(' / '), fmt(m.cpuUtil * 100) + '%', m.cpuBusy.map((b) => fmt(b * 100) + '%').join(' / '), fmt(m.avgLatencyMs, 3), fmt(m.lost), fmt(s.rss / 1024, 1)];
  });
  const [one, two] = servers.map((s) => best(s.runs)) as [Measured, Measured];
  const data = { qps1: one.qps, qps2: two.qps, scaling: two.qps / one.qps, rss1MiB: servers[0]!.rss / 1024, rss2MiB: servers[1]!.rss / 1024 };
  const markdown = [
    `${fmt(SERVICES)} Services, same mix, nothing pinned; ${ROUNDS} alternating rounds of ${env.seconds} s, best shown. "server CPU" is the clusterdns process (all threads) in cores x 100%; "CPUs busy" is each CPU's busy share, load generator included.`,
    '',
    '`' + command + '`',
    '',
    table(['clusterdns', 'qps (best)', 'qps per round', 'server CPU', 'CPUs busy (0 / 1)', 'avg latency ms', 'lost', 'RSS MiB after'], rows),
    '',
    `- 2 workers vs 1: **${fmt(data.scaling, 2)}x**.`,
  ].join('\n');
  return { title: 'Multi-core: -workers 2 vs 1', markdown, data };
}

if (import.meta.main) await runAlone(run);
