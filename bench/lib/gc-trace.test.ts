import { describe, expect, it } from 'vitest';
import { parseGcTrace } from './gc-trace.ts';

const TRACE = `[1:0x1]    15426 ms: Scavenge 160.0 (238.9) -> 108.6 (238.9) MB, pooled: 0 MB, 2.59 / 0.00 ms  (average mu = 0.981, current mu = 0.981) task;
some other output
[1:0x1]    15624 ms: Scavenge 160.5 (238.9) -> 108.5 (238.9) MB, pooled: 0 MB, 1.50 / 0.00 ms  (average mu = 0.981, current mu = 0.981) task;
[1:0x1]    15900 ms: Mark-Compact 130.0 (209.2) -> 65.4 (210.1) MB, pooled: 0 MB, 26.68 / 0.01 ms  (+ 37.5 ms in 69 steps since start of marking)
`;

describe('--trace-gc lines', () => {
  it('collects pauses by kind and the allocation between collections', () => {
    const s = parseGcTrace(TRACE);
    expect(s.scavenges).toEqual([2.59, 1.5]);
    expect(s.markCompacts).toEqual([26.68]);
    // (160.5 - 108.6) + (130.0 - 108.5)
    expect(s.allocatedMB).toBeCloseTo(51.9 + 21.5, 6);
  });

  it('gives nothing for output without GC lines', () => {
    expect(parseGcTrace('hello\n')).toEqual({ scavenges: [], markCompacts: [], allocatedMB: 0 });
  });
});
