/**
 * What every scenario shares: the run length, a scratch folder, the stub upstream, simulators
 * (one per cluster size, started on demand, pinned to CPU 1 like the load generator, and kept
 * for the next scenario), query files. A scenario is `run(env) -> Section`; run-all.ts runs them
 * in turn, and each file also runs alone (`node bench/<scenario>.ts [--seconds N]`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stopAll } from './proc.ts';
import { queryMix, writeQueryFile, type QueryLine } from './queries.ts';
import { startSim, type Sim } from './sim.ts';
import { startStubUpstream, type StubUpstream } from '../stub-upstream.ts';

/** CPU the servers under test are pinned to. */
export const SERVER_CPU = '0';
/** CPU the load generator and the simulator are pinned to. */
export const LOAD_CPU = '1';
/** Queries per generated query file (dnsperf loops over it). */
const QUERIES_PER_FILE = 50_000;

/** One part of RESULTS.md. */
export interface Section {
  title: string;
  /** Markdown under the title. */
  markdown: string;
  /** The figures, for the summary table and for machines. */
  data: Record<string, unknown>;
}

/** Shared state of a benchmark run. */
export interface BenchEnv {
  /** Length of each measured dnsperf run. */
  seconds: number;
  work: string;
  stub: StubUpstream;
  /** The simulator serving a cluster of `services` (started once). */
  sim(services: number): Promise<Sim>;
  /** The query mix for a cluster of `services`, as lines and as a dnsperf file. */
  queries(services: number): { lines: QueryLine[]; file: string };
  /** Stops what the env started. */
  close(): Promise<void>;
}

/** Creates the shared state. */
export async function makeEnv(seconds: number): Promise<BenchEnv> {
  const work = mkdtempSync(join(tmpdir(), 'bench-'));
  const stub = await startStubUpstream();
  const sims = new Map<number, Promise<Sim>>();
  const files = new Map<number, { lines: QueryLine[]; file: string }>();
  return {
    seconds,
    work,
    stub,
    sim(services) {
      let s = sims.get(services);
      if (!s) {
        s = startSim(services, { cpus: LOAD_CPU, tls: true });
        sims.set(services, s);
      }
      return s;
    },
    queries(services) {
      let q = files.get(services);
      if (!q) {
        const lines = queryMix(services, QUERIES_PER_FILE);
        const file = join(work, `queries-${services}.txt`);
        writeQueryFile(file, lines);
        q = { lines, file };
        files.set(services, q);
      }
      return q;
    },
    async close() {
      for (const s of sims.values()) await s.then((x) => x.proc.stop(), () => undefined);
      await stub.close();
      await stopAll();
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** Parses `--seconds N` (default 10). */
export function secondsArg(argv: string[]): number {
  const { values } = parseArgs({ args: argv, options: { seconds: { type: 'string', default: '10' } }, strict: false });
  const n = Number(values.seconds);
  if (!Number.isInteger(n) || n < 1 || n > 120) throw new Error(`--seconds must be an integer in 1..120, got "${values.seconds}"`);
  return n;
}

/** Runs one scenario by itself and prints its section (the `if (import.meta.main)` of each file). */
export async function runAlone(run: (env: BenchEnv) => Promise<Section>): Promise<void> {
  const env = await makeEnv(secondsArg(process.argv.slice(2)));
  const bail = (): void => void env.close().then(() => process.exit(130));
  process.once('SIGINT', bail);
  process.once('SIGTERM', bail);
  try {
    const s = await run(env);
    process.stdout.write(`## ${s.title}\n\n${s.markdown}\n`);
  } finally {
    await env.close();
  }
}

/** A markdown table. */
export function table(head: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** `n` with `digits` decimals and thousands separators. */
export function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';
}
