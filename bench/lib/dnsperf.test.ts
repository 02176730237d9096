import { describe, expect, it } from 'vitest';
import { parseDnsperf, percentile, perQueryLatencies } from './dnsperf.ts';

const SUMMARY = `[Status] Testing complete (time limit)

Statistics:

  Queries sent:         1000
  Queries completed:    990 (99.00%)
  Queries lost:         10 (1.00%)

  Response codes:       NOERROR 892 (90.10%), NXDOMAIN 98 (9.90%)
  Average packet size:  request 51, response 79
  Run time (s):         1.000217
  Queries per second:   989.783047

  Average Latency (s):  0.000126 (min 0.000033, max 0.004492)
  Latency StdDev (s):   0.000287
`;

describe('dnsperf output', () => {
  it('reads the summary', () => {
    const r = parseDnsperf(SUMMARY, 'cmd');
    expect(r).toMatchObject({ sent: 1000, completed: 990, lost: 10, qps: 989.783047, rcodes: { NOERROR: 892, NXDOMAIN: 98 }, command: 'cmd' });
    expect(r.avgLatencyMs).toBeCloseTo(0.126, 6);
    expect(r.maxLatencyMs).toBeCloseTo(4.492, 6);
  });

  it('throws on output without a summary (dnsperf failed)', () => {
    expect(() => parseDnsperf('Error: could not open datafile\n')).toThrow(/Queries sent/);
  });

  it('takes per-query latencies from -v lines only, sorted, in ms', () => {
    const v = `> NOERROR a.b A 0.000250\n[Timeout] Query timed out: msg id 3\n> NXDOMAIN c.d A 0.000100\n> NOERROR _x._tcp.e SRV 0.001000\n`;
    expect([...perQueryLatencies(v)]).toEqual([0.1, 0.25, 1]);
  });

  it('computes nearest-rank percentiles', () => {
    const xs = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile(Float64Array.of(), 99)).toBeNaN();
  });
});
