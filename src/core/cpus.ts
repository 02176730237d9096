/**
 * How many CPUs this process may use: the host's, lowered by a cgroup CPU limit (a container's
 * `resources.limits.cpu`), which os.availableParallelism() does not see. `-workers auto`.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Default worker cap: each thread costs memory (a V8 heap and its own copy of the zone). */
export const MAX_DEFAULT_WORKERS = 4;

/** CPUs allowed by cgroup v2 `cpu.max` (`quota period`, or `max period`), or undefined when unlimited/unknown. */
export function cgroupCpus(text?: string): number | undefined {
  let raw = text;
  if (raw === undefined) {
    try {
      raw = readFileSync('/sys/fs/cgroup/cpu.max', 'utf8');
    } catch {
      return undefined;
    }
  }
  const [quota, period] = raw.trim().split(/\s+/);
  if (!quota || quota === 'max' || !period) return undefined;
  const q = Number(quota);
  const p = Number(period);
  if (!(q > 0) || !(p > 0)) return undefined;
  return Math.max(1, Math.ceil(q / p));
}

/** `-workers auto`: CPUs we may use, at most MAX_DEFAULT_WORKERS. */
export function defaultWorkers(): number {
  const cpus = Math.min(os.availableParallelism(), cgroupCpus() ?? Infinity);
  return Math.max(1, Math.min(cpus, MAX_DEFAULT_WORKERS));
}
