/**
 * Standalone simulator for benchmarks and manual use:
 *   node test/apiserver/main.ts --port 8001 --file cluster.yaml [--file more.yaml] [--token T]
 *        [--history 10000] [--bookmark-ms 1000] [--ignore-unknown-kinds]
 *        [--no-bootstrap]   (by default the system namespaces and the `kubernetes` service exist)
 * Prints the URL, serves until SIGINT/SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startApiServer } from './server.ts';

function fail(msg: string): never {
  process.stderr.write(`apiserver: ${msg}\n`);
  process.exit(2);
}

function int(name: string, v: string | undefined, dflt: number | undefined): number | undefined {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v)) fail(`--${name} must be a non-negative integer, got "${v}"`);
  return Number(v);
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        port: { type: 'string', default: '8001' },
        host: { type: 'string', default: '127.0.0.1' },
        file: { type: 'string', multiple: true, default: [] },
        token: { type: 'string' },
        history: { type: 'string' },
        'bookmark-ms': { type: 'string' },
        'ignore-unknown-kinds': { type: 'boolean', default: false },
        'no-bootstrap': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    fail((err as Error).message);
  }
  if (args.help) {
    process.stdout.write('usage: node test/apiserver/main.ts [--port 8001] [--host 127.0.0.1] [--file cluster.yaml ...] [--token T] [--history N] [--bookmark-ms N] [--ignore-unknown-kinds] [--no-bootstrap]\n');
    return;
  }
  const sim = await startApiServer({
    port: int('port', args.port, 8001),
    host: args.host,
    token: args.token,
    historyLimit: int('history', args.history, undefined),
    bookmarkIntervalMs: int('bookmark-ms', args['bookmark-ms'], undefined),
    bootstrap: !args['no-bootstrap'],
  }).catch((err: Error) => fail(`cannot listen: ${err.message}`));
  for (const file of args.file ?? []) {
    try {
      sim.load(readFileSync(file, 'utf8'), { ignoreUnknownKinds: args['ignore-unknown-kinds'] });
    } catch (err) {
      await sim.close();
      fail(`${file}: ${(err as Error).message}`);
    }
  }
  process.stdout.write(`apiserver simulator listening on ${sim.url} (resourceVersion ${sim.resourceVersion})\n`);
  const stop = (): void => void sim.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
