import { describe, expect, it } from 'vitest';
import { CHUNK, KindStore, SLICE_MS } from './kind-store.js';
import type { SlimNamespace } from './objects.js';
import type { ClusterEvent } from './source.js';

const ns = (name: string, rv: string): SlimNamespace => ({ name, resourceVersion: rv, labels: {} });

function store() {
  const events: ClusterEvent[] = [];
  return { s: new KindStore('Namespace', (e) => events.push(e)), events };
}

describe('KindStore', () => {
  it('emits upserts only when the resourceVersion changes', () => {
    const { s, events } = store();
    expect(s.upsert(ns('a', '1'))).toBe(true);
    expect(s.upsert(ns('a', '1'))).toBe(false);
    expect(s.upsert(ns('a', '2'))).toBe(true);
    expect(events.map((e) => `${e.type} ${e.obj.name}@${e.obj.resourceVersion} old=${e.old?.resourceVersion ?? '-'}`)).toEqual([
      'upsert a@1 old=-',
      'upsert a@2 old=1',
    ]);
  });

  it('deletes by key, reporting the final state and the stored copy', () => {
    const { s, events } = store();
    s.upsert(ns('a', '1'));
    expect(s.delete('a', ns('a', '5'))).toBe(true);
    expect(s.delete('a')).toBe(false);
    expect(events[1]).toMatchObject({ type: 'delete', obj: { resourceVersion: '5' }, old: { resourceVersion: '1' } });
    expect(s.map.size).toBe(0);
  });

  it('replace() diffs: vanished objects deleted, changed and new upserted, same left alone', async () => {
    const { s, events } = store();
    for (const [n, rv] of [['keep', '1'], ['change', '1'], ['gone', '1']] as const) s.upsert(ns(n, rv));
    events.length = 0;
    const changes = await s.replace(new Map([['keep', ns('keep', '1')], ['change', ns('change', '2')], ['new', ns('new', '3')]]));
    expect(changes).toBe(3);
    expect(events.map((e) => `${e.type} ${e.obj.name}`).sort()).toEqual(['delete gone', 'upsert change', 'upsert new']);
    expect([...s.map.keys()].sort()).toEqual(['change', 'keep', 'new']);
  });

  it('replace() yields to the event loop between chunks', async () => {
    const { s } = store();
    const next = new Map(Array.from({ length: CHUNK * 4 }, (_, i) => [`n${i}`, ns(`n${i}`, '1')] as const));
    let sizeWhenOthersRan = -1;
    setImmediate(() => (sizeWhenOthersRan = s.map.size));
    await s.replace(next);
    expect(s.map.size).toBe(CHUNK * 4);
    // Other work ran while the replace was part-way through.
    expect(sizeWhenOthersRan).toBeGreaterThan(0);
    expect(sizeWhenOthersRan).toBeLessThan(CHUNK * 4);
  });

  it('replace() also yields by time: slow consumers do not stretch a slice past SLICE_MS', async () => {
    // Each event costs the consumer 1 ms (a busy DNS index); 60 of them must not run in one go.
    const s = new KindStore('Namespace', () => {
      const end = performance.now() + 1;
      while (performance.now() < end);
    });
    const next = new Map(Array.from({ length: 60 }, (_, i) => [`n${i}`, ns(`n${i}`, '1')] as const));
    let ticks = 0;
    let longest = 0;
    let last = performance.now();
    let running = true;
    const tick = (): void => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
      ticks++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    await s.replace(next);
    running = false;
    expect(s.map.size).toBe(60);
    expect(ticks).toBeGreaterThanOrEqual(60 / (SLICE_MS + 8) - 1);
    // A slice stops at the first clock check past SLICE_MS: at most 8 more events of 1 ms.
    expect(longest).toBeLessThan(SLICE_MS + 8 + 10);
  });
});
