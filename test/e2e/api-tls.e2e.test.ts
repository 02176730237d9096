/**
 * The API over HTTPS, as a real kube-apiserver serves it: the CLI (dist/cli.js) with
 * `endpoint https://...` + `tls CERT KEY CACERT` (client certificate, CA verified), and the
 * in-cluster connection (service account token, cluster CA) driving the product's ApiSource.
 * Failures (a CA that did not sign the server's certificate, a client certificate or token the
 * server rejects) must be logged with their reason and never stop the server.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Rcode } from '../../src/dns/constants.js';
import { ApiSource } from '../../src/kube/api-source.js';
import { inClusterConnection } from '../../src/kube/config.js';
import { captureLog, waitFor } from '../../src/kube/testing.js';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../apiserver/server.js';
import { usePkis } from '../apiserver/test-pkis.js';
import { startCli } from '../helpers/cli.js';
import { dig } from '../helpers/dig.js';
import { httpGet } from '../helpers/metrics.js';
import { useApiHarness } from '../helpers/api-harness.js';
import { defaultService, WEB_CLUSTER } from '../helpers/web-cluster.js';

const ZONE = 'cluster.local';
const service = defaultService;

/** The cluster's PKI, and an unrelated one (its CA did not sign the simulator's certificate). */
const pkis = usePkis();

