import client from 'prom-client';
import { describe, expect, it } from 'vitest';
import { aggregate, collectDefaultMetrics, Counter, Registry, SKIPPED_DEFAULT_METRICS } from './prom-client.js';

describe('prom-client loaded part by part', () => {
  it('has the same default metrics as prom-client.collectDefaultMetrics, with the same types and help, but the GC histogram', async () => {
    const ours = new Registry();
    collectDefaultMetrics(ours);
    const theirs = new client.Registry();
    client.collectDefaultMetrics({ register: theirs });
    const shape = async (r: client.Registry) => (await r.getMetricsAsJSON()).map((m) => `${m.name} ${m.type} ${m.help}`).sort();
    const skipped = (line: string) => SKIPPED_DEFAULT_METRICS.includes(line.split(' ')[0]!);
    expect(SKIPPED_DEFAULT_METRICS).toEqual(['nodejs_gc_duration_seconds']);
    expect((await shape(theirs)).filter(skipped)).toHaveLength(1);
    expect(await shape(ours)).toEqual((await shape(theirs)).filter((l) => !skipped(l)));
  });

  it('counts process CPU time: user + system = total, and it grows with work', async () => {
    const r = new Registry();
    collectDefaultMetrics(r);
    const read = async () => {
      const json = await r.getMetricsAsJSON();
      const v = (name: string) => json.find((m) => m.name === name)!.values[0]!.value;
      return { user: v('process_cpu_user_seconds_total'), system: v('process_cpu_system_seconds_total'), total: v('process_cpu_seconds_total') };
    };
    const a = await read();
    const end = performance.now() + 30;
    while (performance.now() < end); // burn ~30 ms of CPU
    const b = await read();
    expect(b.total).toBeCloseTo(b.user + b.system, 9);
    expect(b.total - a.total).toBeGreaterThan(0.015);
  });

  it('aggregates worker registries as prom-client does', async () => {
    const regs = [new Registry(), new Registry()];
    regs.forEach((r, i) => new Counter({ name: 'x_total', help: 'x', registers: [r] }).inc(i + 1));
    const merged = aggregate(await Promise.all(regs.map((r) => r.getMetricsAsJSON())));
    expect(await merged.metrics()).toContain('x_total 3');
  });
});
