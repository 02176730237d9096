import { describe, expect, it } from 'vitest';
import { cgroupCpus, defaultWorkers, MAX_DEFAULT_WORKERS } from './cpus.js';

describe('cgroupCpus (cgroup v2 cpu.max)', () => {
  it.each([
    ['max 100000', undefined],
    ['200000 100000', 2],
    ['150000 100000', 2],
    ['50000 100000', 1],
    ['garbage', undefined],
    ['', undefined],
  ])('%j -> %s', (text, want) => {
    expect(cgroupCpus(text)).toBe(want);
  });
  it('defaultWorkers is between 1 and the cap', () => {
    const n = defaultWorkers();
    expect(n).toBeGreaterThanOrEqual(1);
    expect(n).toBeLessThanOrEqual(MAX_DEFAULT_WORKERS);
  });
});
