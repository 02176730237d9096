/**
 * `npm run bench`: installs what is missing (dnsperf, knot), checks the build, runs every scenario
 * once and writes bench/RESULTS.md (and bench/out/results.json). Everything on loopback, every run
 * bounded. Options: --seconds N (each measured load run, default 10), --only a,b (scenario names).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DIST, NODE, ROOT, snapshotDist } from './lib/clusterdns.ts';
import { loadAverage, stopAll } from './lib/proc.ts';
import { fmt, makeEnv, table, type BenchEnv, type Section } from './lib/scenario.ts';
import * as throughput from './throughput.ts';
import * as latency from './latency.ts';
import * as profile from './profile.ts';
import * as workers from './workers.ts';
import * as memory from './memory.ts';
import * as startup from './startup.ts';
import * as incremental from './incremental.ts';
import * as propagation from './propagation.ts';

const SCENARIOS: Array<[string, (env: BenchEnv) => Promise<Section>]> = [
  ['throughput', throughput.run],
  ['latency', latency.run],
  ['profile', profile.run],
  ['workers', workers.run],
  ['memory', memory.run],
  ['startup', startup.run],
  ['incremental', incremental.run],
  ['propagation', propagation.run],
];

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 }).trim();
  } catch {
    return '';
  }
}

/** Installs Debian's dnsperf and knot if they are missing (root, as on the project's machines). */
function ensureTools(): void {
  const missing = [['dnsperf', 'dnsperf'], ['knotd', 'knot']].filter(([bin]) => !sh('sh', ['-c', `command -v ${bin}`])).map(([, pkg]) => pkg!);
  if (missing.length === 0) return;
  process.stderr.write(`bench: installing ${missing.join(' ')} with apt-get\n`);
  const opts = { stdio: 'inherit' as const, timeout: 300_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
  if (spawnSync('apt-get', ['update', '-qq'], opts).status !== 0 || spawnSync('apt-get', ['install', '-y', '-qq', ...missing], opts).status !== 0) {
    throw new Error(`could not install ${missing.join(' ')}: run \`apt-get install ${missing.join(' ')}\` as root`);
  }
}

function machine(builtFrom: string): string {
  const model = sh('lscpu', []).match(/^Model name:\s+(.*)$/m)?.[1] ?? os.cpus()[0]?.model ?? '?';
  const mem = readFileSync('/proc/meminfo', 'utf8').match(/^MemTotal:\s+(\d+) kB/m)?.[1];
  const commit = sh('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']);
  const dirty = sh('git', ['-C', ROOT, 'status', '--porcelain', '--', 'src']) ? ' (src/ has uncommitted changes)' : '';
  return [
    `- CPUs (nproc): ${sh('nproc', [])}; model: ${model}; memory: ${mem ? fmt(Number(mem) / 1048576, 1) : '?'} GiB; kernel ${os.release()}`,
    `- Node ${sh(NODE, ['--version'])} (node_modules/.bin/node); ${sh('knotd', ['--version'])}; dnsperf ${sh('sh', ['-c', 'dnsperf -h 2>&1 | grep -i "^version"']).replace(/^Version\s*/i, '')}`,
    `- clusterdns ${commit}${dirty}, built to ${builtFrom}/ (run from a copy taken at the start, bench/out/snapshot/, so a rebuild meanwhile changes nothing)`,
  ].join('\n');
}

interface Check {
  what: string;
  target: string;
  measured: string;
  ok: boolean | undefined;
}

