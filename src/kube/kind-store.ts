/**
 * The objects of one kind, keyed `namespace/name` (`name` for namespaces), and the events that
 * changing them produces. An event is emitted only when the object changed: a different
 * resourceVersion (the API bumps it on every write, so this is exact and cheap).
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { keyOf } from './convert.js';
import type { Kind, KindMap } from './objects.js';
import type { ClusterEvent } from './source.js';

/** How many objects a bulk replace handles at most before yielding to the event loop (keeps queries flowing). */
export const CHUNK = 500;
/**
 * ...and how long (ms) it may run before yielding. The events it emits are handled synchronously by
 * consumers (the DNS side indexes every Service), so a count alone does not bound a slice: with
 * 50k Services, 500 events took 15-95 ms. The clock is read every few objects.
 */
export const SLICE_MS = 5;
const CLOCK_EVERY = 8;

/** One kind's objects plus change events. */
export class KindStore<K extends Kind> {
  /** The live map (read-only for others). */
  readonly map = new Map<string, KindMap[K]>();

  constructor(
    readonly kind: K,
    private readonly emit: (ev: ClusterEvent) => void,
  ) {}

  /** Stores `obj` (under `key`, its keyOf); emits an upsert unless it is the same version. Returns true when it changed. */
  upsert(obj: KindMap[K], key = keyOf(obj)): boolean {
    const old = this.map.get(key);
    if (old && old.resourceVersion === obj.resourceVersion) return false;
    this.map.set(key, obj);
    this.emit({ kind: this.kind, type: 'upsert', obj, key, ...(old ? { old } : {}) } as ClusterEvent);
    return true;
  }

  /**
   * Removes the object under `key`; emits a delete when it was there. `final` is the object's last
   * state when known (a watch DELETED event), else the stored copy is reported.
   */
  delete(key: string, final?: KindMap[K]): boolean {
    const old = this.map.get(key);
    if (!old) return false;
    this.map.delete(key);
    this.emit({ kind: this.kind, type: 'delete', obj: final ?? old, old, key } as ClusterEvent);
    return true;
  }

  /**
   * Makes the store equal to `next` (a relist, a re-read manifest): deletes what vanished, upserts
   * what is new or changed, in slices (CHUNK objects or SLICE_MS) with a yield between them. Stops early when `signal` aborts.
   * Returns the number of changes.
   */
  async replace(next: Map<string, KindMap[K]>, signal?: AbortSignal): Promise<number> {
    let changes = 0;
    let n = 0;
    let sliceStart = performance.now();
    const pause = async (): Promise<void> => {
      n = 0;
      await yieldToLoop();
      sliceStart = performance.now();
    };
    const due = (): boolean => ++n >= CHUNK || (n % CLOCK_EVERY === 0 && performance.now() - sliceStart >= SLICE_MS);
    const gone = [...this.map.keys()].filter((key) => !next.has(key));
    for (const key of gone) {
      if (due()) await pause();
      if (signal?.aborted) return changes;
      if (this.delete(key)) changes++;
    }
    for (const [key, obj] of next) {
      if (due()) await pause();
      if (signal?.aborted) return changes;
      if (this.upsert(obj, key)) changes++;
    }
    return changes;
  }
}
