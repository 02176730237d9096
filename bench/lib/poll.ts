/** Waiting for a name to answer: how long a change takes to reach DNS. */
import { Asker, head } from './wire.ts';

/**
 * Asks `name`/`type` back to back until the reply is NOERROR with an answer (and passes `ok`, if
 * given); resolves with performance.now() at that reply, or NaN after `limitMs`.
 */
export async function pollUntilAnswered(asker: Asker, name: string, type: number, limitMs: number, ok?: (reply: Buffer) => boolean): Promise<number> {
  const end = performance.now() + limitMs;
  while (performance.now() < end) {
    const r = await asker.ask(name, type, 200);
    if (r) {
      const h = head(r);
      if (h.rcode === 0 && h.answers > 0 && (!ok || ok(r))) return performance.now();
    }
  }
  return NaN;
}

/** Sorted copy without NaN, and how many were NaN. */
export function sortedTimes(values: readonly number[]): { sorted: Float64Array; failed: number } {
  const ok = values.filter((v) => Number.isFinite(v));
  return { sorted: Float64Array.from(ok).sort(), failed: values.length - ok.length };
}
