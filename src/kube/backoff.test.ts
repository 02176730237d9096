import { describe, expect, it } from 'vitest';
import { Backoff, sleep } from './backoff.js';

describe('Backoff', () => {
  it('doubles from the initial delay up to the cap', () => {
    const b = new Backoff({ initialMs: 250, maxMs: 30_000, random: () => 0.999999 });
    const delays = Array.from({ length: 10 }, (_, i) => b.next(1000 + i));
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('jitters each delay into [d/2, d]', () => {
    const low = new Backoff({ initialMs: 1000, random: () => 0 });
    expect([low.next(1), low.next(2), low.next(3)]).toEqual([500, 1000, 2000]);
    const real = new Backoff({ initialMs: 1000 });
    for (let i = 0; i < 50; i++) {
      const d = real.next(1);
      expect(d).toBeGreaterThanOrEqual(500);
      real.reset();
    }
  });

  it('starts over after a quiet period or reset()', () => {
    const b = new Backoff({ initialMs: 100, resetAfterMs: 10_000, random: () => 0.999999 });
    expect([b.next(0 + 1), b.next(2), b.next(3)]).toEqual([100, 200, 400]);
    expect(b.next(20_000)).toBe(100);
    b.next(20_001);
    b.reset();
    expect(b.next(20_002)).toBe(100);
    expect(b.failures).toBe(1);
  });
});

describe('sleep', () => {
  it('ends early when aborted', async () => {
    const ctl = new AbortController();
    const t = Date.now();
    setTimeout(() => ctl.abort(), 20);
    await sleep(10_000, ctl.signal);
    expect(Date.now() - t).toBeLessThan(2000);
  });
});
