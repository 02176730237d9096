/** Runs dnsperf (Debian's `dnsperf`) and reads its summary; with `perQuery`, every query's latency too. */
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NICE, start } from './proc.ts';

/** What one dnsperf run measured. */
export interface PerfResult {
  sent: number;
  completed: number;
  lost: number;
  qps: number;
  avgLatencyMs: number;
  maxLatencyMs: number;
  rcodes: Record<string, number>;
  /** Sorted per-query latencies in ms (only with `perQuery`). */
  latencies?: Float64Array;
  command: string;
}

/** Options of one run. */
export interface PerfOptions {
  port: number;
  file: string;
  seconds: number;
  cpus?: string;
  clients?: number;
  outstanding?: number;
  /** Rate limit (-Q). */
  qps?: number;
  /** Verbose mode: dnsperf prints each query's latency, from which percentiles are computed. */
  perQuery?: boolean;
}

/** One bounded dnsperf run (-l seconds) against 127.0.0.1. */
export async function dnsperf(o: PerfOptions): Promise<PerfResult> {
  const args = ['-s', '127.0.0.1', '-p', String(o.port), '-d', o.file, '-l', String(o.seconds), '-c', String(o.clients ?? 4), '-T', '1', '-q', String(o.outstanding ?? 200), '-t', '2', '-b', '4096'];
  if (o.qps) args.push('-Q', String(o.qps));
  if (o.perQuery) args.push('-v');
  const command = `${NICE ? `nice -n ${NICE} ` : ''}${o.cpus ? `taskset -c ${o.cpus} ` : ''}dnsperf ${args.join(' ')}`;
  // -v prints a line per query (tens of MB): to a file, not through a pipe into memory.
  const verboseFile = o.perQuery ? join(tmpdir(), `bench-dnsperf-${process.pid}-${Date.now()}.txt`) : undefined;
  const p = start('dnsperf', 'dnsperf', args, { cpus: o.cpus, stdoutFile: verboseFile });
  const timer = setTimeout(() => void p.stop(2000), (o.seconds + 30) * 1000);
  const code = await p.exited;
  clearTimeout(timer);
  let out = p.output();
  if (verboseFile) {
    out += readFileSync(verboseFile, 'utf8');
    rmSync(verboseFile, { force: true });
  }
  if (code !== 0) throw new Error(`dnsperf exited ${code}:\n${out.slice(-2000)}`);
  const result = parseDnsperf(out, command);
  if (o.perQuery) result.latencies = perQueryLatencies(out);
  return result;
}

/** Reads dnsperf's summary (throws when a figure is missing, e.g. dnsperf failed to start). */
export function parseDnsperf(out: string, command = ''): PerfResult {
  const num = (re: RegExp): number => {
    const m = out.match(re);
    if (!m) throw new Error(`dnsperf output lacks ${re}:\n${out.slice(-2000)}`);
    return Number(m[1]);
  };
  const rcodes: Record<string, number> = {};
  const rc = out.match(/Response codes:\s+(.*)/);
  for (const m of rc?.[1]?.matchAll(/([A-Z]+) (\d+)/g) ?? []) rcodes[m[1]!] = Number(m[2]);
  return {
    sent: num(/Queries sent:\s+(\d+)/),
    completed: num(/Queries completed:\s+(\d+)/),
    lost: num(/Queries lost:\s+(\d+)/),
    qps: num(/Queries per second:\s+([\d.]+)/),
    avgLatencyMs: num(/Average Latency \(s\):\s+([\d.]+)/) * 1000,
    maxLatencyMs: num(/max ([\d.]+)\)/) * 1000,
    rcodes,
    command,
  };
}

/** The latencies in dnsperf -v lines (`> NOERROR name A 0.000123`), sorted, in ms. */
export function perQueryLatencies(out: string): Float64Array {
  const values: number[] = [];
  for (const m of out.matchAll(/^> \S+ \S+ \S+ ([\d.]+)$/gm)) values.push(Number(m[1]) * 1000);
  return Float64Array.from(values).sort();
}

/** The p-th percentile (0..100) of sorted values (nearest rank). */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