function checks(results: Map<string, Section>): Check[] {
  const d = (name: string): Record<string, any> | undefined => results.get(name)?.data;
  const out: Check[] = [];
  const t = d('throughput');
  if (t) out.push({ what: `throughput vs Knot (${fmt(t.services)} Services, one core)`, target: '>= 0.5x', measured: `${fmt(t.ratioVsKnot, 2)}x qps (${fmt(t.clusterdnsQps)} vs ${fmt(t.knotQps)}); ${fmt(t.perCoreRatioVsKnot, 2)}x per core`, ok: t.ratioVsKnot >= 0.5 && t.perCoreRatioVsKnot >= 0.5 });
  if (t) out.push({ what: 'throughput vs raw dgram ceiling', target: '(reference)', measured: `${fmt(t.ratioVsRaw, 2)}x qps; ${fmt(t.perCoreRatioVsRaw, 2)}x per core`, ok: undefined });
  const l = d('latency');
  if (l) out.push({ what: `p99 latency at ${fmt(l.rate)} qps`, target: '< 1 ms', measured: `${fmt(l.p99, 3)} ms, median of ${l.p99Rounds.length} rounds (${l.p99Rounds.map((x: number) => fmt(x, 3)).join(' / ')}; achieved ${fmt(l.clusterdnsQps)} qps; Knot p99 ${fmt(l.knotP99, 3)} ms; raw dgram ${fmt(l.rawP99, 3)} ms)`, ok: l.p99 < 1 && l.clusterdnsQps >= l.rate * 0.97 });
  const w = d('workers');
  if (w) out.push({ what: '-workers 2 vs 1 (unpinned)', target: '(report)', measured: `${fmt(w.scaling, 2)}x (${fmt(w.qps2)} vs ${fmt(w.qps1)} qps)`, ok: undefined });
  const m = d('memory');
  if (m) {
    for (const n of memory.SIZES) {
      if (m[`rss${n}MiB`] === undefined) continue;
      out.push({ what: `RSS with ${fmt(n)} Services`, target: `<= ${fmt(m[`budget${n}MiB`], 1)} MiB`, measured: `${fmt(m[`rss${n}MiB`], 1)} MiB (peak ${fmt(m[`peak${n}MiB`], 1)}; CoreDNS formula ${fmt((n * 4) / 1000 + 54)} MB)`, ok: m[`rss${n}MiB`] <= m[`budget${n}MiB`] });
    }
    if (m.deployed10000MiB !== undefined) out.push({ what: 'RSS as deployed (deploy/\'s NODE_OPTIONS heap cap), 1,000 / 10,000 Services', target: `<= ${fmt(m.budget1000MiB, 1)} / ${fmt(m.budget10000MiB, 1)} MiB`, measured: `${fmt(m.deployed1000MiB, 1)} / ${fmt(m.deployed10000MiB, 1)} MiB`, ok: m.deployed1000MiB <= m.budget1000MiB && m.deployed10000MiB <= m.budget10000MiB });
    if (m.deployed50000MiB !== undefined) out.push({ what: 'as deployed, 50,000 Services: RSS and peak RSS against deploy/\'s memory limit', target: `< ${fmt(m.deployLimitMiB)} MiB (the pod is killed above it)`, measured: `${fmt(m.deployed50000MiB, 1)} MiB, peak ${fmt(m.deployedPeak50000MiB, 1)} (budget ${fmt(m.budget50000MiB, 1)})`, ok: m.deployedPeak50000MiB < m.deployLimitMiB });
    if (m.unpinnedAutoWorkers10kMiB !== undefined) out.push({ what: 'RSS with 10,000 Services, unpinned: -workers 1 / -workers auto (one thread per CPU)', target: '(report)', measured: `${fmt(m.unpinned10kMiB, 1)} / ${fmt(m.unpinnedAutoWorkers10kMiB, 1)} MiB`, ok: undefined });
  }
  const s = d('startup');
  if (s) out.push({ what: `startup to ready, ${fmt(s.services)} Services`, target: '<= 5,000 ms', measured: `${fmt(s.best)} ms (runs: ${s.readyMs.map((x: number) => fmt(x)).join(', ')})`, ok: s.best <= 5000 });
  const p = d('propagation');
  if (p) out.push({ what: `Service created -> answered (${fmt(p.creations)}, ${fmt(p.services)} loaded)`, target: 'p99 <= 50 ms', measured: `p99 ${fmt(p.p99, 2)} ms (p50 ${fmt(p.p50, 2)}, max ${fmt(p.max, 2)}, ${p.failed} failed)`, ok: p.p99 <= 50 && p.failed === 0 });
  const i = d('incremental');
  if (i) out.push({ what: 'EndpointSlice change cost, 50k vs 1k Services', target: 'O(Service): ~1x, not ~50x', measured: `${fmt(i.growth, 2)}x (${fmt(i.cpuPerUpdateSmallMs, 3)} -> ${fmt(i.cpuPerUpdateBigMs, 3)} CPU ms per update)`, ok: i.cpuPerUpdateSmallMs > 0 && i.cpuPerUpdateBigMs > 0 ? i.growth < 3 : undefined });
  return out;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, only: { type: 'string' } }, strict: true });
  const seconds = Number(values.seconds);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 120) throw new Error(`--seconds must be 1..120, got "${values.seconds}"`);
  const only = values.only ? new Set(values.only.split(',')) : undefined;
  for (const name of only ?? []) if (!SCENARIOS.some(([n]) => n === name)) throw new Error(`unknown scenario "${name}" (have: ${SCENARIOS.map(([n]) => n).join(', ')})`);
  if (Number(process.versions.node.split('.')[0]) < 24) throw new Error(`run with Node 24 (node_modules/.bin/node), not ${process.version}`);
  if (!existsSync(join(DIST, 'cli.js'))) throw new Error(`${DIST}/cli.js missing: run \`npm run build\` first`);
  ensureTools();
  const builtFrom = DIST.replace(`${ROOT}/`, '');
  snapshotDist(join(ROOT, 'bench', 'out', 'snapshot'));
  const started = Date.now();
  const env = await makeEnv(seconds);
  const bail = (): void => void env.close().then(() => process.exit(130));
  process.once('SIGINT', bail);
  process.once('SIGTERM', bail);
  const results = new Map<string, Section>();
  const sections: string[] = [];
  const notes: string[] = [];
  try {
    for (const [name, run] of SCENARIOS) {
      if (only && !only.has(name)) continue;
      const load = loadAverage();
      const t0 = Date.now();
      process.stderr.write(`bench: ${name} (load average ${load})...\n`);
      try {
        const s = await run(env);
        results.set(name, s);
        sections.push(`## ${s.title}\n\n_Scenario \`bench/${name}.ts\`, ${fmt((Date.now() - t0) / 1000)} s, 1-min load average at start ${load}._\n\n${s.markdown}\n`);
      } catch (err) {
        await stopAll();
        sections.push(`## ${name}: FAILED\n\n\`\`\`\n${(err as Error).stack ?? String(err)}\n\`\`\`\n`);
        process.stderr.write(`bench: ${name} failed: ${(err as Error).message}\n`);
      }
    }
    notes.push(`- the stub upstream behind \`forward\` saw ${env.stub.queries()} queries (loop's startup probes; the mix stays in cluster.local).`);
  } finally {
    await env.close();
  }
  const summary = checks(results);
  const doc = [
    '# clusterdns benchmarks',
    '',
    `Written by \`npm run bench\` on ${new Date().toISOString()} (${fmt((Date.now() - started) / 1000)} s). Figures drift between machines and runs: compare the ratios, which are measured in the same run.`,
    '',
    '## Machine',
    '',
    machine(builtFrom),
    `- command: \`npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\``,
    '- other processes on the machine are not stopped: the load average before each scenario is printed with it; rounds alternate between servers so that such noise hits them alike.',
    '',
    '## Summary',
    '',
    table(['what', 'target', 'measured', 'met'], summary.map((c) => [c.what, c.target, c.measured, c.ok === undefined ? '' : c.ok ? 'yes' : '**no**'])),
    '',
    ...notes,
    '',
    ...sections,
  ].join('\n');
  mkdirSync(join(ROOT, 'bench', 'out'), { recursive: true });
  // A partial run (--only) must not replace the full results.
  const target = only ? join(ROOT, 'bench', 'out', 'RESULTS.partial.md') : join(ROOT, 'bench', 'RESULTS.md');
  writeFileSync(target, doc);
  writeFileSync(join(ROOT, 'bench', 'out', 'results.json'), JSON.stringify(Object.fromEntries([...results].map(([k, v]) => [k, v.data])), null, 2));
  process.stderr.write(`bench: wrote ${target.replace(`${ROOT}/`, '')} in ${fmt((Date.now() - started) / 1000)} s\n`);
  return results.size === SCENARIOS.filter(([n]) => !only || only.has(n)).length ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  async (err: Error) => {
    await stopAll();
    process.stderr.write(`bench: ${err.message}\n`);
    process.exit(1);
  },
);
