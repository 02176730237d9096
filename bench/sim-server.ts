/**
 * The API simulator loaded with a generated cluster, as its own process (so its CPU does not count
 * against clusterdns's): `node bench/sim-server.ts --services N [--port P] [--tls DIR]`. Prints one
 * JSON line `{"url", "objects", "loadMs"}` once every object is in; writes go through its HTTP API.
 * With `--tls DIR` it writes a fresh CA, serving and client certificate into DIR
 * (test/apiserver/test-certs.ts) and serves HTTPS, authenticating clients by a certificate from that
 * CA, as kube-apiserver with --client-ca-file; the JSON line then also has
 * `"tls": {"cert", "key", "ca"}`: the client certificate, its key and the CA, for `tls CERT KEY CACERT`.
 */
import { parseArgs } from 'node:util';
import { startApiServer } from '../test/apiserver/server.ts';
import { makeTestCerts } from '../test/apiserver/test-certs.ts';
import { clusterObjects } from './lib/cluster.ts';

const { values } = parseArgs({ options: { services: { type: 'string', default: '1000' }, port: { type: 'string', default: '0' }, tls: { type: 'string' } }, strict: true });
const services = Number(values.services);
const port = Number(values.port);
if (!Number.isInteger(services) || services < 0 || services > 1_000_000) {
  process.stderr.write(`sim-server: --services must be an integer in 0..1000000, got "${values.services}"\n`);
  process.exit(2);
}
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`sim-server: --port must be 0..65535, got "${values.port}"\n`);
  process.exit(2);
}

if (values.tls === '') {
  process.stderr.write('sim-server: --tls needs a directory\n');
  process.exit(2);
}

const certs = values.tls === undefined ? undefined : await makeTestCerts(values.tls);
const started = performance.now();
// Bookmarks once a minute as a real server; history large enough for the churn scenarios.
const sim = await startApiServer({
  port,
  bootstrap: true,
  bookmarkIntervalMs: 60_000,
  historyLimit: 20_000,
  ...(certs && { tls: { key: certs.server.key, cert: certs.server.cert, ca: certs.ca.cert } }),
});
let objects = 0;
for (const obj of clusterObjects(services)) {
  sim.apply(obj);
  objects++;
}
const tls = certs && { cert: certs.client.certFile, key: certs.client.keyFile, ca: certs.ca.certFile };
const stop = (): void => void sim.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
process.stdout.write(`${JSON.stringify({ url: sim.url, objects, loadMs: Math.round(performance.now() - started), ...(tls && { tls }) })}\n`);
