/**
 * Standalone simulator for benchmarks and manual use:
 *   node test/apiserver/main.ts --port 8001 --file cluster.yaml [--file more.yaml] [--token T]
 *        [--history 10000] [--bookmark-ms 1000] [--ignore-unknown-kinds]
 *        [--no-bootstrap]   (by default the system namespaces and the `kubernetes` service exist)
 *        [--tls-cert server.crt --tls-key server.key [--client-ca ca.crt]]   (HTTPS; client certificates)
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
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'client-ca': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    fail((err as Error).message);
  }
  if (args.help) {
    process.stdout.write('usage: node test/apiserver/main.ts [--port 8001] [--host 127.0.0.1] [--file cluster.yaml ...] [--token T] [--history N] [--bookmark-ms N] [--ignore-unknown-kinds] [--no-bootstrap] [--tls-cert FILE --tls-key FILE [--client-ca FILE]]\n');
    return;
  }
  if ((args['tls-cert'] === undefined) !== (args['tls-key'] === undefined)) fail('--tls-cert and --tls-key go together');
  if (args['client-ca'] !== undefined && args['tls-cert'] === undefined) fail('--client-ca needs --tls-cert and --tls-key');
  const read = (flag: string, file: string | undefined): string | undefined => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      fail(`--${flag} ${file}: ${(err as Error).message}`);
    }
  };
  const cert = read('tls-cert', args['tls-cert']);
  const key = read('tls-key', args['tls-key']);
  const ca = read('client-ca', args['client-ca']);
  const sim = await startApiServer({
    port: int('port', args.port, 8001),
    host: args.host,
    token: args.token,
    historyLimit: int('history', args.history, undefined),
    bookmarkIntervalMs: int('bookmark-ms', args['bookmark-ms'], undefined),
    bootstrap: !args['no-bootstrap'],
    ...(cert !== undefined && key !== undefined && { tls: { cert, key, ...(ca !== undefined && { ca }) } }),
  }).catch((err: Error) => fail(`cannot listen: ${err.message}`));
  for (const file of args.file ?? []) {
    try {
      sim.load(readFileSync(file, 'utf8'), { ignoreUnknownKinds: args['ignore-unknown-kinds'] });
    } catch (err) {
      await sim.close();
      fail(`${file}: ${(err as Error).message}`);
    }
  }
  const stop = (): void => void sim.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stdout.write(`apiserver simulator listening on ${sim.url} (resourceVersion ${sim.resourceVersion})\n`);
}

void main();
