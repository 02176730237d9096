import { describe, expect, it } from 'vitest';
import { collectGarbage } from './heap.js';

describe('collectGarbage', () => {
  it('runs a full collection that frees what nothing references any more', () => {
    let junk: Array<{ n: number; s: string }> | undefined = [];
    for (let i = 0; i < 300_000; i++) junk.push({ n: i, s: `name-${i}` });
    expect(junk.length).toBe(300_000);
    junk = undefined;
    const c = collectGarbage();
    expect(c).toBeDefined();
    // ~300k objects and strings, well over 10 MB, were garbage: a full collection frees them.
    expect(c!.beforeBytes - c!.afterBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(c!.ms).toBeGreaterThanOrEqual(0);
  });

  it('keeps what is still referenced', () => {
    const kept: string[] = [];
    for (let i = 0; i < 200_000; i++) kept.push(`kept-${i}-${'x'.repeat(40)}`);
    const c = collectGarbage();
    // The kept strings (~60 bytes each, ~12 MB) are still in the heap after the collection.
    expect(c!.afterBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(kept[199_999]).toBe(`kept-199999-${'x'.repeat(40)}`);
  });
});
