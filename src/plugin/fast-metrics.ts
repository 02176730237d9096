/**
 * Counter and histogram vectors for the per-query path. A prom-client child costs ~370 ns per
 * `inc`/`observe` (it hashes and validates the labels every call); these keep one plain object per
 * label set, so a recorded query costs a few field writes. They plug into the shared prom-client
 * registry through its duck-typed metric interface (`get`, `reset`, `name`, `type`).
 */
import type client from 'prom-client';
import { registry } from './metrics.js';

/** One label set of a counter. */
export interface CounterChild {
  value: number;
}

/** One label set of a histogram; `buckets[i]` counts observations <= bound i (not cumulative). */
export interface HistogramChild {
  readonly buckets: Float64Array;
  sum: number;
  count: number;
}

type Labels = Record<string, string>;
type Value = { value: number; labels: Labels; metricName?: string };

/** Labels in name order, as the Go client prints them. */
function sortedLabels(names: readonly string[], values: readonly string[]): Labels {
  const pairs = names.map((n, i) => [n, values[i] ?? ''] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return Object.fromEntries(pairs);
}

abstract class FastVec<C> {
  protected readonly series = new Map<string, { labels: Labels; child: C }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}

  /** The child for these label values (in `labelNames` order); cache it, lookups join strings. */
  child(...values: string[]): C {
    if (values.length !== this.labelNames.length) throw new Error(`${this.name}: want ${this.labelNames.length} label values`);
    const key = values.join('\u0000');
    let s = this.series.get(key);
    if (!s) {
      s = { labels: sortedLabels(this.labelNames, values), child: this.fresh() };
      this.series.set(key, s);
    }
    return s.child;
  }

  /** Forgets every label set (children handed out earlier stop being exported). */
  clear(): void {
    this.series.clear();
  }

  protected abstract fresh(): C;
}

/** A counter vector; `child(...).value++` counts. */
export class FastCounter extends FastVec<CounterChild> {
  readonly type = 'counter';
  readonly aggregator = 'sum';

  protected fresh(): CounterChild {
    return { value: 0 };
  }

  /** prom-client's metric interface: the current values. */
  get(): { name: string; help: string; type: string; aggregator: string; values: Value[] } {
    const values = [...this.series.values()].map((s) => ({ value: s.child.value, labels: s.labels }));
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** prom-client's metric interface: zero every series, keeping children valid. */
  reset(): void {
    for (const s of this.series.values()) s.child.value = 0;
  }
}

/** A histogram vector with fixed upper bounds. */
export class FastHistogram extends FastVec<HistogramChild> {
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  constructor(name: string, help: string, labelNames: readonly string[], readonly bounds: readonly number[]) {
    super(name, help, labelNames);
  }

  protected fresh(): HistogramChild {
    return { buckets: new Float64Array(this.bounds.length), sum: 0, count: 0 };
  }

  /** Records `v` in `child`. */
  observe(child: HistogramChild, v: number): void {
    const b = this.bounds;
    for (let i = 0; i < b.length; i++) {
      if (v <= b[i]!) {
        child.buckets[i]!++;
        break;
      }
    }
    child.sum += v;
    child.count++;
  }

  /** prom-client's metric interface: `_bucket` (cumulative, `le` last), `_sum`, `_count`. */
  get(): { name: string; help: string; type: string; aggregator: string; values: Value[] } {
    const values: Value[] = [];
    for (const { labels, child } of this.series.values()) {
      let acc = 0;
      this.bounds.forEach((bound, i) => {
        acc += child.buckets[i]!;
        values.push({ value: acc, labels: { ...labels, le: String(bound) }, metricName: `${this.name}_bucket` });
      });
      values.push({ value: child.count, labels: { ...labels, le: '+Inf' }, metricName: `${this.name}_bucket` });
      values.push({ value: child.sum, labels, metricName: `${this.name}_sum` });
      values.push({ value: child.count, labels, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** prom-client's metric interface: zero every series, keeping children valid. */
  reset(): void {
    for (const s of this.series.values()) {
      s.child.buckets.fill(0);
      s.child.sum = 0;
      s.child.count = 0;
    }
  }
}

/** Registers `metric` in the shared registry, or returns the one already registered under its name. */
export function register<M extends FastCounter | FastHistogram>(metric: M): M {
  const got = registry.getSingleMetric(metric.name) as unknown;
  if (got) {
    if (got instanceof metric.constructor) return got as M;
    throw new Error(`metric ${metric.name} is already registered with another type`);
  }
  registry.registerMetric(metric as unknown as client.Metric);
  return metric;
}
