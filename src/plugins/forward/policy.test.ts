import { describe, expect, it } from 'vitest';
import { policyByName, randomPolicy, roundRobinPolicy, sequentialPolicy } from './policy.js';

describe('policies', () => {
  it('sequential keeps the order', () => {
    const p = sequentialPolicy();
    expect([p.list([1, 2, 3]), p.list([1, 2, 3])]).toEqual([[1, 2, 3], [1, 2, 3]]);
  });

  it('round_robin rotates the first pick as CoreDNS (starting at the second)', () => {
    const p = roundRobinPolicy();
    expect([p.list([1, 2, 3]), p.list([1, 2, 3]), p.list([1, 2, 3]), p.list([1, 2, 3])]).toEqual([
      [2, 1, 3], [3, 1, 2], [1, 2, 3], [2, 1, 3],
    ]);
  });

  it('random is a permutation and every upstream gets to go first', () => {
    const p = randomPolicy();
    const firsts = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const l = p.list([1, 2, 3]);
      expect([...l].sort()).toEqual([1, 2, 3]);
      firsts.add(l[0]!);
    }
    expect(firsts.size).toBe(3);
  });

  it('knows the three names only', () => {
    expect(['random', 'round_robin', 'sequential'].map((n) => policyByName(n)?.name)).toEqual(['random', 'round_robin', 'sequential']);
    expect(policyByName('least_conn')).toBeUndefined();
  });
});