/** The simulator as kube-apiserver is usually run: HTTPS, client certificates from the cluster CA accepted. */
function tlsSimOptions(o: ApiServerOptions = {}): ApiServerOptions {
  return { tls: { key: pkis.pki.server.key, cert: pkis.pki.server.cert, ca: pkis.pki.ca.cert }, bookmarkIntervalMs: 200, ...o };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('endpoint https:// with tls CERT KEY CACERT (the CLI)', () => {
  const { boot: bootHarness, ask, addressOf, until, current } = useApiHarness();

  /** The simulator serving HTTPS and the CLI with `tls client.crt client.key ca.crt` (default: the cluster's PKI; relative paths, read from the CLI's folder). */
  function boot(o: { files?: { cert: string; key: string; ca: string }; synced?: boolean } = {}) {
    const f = o.files ?? { cert: pkis.pki.client.cert, key: pkis.pki.client.key, ca: pkis.pki.ca.cert };
    return bootHarness({
      sim: tlsSimOptions(),
      connection: (sim) => ({ line: `endpoint ${sim.url}\n    tls client.crt client.key ca.crt`, files: { 'client.crt': f.cert, 'client.key': f.key, 'ca.crt': f.ca } }),
      startupTimeout: o.synced === false ? '1s' : '5s',
      synced: o.synced,
    });
  }
  const lines = (re: RegExp) => current()!.srv.output().split('\n').filter((l) => re.test(l));

  it('lists and watches over TLS with the client certificate: answers, and a Service created later is answered', async () => {
    const h = await boot();
    expect(h.sim.url).toMatch(/^https:\/\//);
    const reply = await dig(h.srv.port, `web.default.svc.${ZONE}`, 'A');
    expect(reply.status).toBe('NOERROR');
    expect(reply.answer).toEqual([`web.default.svc.${ZONE}. 5 IN A 10.96.0.50`]);
    h.sim.apply(service('later', '10.96.0.60'));
    await until(async () => (await addressOf('later')) === '10.96.0.60', 10_000, 'the Service created after the sync');
    expect((await dig(h.srv.port, `later.default.svc.${ZONE}`, 'A')).answer).toEqual([`later.default.svc.${ZONE}. 5 IN A 10.96.0.60`]);
    // It came by the watch, not by a relist.
    expect(h.sim.stats.lists).toBe(3);
    expect(await httpGet(h.readyUrl)).toEqual({ status: 200, body: 'OK' });
    // Every request authenticated with the client certificate (the simulator sends no token).
    const reqs = h.sim.stats.requests;
    expect(reqs.filter((r) => r.query.watch === 'true').length).toBeGreaterThanOrEqual(3);
    expect(reqs.filter((r) => r.auth !== 'certificate' || r.status !== 200)).toEqual([]);
    expect(lines(/\[WARNING\]|\[ERROR\]/)).toEqual([]);
  });

  it('a CA that did not sign the server certificate: the TLS error is logged and retried; not ready, SERVFAIL, still running; the right CA (re-read from disk) recovers', async () => {
    const h = await boot({ files: { cert: pkis.pki.client.cert, key: pkis.pki.client.key, ca: pkis.other.ca.cert }, synced: false });
    await h.srv.waitFor(/\[WARNING\] plugin\/kubernetes: starting server with unsynced Kubernetes API/);
    await until(() => lines(/list of \*v1\.Service failed: .*; retrying in \d+ ms/).length >= 2, 10_000, 'two failed lists');
    // The reason names the certificate problem (Node's verify error code and message).
    expect(lines(/\[WARNING\] plugin\/kubernetes: list of \*v1\.Service failed: UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate.*; retrying in \d+ ms/).length).toBeGreaterThanOrEqual(2);
    // ...without Node's hint to use the system's CAs: the CA here is the `tls` option's file.
    expect(lines(/use-system-ca/)).toEqual([]);
    // Nothing got past the handshake.
    expect(h.sim.stats.requests).toEqual([]);
    expect((await ask('web')).rcode).toBe(Rcode.SERVFAIL);
    expect(await httpGet(h.readyUrl)).toEqual({ status: 503, body: 'kubernetes' });
    expect(h.srv.proc.exitCode).toBeNull();

    writeFileSync(join(h.srv.dir, 'ca.crt'), pkis.pki.ca.cert);
    await until(async () => (await addressOf('web')) === '10.96.0.50', 15_000, 'an answer once the CA file is right');
    await until(async () => (await httpGet(h.readyUrl)).status === 200, 15_000, 'ready');
    expect(h.srv.proc.exitCode).toBeNull();
  });

  it('the CA file replaced under a running server: watches fail on TLS, logged; what it knew keeps being served; restored, changes arrive again', async () => {
    const h = await boot();
    await sleep(300); // bookmarks bring the reflectors to the current revision
    writeFileSync(join(h.srv.dir, 'ca.crt'), pkis.other.ca.cert);
    const mark = h.sim.stats.requests.length;
    h.sim.faults.dropWatches('reset');
    h.sim.apply(service('unseen', '10.96.0.61'));
    await until(() => lines(/\[WARNING\] plugin\/kubernetes: watch of \*v1\.Service failed: UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate.*; retrying in \d+ ms/).length >= 1, 10_000, 'the TLS failure of the re-watch');
    expect(await addressOf('web')).toBe('10.96.0.50');
    expect((await ask('unseen')).rcode).toBe(Rcode.NXDOMAIN);
    // No request reached the API since the swap (a pooled connection to it would have bypassed the CA).
    expect(h.sim.stats.requests.slice(mark)).toEqual([]);
    expect(h.srv.proc.exitCode).toBeNull();

    writeFileSync(join(h.srv.dir, 'ca.crt'), pkis.pki.ca.cert);
    await until(async () => (await addressOf('unseen')) === '10.96.0.61', 15_000, 'the change once the CA file is right again');
  });

  it('a client certificate the server does not accept (another CA): 401 Unauthorized logged and retried; not ready; still running', async () => {
    const h = await boot({ files: { cert: pkis.other.client.cert, key: pkis.other.client.key, ca: pkis.pki.ca.cert }, synced: false });
    await until(() => lines(/\[WARNING\] plugin\/kubernetes: list of \*v1\.Service failed: 401 Unauthorized; retrying in \d+ ms/).length >= 2, 10_000, 'two 401s');
    expect(h.sim.stats.requests.length).toBeGreaterThan(0);
    expect(h.sim.stats.requests.filter((r) => r.status !== 401)).toEqual([]);
    expect((await ask('web')).rcode).toBe(Rcode.SERVFAIL);
    expect(await httpGet(h.readyUrl)).toEqual({ status: 503, body: 'kubernetes' });
    expect(h.srv.proc.exitCode).toBeNull();
  });

  it('a client key that is not the certificate\'s, or a CA file with no certificate: the CLI refuses the Corefile at its line, as CoreDNS fails to create the client', async () => {
    const corefile = `${ZONE}:{port} {
  kubernetes ${ZONE} {
    endpoint https://127.0.0.1:1
    tls client.crt client.key ca.crt
  }
}
`;
    for (const [files, reason] of [
      [{ 'client.crt': pkis.pki.client.cert, 'client.key': pkis.other.client.key, 'ca.crt': pkis.pki.ca.cert }, /tls: client certificate client\.crt and key client\.key: .*key values mismatch/],
      [{ 'client.crt': pkis.pki.client.cert, 'client.key': pkis.pki.client.key, 'ca.crt': 'not PEM' }, /tls: CA certificate ca\.crt: no PEM certificate in it/],
    ] as const) {
      const srv = await startCli(corefile, { files, wait: false });
      const code = await new Promise((r) => (srv.proc.exitCode !== null ? r(srv.proc.exitCode) : srv.proc.once('exit', r)));
      expect(code, srv.output()).toBe(1);
      expect(srv.output()).toMatch(/Corefile:2 - Error during parsing: /);
      expect(srv.output()).toMatch(reason);
    }
  });
});

describe('in-cluster connection over TLS (service account token, cluster CA)', () => {
  let sim: ApiServer | undefined;
  let src: ApiSource | undefined;
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'clusterdns-sa-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    await src?.stop();
    src = undefined;
    await sim?.close();
    sim = undefined;
  });
  /** The simulator (HTTPS, client CA and token, as kube-apiserver) and an ApiSource on inClusterConnection. */
  async function start(token: string, caFile: string) {
    sim = await startApiServer(tlsSimOptions({ token: 'sa-token' }));
    sim.load(WEB_CLUSTER);
    const tokenFile = join(dir, `token-${Math.random().toString(36).slice(2)}`);
    writeFileSync(tokenFile, `${token}\n`);
    const connection = inClusterConnection({ host: '127.0.0.1', port: new URL(sim.url).port, tokenFile, caFile });
    const log = captureLog();
    src = new ApiSource({ connection, pods: false, endpoints: true, log: log.logger, backoff: { initialMs: 50, maxMs: 200 } });
    src.start();
    return { sim, src, log, tokenFile, connection };
  }

  it('sends the bearer token and verifies the cluster CA: lists and watches', async () => {
    const { sim, src, connection } = await start('sa-token', pkis.pki.ca.certFile);
    expect(connection.server).toBe(sim.url);
    await src.whenSynced();
    expect(src.snapshot().services.get('default/web')).toMatchObject({ clusterIPs: '10.96.0.50' });
    await waitFor(() => sim.stats.openWatches === 3, 'three open watches');
    sim.apply(service('later', '10.96.0.60'));
    await waitFor(() => src.snapshot().services.has('default/later'), 'the watched Service');
    expect(src.snapshot().services.get('default/later')).toMatchObject({ clusterIPs: '10.96.0.60' });
    expect(sim.stats.lists).toBe(3);
    // No client certificate here: the token is what authenticated every request.
    expect(sim.stats.requests.filter((r) => r.auth !== 'token' || r.status !== 200)).toEqual([]);
  });

  it('a wrong token: 401 Unauthorized logged and retried, not synced; the rotated token file is then used', async () => {
    const { sim, src, log, tokenFile } = await start('stale-token', pkis.pki.ca.certFile);
    await waitFor(() => log.matching(/^WARNING list of \*v1\.Service failed: 401 Unauthorized; retrying in \d+ ms$/).length >= 2, 'two 401s');
    expect(src.synced).toBe(false);
    expect(sim.stats.requests.length).toBeGreaterThan(0);
    expect(sim.stats.requests.filter((r) => r.status !== 401)).toEqual([]);
    writeFileSync(tokenFile, 'sa-token\n');
    await src.whenSynced();
    expect(src.snapshot().services.has('default/web')).toBe(true);
  });

  it('a CA that did not sign the server certificate: the certificate error is logged, not synced, no request reaches the API', async () => {
    const { sim, src, log } = await start('sa-token', pkis.other.ca.certFile);
    await waitFor(() => log.matching(/^WARNING list of \*v1\.Service failed: UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate.*; retrying in \d+ ms$/).length >= 2, 'two TLS failures');
    expect(src.synced).toBe(false);
    expect(sim.stats.requests).toEqual([]);
  });
});
