/**
 * Startup: from spawning clusterdns to /ready 200 (informers synced, zone built) with 50,000
 * Services (+ 50,000 EndpointSlices) served by the simulator; clusterdns on CPU 0, the simulator
 * on CPU 1. The last Service must answer at once when ready. One more start under --cpu-prof shows
 * where startup time goes. Target: ready <= 5 s.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { serviceAt } from './lib/cluster.ts';
import { ROOT, startClusterDns } from './lib/clusterdns.ts';
import { summarizeProfile } from './lib/cpu-profile.ts';
import { fmt, runAlone, SERVER_CPU, type BenchEnv, type Section } from './lib/scenario.ts';
import { Asker, head, QType } from './lib/wire.ts';
import { profileTables } from './profile.ts';

/** Cluster size of the startup runs. */
export const SERVICES = 50_000;
const RUNS = 2;

export async function run(env: BenchEnv): Promise<Section> {
  const sim = await env.sim(SERVICES);
  const times: number[] = [];
  const problems: string[] = [];
  for (let i = 0; i < RUNS; i++) {
    const srv = await startClusterDns({ endpoint: sim.url, tls: sim.tls, upstream: env.stub.addr, cpus: SERVER_CPU, readyTimeoutMs: 120_000 });
    times.push(srv.readyMs);
    const asker = new Asker(srv.port);
    try {
      const last = serviceAt(SERVICES - 1).fqdn;
      const r = await asker.ask(last, QType.A, 2000);
      if (!r || head(r).rcode !== 0 || head(r).answers < 1) problems.push(`run ${i + 1}: ${last} not answered right after ready (${r ? `rcode ${head(r).rcode}` : 'no reply'})`);
    } finally {
      asker.close();
      await srv.proc.stop();
    }
  }
  const dir = join(env.work, 'profile-startup');
  mkdirSync(dir, { recursive: true });
  const prof = await startClusterDns({ endpoint: sim.url, tls: sim.tls, upstream: env.stub.addr, cpus: SERVER_CPU, readyTimeoutMs: 120_000, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
  await prof.proc.stop(60_000);
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  const summary = file ? profileTables(summarizeProfile(join(dir, file), ROOT, 15), 10) : `(no profile written: ${prof.proc.output().slice(-500)})`;
  const best = Math.min(...times);
  const data = { services: SERVICES, readyMs: times, best, profiledReadyMs: prof.readyMs };
  const markdown = [
    `${fmt(SERVICES)} Services + ${fmt(SERVICES)} EndpointSlices (+ ${fmt(SERVICES / 50)} Namespaces) in the simulator (its own process, CPU 1); clusterdns on CPU ${SERVER_CPU}; time from spawn to /ready 200, ${RUNS} runs.`,
    '',
    `- ready after: ${times.map((t) => `${fmt(t)} ms`).join(', ')}; best **${fmt(best)} ms** (target <= 5,000 ms).`,
    `- the last Service answered right after ready: ${problems.length ? problems.join('; ') : 'yes, every run'}.`,
    '',
    `Where startup time goes (one more start under \`--cpu-prof\`, ready after ${fmt(prof.readyMs)} ms, whole process until ready):`,
    '',
    summary,
  ].join('\n');
  return { title: `Startup with ${fmt(SERVICES)} Services`, markdown, data };
}

if (import.meta.main) await runAlone(run);
