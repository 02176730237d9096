/**
 * Propagation: 1,000 Services created one after another through the simulator's HTTP API while
 * clusterdns serves 50,000; each is asked for (A) back to back from the moment its POST is sent
 * until it answers. The simulator writes the watch event before it answers the POST, so the time
 * from sending the POST is an upper bound on event -> answer. Target: p99 <= 50 ms.
 */
import { startClusterDns } from './lib/clusterdns.ts';
import { percentile } from './lib/dnsperf.ts';
import { pollUntilAnswered, sortedTimes } from './lib/poll.ts';
import { fmt, runAlone, SERVER_CPU, type BenchEnv, type Section } from './lib/scenario.ts';
import { simWrite } from './lib/sim.ts';
import { Asker, QType } from './lib/wire.ts';

/** Cluster size while creating. */
export const SERVICES = 50_000;
/** Services created. */
export const CREATIONS = 1_000;

export async function run(env: BenchEnv): Promise<Section> {
  const sim = await env.sim(SERVICES);
  const srv = await startClusterDns({ endpoint: sim.url, tls: sim.tls, upstream: env.stub.addr, cpus: SERVER_CPU, readyTimeoutMs: 120_000 });
  const ns = `bench-prop-${Date.now().toString(36)}`;
  const asker = new Asker(srv.port);
  const latencies: number[] = [];
  const posts: number[] = [];
  try {
    await simWrite(sim, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    for (let i = 0; i < CREATIONS; i++) {
      const name = `p-${i}`;
      const body = {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace: ns },
        spec: { clusterIP: `10.104.${i >> 8}.${i & 255}`, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
      };
      const t0 = performance.now();
      await simWrite(sim, 'POST', `/api/v1/namespaces/${ns}/services`, body);
      posts.push(performance.now() - t0);
      const t1 = await pollUntilAnswered(asker, `${name}.${ns}.svc.cluster.local.`, QType.A, 5000);
      latencies.push(t1 - t0);
    }
  } finally {
    asker.close();
    await srv.proc.stop();
  }
  const { sorted, failed } = sortedTimes(latencies);
  const postSorted = Float64Array.from(posts).sort();
  const p = (x: number): number => percentile(sorted, x);
  const data = { services: SERVICES, creations: CREATIONS, p50: p(50), p90: p(90), p99: p(99), max: sorted[sorted.length - 1] ?? NaN, failed, postP50: percentile(postSorted, 50) };
  const markdown = [
    `${fmt(CREATIONS)} Services created one at a time (POST to the simulator) with ${fmt(SERVICES)} already served; clusterdns on CPU ${SERVER_CPU}. Time from sending the POST to the first NOERROR answer for the new name (asked back to back; each probe ~0.1 ms).`,
    '',
    `- p50 **${fmt(data.p50, 2)} ms**, p90 ${fmt(data.p90, 2)} ms, p99 **${fmt(data.p99, 2)} ms**, max ${fmt(data.max, 2)} ms (target p99 <= 50 ms); ${failed} not answered within 5 s.`,
    `- the POST round trip alone (simulator's work, included above): p50 ${fmt(data.postP50, 2)} ms.`,
  ].join('\n');
  return { title: 'Propagation: Service created -> answered', markdown, data };
}

if (import.meta.main) await runAlone(run);
