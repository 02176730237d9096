/** `-workers N`: N-1 extra threads serving the same ports with SO_REUSEPORT, led by the main thread. */
import { Worker } from 'node:worker_threads';
import { addWorker, broadcast, workerCount, workerMetrics, type HubMessage } from './thread-hub.js';
import { setOtherThreadsMetrics } from '../plugin/metrics.js';
import { root } from './log.js';

/** Starts `n` worker threads on the Corefile at `conf`; resolves once all serve (rejects if one fails). */
export async function startWorkers(n: number, conf: string, file: string, port: number): Promise<void> {
  setOtherThreadsMetrics(() => (workerCount() > 0 ? workerMetrics() : Promise.resolve([])));
  const url = new URL('../worker.js', import.meta.url);
  await Promise.all(Array.from({ length: n }, () => new Promise<void>((resolve, reject) => {
    const w = new Worker(url, { workerData: { conf, file, port } });
    addWorker(w, (m: HubMessage) => {
      if (m.t === 'started') resolve();
      else if (m.t === 'failed') reject(new Error(m.error));
    });
    w.on('error', (err) => {
      root.error(`worker thread ${w.threadId} crashed: ${err.message}`);
      reject(err);
    });
  })));
}

/** Asks every worker to reload its Corefile (after the primary reloaded). */
export function reloadWorkers(): void {
  broadcast({ t: 'reload' });
}

/** Stops every worker: they close their sockets and exit. */
export async function stopWorkers(ms = 5000): Promise<void> {
  if (workerCount() === 0) return;
  broadcast({ t: 'stop' });
  const end = Date.now() + ms;
  while (workerCount() > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}
