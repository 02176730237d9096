/** One measured load run against a server process: dnsperf's figures plus the server's CPU use. */
import { cpuBusyMs, cpuMs, udpRcvbufErrors } from './proc.ts';
import { dnsperf, type PerfOptions, type PerfResult } from './dnsperf.ts';
import type { QueryLine } from './queries.ts';

/** dnsperf's result with the server's CPU share over the run. */
export interface Measured extends PerfResult {
  /** Server CPU time / wall time (1.0 = one core busy the whole run). */
  cpuUtil: number;
  /** Completed queries per second of server CPU time: throughput per core, saturated or not. */
  qpsPerCore: number;
  /** Share of the run each CPU was busy (whoever used it: server, load generator, other work, softirq). */
  cpuBusy: number[];
  /** UDP datagrams dropped on full receive buffers during the run (a stalled server drops queries). */
  rcvbufDrops: number;
}

/** Runs dnsperf against `port` while reading the CPU time of `pids` (all the server's processes). */
export async function measure(pids: number[], o: PerfOptions): Promise<Measured> {
  const cpu = (): number => pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
  const c0 = cpu();
  const b0 = cpuBusyMs();
  const d0 = udpRcvbufErrors();
  const t0 = performance.now();
  const r = await dnsperf(o);
  const wall = performance.now() - t0;
  const used = cpu() - c0;
  const busy = cpuBusyMs().map((b, i) => (b - (b0[i] ?? 0)) / wall);
  return { ...r, cpuUtil: used / wall, qpsPerCore: used > 0 ? r.completed / (used / 1000) : NaN, cpuBusy: busy, rcvbufDrops: udpRcvbufErrors() - d0 };
}

/** Problems with the answers a run got, compared with what the query mix must produce. */
export function answerProblems(r: PerfResult, lines: readonly QueryLine[]): string[] {
  const problems: string[] = [];
  const total = Object.values(r.rcodes).reduce((a, b) => a + b, 0);
  for (const [rcode, n] of Object.entries(r.rcodes)) {
    if (rcode !== 'NOERROR' && rcode !== 'NXDOMAIN' && n > 0) problems.push(`${n} ${rcode}`);
  }
  const want = lines.filter((l) => l.expect === 'nxdomain').length / lines.length;
  const got = total > 0 ? (r.rcodes.NXDOMAIN ?? 0) / total : 0;
  if (Math.abs(got - want) > 0.02) problems.push(`NXDOMAIN share ${(got * 100).toFixed(1)}%, expected ${(want * 100).toFixed(1)}%`);
  if (r.sent > 0 && r.lost / r.sent > 0.01) problems.push(`${((r.lost / r.sent) * 100).toFixed(1)}% lost`);
  return problems;
}
