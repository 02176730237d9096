/**
 * What threads of one process share: the primary's cluster sources (workers get views of them),
 * metrics (the primary's /metrics adds up every thread's), and reload/stop orders.
 */
import { isMainThread, parentPort, type Worker } from 'node:worker_threads';
import { RemoteSource, publish, type SourceMessage } from '../kube/remote-source.js';
import type { ClusterSource } from '../kube/source.js';
import { registry } from '../plugin/metrics.js';
import type { Resources } from './resources.js';

/** Messages between the primary and a worker thread. */
export type HubMessage =
  | { t: 'source'; m: SourceMessage }
  | { t: 'sub'; key: string }
  | { t: 'unsub'; key: string }
  | { t: 'metrics-req'; id: number }
  | { t: 'metrics'; id: number; json: unknown }
  | { t: 'reload' }
  | { t: 'stop' }
  | { t: 'started' }
  | { t: 'failed'; error: string }
  | { t: 'stopped' };

/** This thread's role. */
export const role: 'primary' | 'secondary' = isMainThread ? 'primary' : 'secondary';

const workers = new Set<Worker>();
const primarySources = new Map<string, ClusterSource>();
const waitingSubs = new Map<string, Set<Worker>>();
const subscriptions = new Map<string, () => void>(); // `${threadId}|${key}` -> unpublish
const remoteSources = new Map<string, RemoteSource>();
let metricsSeq = 0;
const metricsWaits = new Map<number, (json: unknown) => void>();

function subscribeWorker(w: Worker, key: string): void {
  const source = primarySources.get(key);
  if (!source) {
    const set = waitingSubs.get(key) ?? new Set();
    set.add(w);
    waitingSubs.set(key, set);
    return;
  }
  const id = `${w.threadId}|${key}`;
  subscriptions.get(id)?.();
  subscriptions.set(id, publish(key, source, (m) => w.postMessage({ t: 'source', m } satisfies HubMessage)));
}

/** Primary: registers a worker thread (routes its messages). */
export function addWorker(w: Worker, onMessage: (m: HubMessage) => void): void {
  workers.add(w);
  w.on('message', (m: HubMessage) => {
    if (m.t === 'sub') subscribeWorker(w, m.key);
    else if (m.t === 'unsub') {
      subscriptions.get(`${w.threadId}|${m.key}`)?.();
      subscriptions.delete(`${w.threadId}|${m.key}`);
    } else if (m.t === 'metrics') metricsWaits.get(m.id)?.(m.json);
    else onMessage(m);
  });
  w.on('exit', () => {
    workers.delete(w);
    for (const [id, off] of subscriptions) if (id.startsWith(`${w.threadId}|`)) { off(); subscriptions.delete(id); }
  });
}

/** Primary: sends a message to every worker. */
export function broadcast(m: HubMessage): void {
  for (const w of workers) w.postMessage(m);
}

/** The share-source capability of SetupContext, for this thread. */
export function shareSource(resources: Resources, key: string, create: () => ClusterSource): ClusterSource {
  if (role === 'primary') {
    const holder = resources.keep(`source:${key}`, () => {
      const source = create();
      primarySources.set(key, source);
      for (const w of waitingSubs.get(key) ?? []) subscribeWorker(w, key);
      waitingSubs.delete(key);
      return {
        source,
        close: async () => {
          primarySources.delete(key);
          await source.stop();
        },
      };
    });
    return holder.source;
  }
  const holder = resources.keep(`source:${key}`, () => {
    const source = new RemoteSource(key, () => parentPort!.postMessage({ t: 'sub', key } satisfies HubMessage), () => parentPort!.postMessage({ t: 'unsub', key } satisfies HubMessage));
    remoteSources.set(key, source);
    return { source, close: async () => { remoteSources.delete(key); await source.stop(); } };
  });
  return holder.source;
}

/** Worker: routes hub messages to remote sources and answers metrics requests; others go to `onMessage`. */
export function listenAsWorker(onMessage: (m: HubMessage) => void): void {
  parentPort!.on('message', (m: HubMessage) => {
    if (m.t === 'source') remoteSources.get(m.m.key)?.receive(m.m);
    else if (m.t === 'metrics-req') {
      void registry.getMetricsAsJSON().then((json) => parentPort!.postMessage({ t: 'metrics', id: m.id, json } satisfies HubMessage));
    } else onMessage(m);
  });
}

/** Primary: every worker's metrics as prom-client JSON (for aggregation); waits at most `ms`. */
export async function workerMetrics(ms = 2000): Promise<unknown[]> {
  const all = [...workers].map((w) => new Promise<unknown>((resolve) => {
    const id = ++metricsSeq;
    const t = setTimeout(() => { metricsWaits.delete(id); resolve(undefined); }, ms);
    metricsWaits.set(id, (json) => { clearTimeout(t); metricsWaits.delete(id); resolve(json); });
    w.postMessage({ t: 'metrics-req', id } satisfies HubMessage);
  }));
  return (await Promise.all(all)).filter((x) => x !== undefined);
}

/** Number of worker threads now. */
export function workerCount(): number {
  return workers.size;
}
