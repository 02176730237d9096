/**
 * One full garbage collection at a moment chosen by us, not by V8: right after a cluster source's
 * initial sync, before the server answers its first query.
 *
 * The initial list leaves tens of MB of garbage in the old generation (list pages, decoded JSON,
 * the objects they became before they were slimmed), promoted while it was being built. V8 would
 * collect it with the first mark-compact under load, seconds later, while the server is busy:
 * marking on a shared core and a finalizing pause of several ms, enough to overflow a socket
 * buffer at tens of kqps (bench/RESULTS.md, "Garbage collection under load"). Collected here,
 * before readiness, it costs 33 ms of startup at 10k Services (84 ms at 50k), and the old
 * generation starts from the live size: RSS settles 20-40 MiB lower. A source that a reload
 * creates syncs while the old config serves; its collection then holds queries up as long, once.
 *
 * Node exposes no collector API without `--expose-gc`; setting that flag at run time gives a new
 * V8 context the `gc` function (the main context, created before, gets nothing), so the server
 * needs no extra launch flag. If this fails (another runtime, frozen flags), nothing is collected.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

/** What one collection did: heap bytes in use before and after, and the pause it took. */
export interface Collected {
  beforeBytes: number;
  afterBytes: number;
  ms: number;
}

type GcFn = () => void;

let gcFn: GcFn | null | undefined;

function collector(): GcFn | null {
  if (gcFn !== undefined) return gcFn;
  try {
    v8.setFlagsFromString('--expose-gc');
    const fn: unknown = vm.runInNewContext('gc');
    gcFn = typeof fn === 'function' ? (fn as GcFn) : null;
  } catch {
    gcFn = null;
  }
  return gcFn;
}

/** Runs one full (major, synchronous) collection; undefined when the runtime does not allow it. */
export function collectGarbage(): Collected | undefined {
  const gc = collector();
  if (!gc) return undefined;
  const beforeBytes = v8.getHeapStatistics().used_heap_size;
  const start = performance.now();
  gc();
  const ms = performance.now() - start;
  return { beforeBytes, afterBytes: v8.getHeapStatistics().used_heap_size, ms };
}
