/** Child processes for the benchmarks: spawn (optionally pinned to CPUs), wait for output, read /proc, stop. */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

/** A spawned process with its output kept. */
export interface Proc {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly name: string;
  output(): string;
  /** Resolves with the first match of `re` in the output; rejects on exit or after `ms`. */
  waitFor(re: RegExp, ms: number): Promise<RegExpMatchArray>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

const running = new Set<Proc>();

/**
 * Niceness of everything the benchmarks measure (servers and dnsperf alike): other work on the
 * machine then yields the CPU to them, so it disturbs the figures less. Negative values need root;
 * BENCH_NICE=0 turns it off.
 */
export const NICE = Number(process.env.BENCH_NICE ?? (process.getuid?.() === 0 ? -10 : 0));

/**
 * Spawns `cmd args` at niceness NICE; with `cpus` ('0', '1', '0,1') under `taskset -c` (nice and
 * taskset exec, so the pid is the command's and every thread inherits both). With `stdoutFile`
 * its stdout goes to that file instead of memory.
 */
export function start(name: string, cmd: string, args: string[], opts: { cpus?: string; cwd?: string; env?: NodeJS.ProcessEnv; stdoutFile?: string } = {}): Proc {
  let [file, argv] = opts.cpus ? ['taskset', ['-c', opts.cpus, cmd, ...args]] : [cmd, args];
  if (NICE !== 0) [file, argv] = ['nice', ['-n', String(NICE), file, ...argv]];
  const fd = opts.stdoutFile ? openSync(opts.stdoutFile, 'w') : undefined;
  const child = spawn(file, argv, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', fd ?? 'pipe', 'pipe'] });
  if (fd !== undefined) closeSync(fd);
  let out = '';
  const keep = (b: Buffer): void => {
    out += b.toString();
    // Bounded: a chatty process must not grow the bench's memory without limit.
    if (out.length > 4_000_000) out = out.slice(-2_000_000);
  };
  child.stdout?.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((res) => {
    child.once('exit', (code, sig) => res(code ?? (sig ? 128 : null)));
    child.once('error', (err) => {
      out += `\nspawn error: ${err.message}`;
      res(127);
    });
  });
  let done = false;
  void exited.then(() => (done = true));
  const p: Proc = {
    child,
    pid: child.pid ?? -1,
    name,
    exited,
    output: () => out,
    waitFor: async (re, ms) => {
      const end = Date.now() + ms;
      for (;;) {
        const m = out.match(re);
        if (m) return m;
        if (done) throw new Error(`${name} exited before printing ${re}:\n${out.slice(-3000)}`);
        if (Date.now() > end) throw new Error(`${name}: no ${re} within ${ms} ms:\n${out.slice(-3000)}`);
        await sleep(20);
      }
    },
    stop: async (graceMs = 10_000) => {
      running.delete(p);
      if (!done) child.kill('SIGTERM');
      const t = setTimeout(() => {
        if (!done) child.kill('SIGKILL');
      }, graceMs);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
  running.add(p);
  return p;
}

/** Stops every process still running (on the way out, also after a failure). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop(3000)));
}

/** Waits `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A `kB` field of /proc/PID/status, or NaN once the process is gone. */
function statusKiB(pid: number, field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/** Resident set size in KiB (VmRSS), or NaN once the process is gone. */
export const rssKiB = (pid: number): number => statusKiB(pid, 'VmRSS');
/** File-backed resident KiB (RssFile: the node binary's and libraries' pages, shared and reclaimable), or NaN. */
export const rssFileKiB = (pid: number): number => statusKiB(pid, 'RssFile');
/** Peak resident set size in KiB (VmHWM), or NaN once the process is gone. */
export const peakRssKiB = (pid: number): number => statusKiB(pid, 'VmHWM');

/** CPU time (user + system) the process used so far, in ms (all its threads). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the `(comm)`, which may contain spaces: utime and stime are the 12th and 13th.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / clockTicks;
}
const clockTicks = 100; // USER_HZ on Linux is 100 on every architecture we run on.

export { freePort } from '../../test/helpers/free-port.ts';

/** Polls `url` until it answers 200 (resolves with ms waited); rejects after `ms` or once `alive()` is false. */
export async function waitHttp200(url: string, ms: number, pollMs = 10, alive: () => boolean = () => true): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    if (!alive()) throw new Error(`gave up on ${url}: the server exited`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await r.arrayBuffer();
      if (r.status === 200) return performance.now() - t0;
    } catch {
      // not up yet
    }
    if (performance.now() - t0 > ms) throw new Error(`${url} not 200 within ${ms} ms`);
    await sleep(pollMs);
  }
}

/** Busy time (all but idle and iowait) of each CPU so far, in ms, from /proc/stat. */
export function cpuBusyMs(): number[] {
  const out: number[] = [];
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const m = line.match(/^cpu(\d+) (.*)$/);
    if (!m) continue;
    const f = m[2]!.trim().split(/\s+/).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    out[Number(m[1])] = ((total - f[3]! - f[4]!) * 1000) / clockTicks;
  }
  return out;
}

/** The 1-minute load average. */
export function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

/** One sample of a Prometheus text exposition (first series of that name), or NaN. */
export async function scrape(url: string, metric: string): Promise<number> {
  try {
    const text = await (await fetch(url, { signal: AbortSignal.timeout(3000) })).text();
    const m = text.match(new RegExp(`^${metric}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/** UDP datagrams the kernel dropped because a socket's receive buffer was full (whole machine). */
export function udpRcvbufErrors(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
  if (lines.length < 2) return NaN;
  const names = lines[0]!.split(/\s+/);
  const values = lines[1]!.split(/\s+/);
  return Number(values[names.indexOf('RcvbufErrors')]);
}
