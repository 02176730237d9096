/** Entry of an extra `-workers` thread: serves the same Corefile on the same ports (SO_REUSEPORT). */
import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { Server } from './core/server.js';
import { listenAsWorker, type HubMessage } from './core/thread-hub.js';
import { root } from './core/log.js';

const { conf, file, port } = workerData as { conf: string; file: string; port: number };
const readCorefile = async () => ({ text: await readFile(conf, 'utf8'), file });
const server = new Server({ defaultPort: port, readCorefile, reusePort: true });
const post = (m: HubMessage) => parentPort!.postMessage(m);

listenAsWorker((m) => {
  if (m.t === 'reload') {
    server.restart().catch((err: Error) => root.error(`worker reload failed: ${err.message}`));
  } else if (m.t === 'stop') {
    void server.stop().then(() => {
      post({ t: 'stopped' });
      process.exit(0);
    });
  }
});

try {
  const { text } = await readCorefile();
  await server.start(text, file);
  post({ t: 'started' });
} catch (err) {
  post({ t: 'failed', error: (err as Error).message });
}
