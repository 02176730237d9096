/**
 * A flood of names never asked before: every query a new name below a namespace (the shape of
 * search-path expansions of external names, or of a random-subdomain attack), so the wire cache
 * fills and rotates all the time. Reports RSS and heap as the flood goes on, with the product's Node
 * settings and, separately, with deploy/'s NODE_OPTIONS on top (its heap cap for the 170Mi limit).
 * Not part of `npm run bench`.
 *
 *   node bench/flood.ts [--seconds 8] [--rounds 3] [--qps 30000]
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { deployNodeOptions, startClusterDns } from './lib/clusterdns.ts';
import { measure } from './lib/measure.ts';
import { rssKiB, scrape, sleep, stopAll } from './lib/proc.ts';
import { startSim } from './lib/sim.ts';
import { LOAD_CPU, SERVER_CPU } from './lib/scenario.ts';
import { startStubUpstream } from './stub-upstream.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '8' }, rounds: { type: 'string', default: '3' }, qps: { type: 'string', default: '30000' } }, strict: true });
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const qps = Number(values.qps);
if (!(seconds > 0 && seconds <= 60) || !(rounds >= 1 && rounds <= 20) || !(qps > 0 && qps <= 200_000)) throw new Error('--seconds in (0, 60], --rounds in [1, 20], --qps in (0, 200000]');

const SERVICES = 10_000;
const deployed = deployNodeOptions();

// One distinct name per query, more than a run sends, in 200 namespaces.
const file = join(tmpdir(), `flood-${process.pid}.txt`);
const count = Math.ceil(qps * seconds * rounds * 1.2);
writeFileSync(file, Array.from({ length: count }, (_, i) => `x${i}.example-${i % 97}.com.ns-${i % 200}.svc.cluster.local A\n`).join(''));

const sim = await startSim(SERVICES, { cpus: LOAD_CPU, tls: true });
const stub = await startStubUpstream();
try {
  console.log(`flood: ${SERVICES} Services loaded; ${rounds} rounds of ${seconds} s at ${qps} qps offered, every query a new name`);
  for (const [label, env] of [['image settings', undefined], [`as deployed (NODE_OPTIONS=${deployed})`, { NODE_OPTIONS: deployed }]] as const) {
    const c = await startClusterDns({ endpoint: sim.url, tls: sim.tls, upstream: stub.addr, cpus: SERVER_CPU, env });
    const mib = async (metric: string) => ((await scrape(c.metricsUrl, metric)) / 1048576).toFixed(1);
    const show = async (what: string) => `${what}: RSS ${(rssKiB(c.proc.pid) / 1024).toFixed(1)} MiB, heap used ${await mib('nodejs_heap_size_used_bytes')} MiB, external ${await mib('nodejs_external_memory_bytes')} MiB`;
    try {
      await sleep(2000);
      console.log(`\n${label}\n  ${await show('before')}`);
      for (let r = 1; r <= rounds; r++) {
        const m = await measure([c.proc.pid], { port: c.port, file, seconds, cpus: LOAD_CPU, qps });
        console.log(`  ${await show(`after round ${r} (${Math.round(m.qps)} qps answered, ${JSON.stringify(m.rcodes)})`)}`);
      }
    } finally {
      await c.proc.stop();
    }
  }
} finally {
  await stopAll();
  await stub.close();
}
process.exit(0);
