/** The simulator over HTTPS: serving certificate, client-certificate and token auth, watches and faults under TLS. */
import https from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import { type ApiServer, type ApiServerOptions, startApiServer } from './server.ts';
import { usePkis } from './test-pkis.ts';
import { service, waitFor } from './test-kit.ts';

/** The cluster's PKI, and an unrelated CA with its own server and client certificates. */
const pkis = usePkis();

let sim: ApiServer | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(o: ApiServerOptions & { clientCA?: boolean } = {}): Promise<ApiServer> {
  const { clientCA = true, ...rest } = o;
  sim = await startApiServer({ tls: { key: pkis.pki.server.key, cert: pkis.pki.server.cert, ...(clientCA && { ca: pkis.pki.ca.cert }) }, bookmarkIntervalMs: 50, ...rest });
  return sim;
}

interface ClientOpts {
  ca?: string;
  cert?: string;
  key?: string;
  token?: string;
}

/** The client side of each case: trust pki's CA and present pki's client certificate. */
const withCert = (): ClientOpts => ({ ca: pkis.pki.ca.cert, cert: pkis.pki.client.cert, key: pkis.pki.client.key });

function request(url: string, c: ClientOpts, method = 'GET', body?: object): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, {
      method,
      agent: false,
      ca: c.ca,
      cert: c.cert,
      key: c.key,
      headers: { ...(c.token && { Authorization: `Bearer ${c.token}` }), ...(body && { 'Content-Type': 'application/json' }) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

/** A watch over https: lines as they arrive; `ended` is 'end' (clean) or the error. */
function stream(url: string, c: ClientOpts): Promise<{ status: number; lines: string[]; ended: Promise<'end' | Error> }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { agent: false, ca: c.ca, cert: c.cert, key: c.key }, (res) => {
      const lines: string[] = [];
      let buf = '';
      const ended = new Promise<'end' | Error>((done) => {
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          buf += d;
          for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
            lines.push(buf.slice(0, nl));
            buf = buf.slice(nl + 1);
          }
        });
        res.on('end', () => done('end'));
        res.on('error', done);
        res.on('close', () => done(new Error('closed before the end of the body')));
      });
      resolve({ status: res.statusCode ?? 0, lines, ended });
    });
    req.on('error', reject);
  });
}

const code = (err: unknown) => (err as NodeJS.ErrnoException).code;

describe('HTTPS', () => {
  it('serves on https://127.0.0.1:PORT with the serving certificate; a client that does not trust its CA fails the handshake', async () => {
    const s = await start({ clientCA: false });
    expect(s.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    s.apply(service('default', 'web'));
    const r = await request(`${s.url}/api/v1/services`, { ca: pkis.pki.ca.cert });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).items.map((i: any) => i.metadata.name)).toEqual(['web']);
    // The same host name checks a real client does: the certificate is for 127.0.0.1 and localhost.
    expect((await request(s.url.replace('127.0.0.1', 'localhost') + '/healthz', { ca: pkis.pki.ca.cert })).status).toBe(200);
    await expect(request(`${s.url}/healthz`, { ca: pkis.other.ca.cert })).rejects.toSatisfy((e) => code(e) === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    await expect(request(`${s.url}/healthz`, {})).rejects.toSatisfy((e) => code(e) === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    // Plain HTTP to the TLS port gets no API answer (Node's TLS server answers 400 and closes).
    const plain = await fetch(s.url.replace('https:', 'http:') + '/api/v1/services').then((res) => res.status, (err: Error) => err.message);
    expect(plain).not.toBe(200);
    // Without a client CA nothing is required of the client.
    expect(s.stats.requests.every((q) => q.auth === undefined)).toBe(true);
  });

  it('with a client CA: a verified client certificate authenticates; none, or one from another CA, is 401', async () => {
    const s = await start();
    s.apply(service('default', 'web'));
    const ok = await request(`${s.url}/api/v1/namespaces/default/services/web`, withCert());
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).metadata.name).toBe('web');
    expect(s.stats.requests.at(-1)).toMatchObject({ path: '/api/v1/namespaces/default/services/web', status: 200, auth: 'certificate' });

    const none = await request(`${s.url}/api/v1/services`, { ca: pkis.pki.ca.cert });
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body)).toMatchObject({ kind: 'Status', code: 401, reason: 'Unauthorized', message: 'Unauthorized' });
    // A certificate the server cannot verify does not break the handshake (RequestClientCert): it is a 401.
    const foreign = await request(`${s.url}/api/v1/services`, { ca: pkis.pki.ca.cert, cert: pkis.other.client.cert, key: pkis.other.client.key });
    expect(foreign.status).toBe(401);
    // The serving certificate chains to the CA too, but lacks the clientAuth usage that kube-apiserver's
    // x509 authenticator requires (OpenSSL checks the ssl_client purpose likewise).
    const serverCert = await request(`${s.url}/api/v1/services`, { ca: pkis.pki.ca.cert, cert: pkis.pki.server.cert, key: pkis.pki.server.key });
    expect(serverCert.status).toBe(401);
    expect(s.stats.requests.filter((q) => q.status === 401)).toHaveLength(3);
    // Only the serving certificate is sent, not the CA with it (Go's TLS sends the cert file as is):
    // a client trusting another CA cannot verify the leaf.
    await expect(request(`${s.url}/healthz`, { ca: pkis.other.ca.cert })).rejects.toSatisfy((e) => code(e) === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it('a client CA bundle: a certificate from any of its CAs authenticates', async () => {
    const s = await start({ tls: { key: pkis.pki.server.key, cert: pkis.pki.server.cert, ca: pkis.other.ca.cert + pkis.pki.ca.cert } });
    expect((await request(`${s.url}/api/v1/services`, withCert())).status).toBe(200);
    expect((await request(`${s.url}/api/v1/services`, { ca: pkis.pki.ca.cert, cert: pkis.other.client.cert, key: pkis.other.client.key })).status).toBe(200);
    expect(s.stats.requests.map((q) => q.auth)).toEqual(['certificate', 'certificate']);
    await expect(startApiServer({ tls: { key: pkis.pki.server.key, cert: pkis.pki.server.cert, ca: 'not a certificate' } })).rejects.toThrow(/tls\.ca: no PEM certificate/);
  });

  it('with a client CA and a token: either authenticates; a wrong token without a certificate is 401', async () => {
    const s = await start({ token: 'sa-token' });
    expect((await request(`${s.url}/api/v1/pods`, { ca: pkis.pki.ca.cert, token: 'sa-token' })).status).toBe(200);
    expect(s.stats.requests.at(-1)!.auth).toBe('token');
    expect((await request(`${s.url}/api/v1/pods`, withCert())).status).toBe(200);
    expect(s.stats.requests.at(-1)!.auth).toBe('certificate');
    expect((await request(`${s.url}/api/v1/pods`, { ca: pkis.pki.ca.cert, token: 'wrong' })).status).toBe(401);
    // A verified certificate wins over a wrong token (the x509 authenticator runs first).
    expect((await request(`${s.url}/api/v1/pods`, { ...withCert(), token: 'wrong' })).status).toBe(200);
    s.setToken(undefined);
    // No token configured: only the certificate is left.
    expect((await request(`${s.url}/api/v1/pods`, { ca: pkis.pki.ca.cert, token: 'sa-token' })).status).toBe(401);
    expect((await request(`${s.url}/api/v1/pods`, withCert())).status).toBe(200);
  });

  it('HTTPS without a client CA keeps token auth as over HTTP', async () => {
    const s = await start({ clientCA: false, token: 't' });
    expect((await request(`${s.url}/api/v1/services`, { ca: pkis.pki.ca.cert })).status).toBe(401);
    // A client certificate is not even asked for, so it cannot stand in for the token.
    expect((await request(`${s.url}/api/v1/services`, withCert())).status).toBe(401);
    expect((await request(`${s.url}/api/v1/services`, { ca: pkis.pki.ca.cert, token: 't' })).status).toBe(200);
  });

  it('writes work over HTTPS', async () => {
    const s = await start();
    const r = await request(`${s.url}/api/v1/namespaces/default/services`, withCert(), 'POST', service('default', 'posted'));
    expect(r.status).toBe(201);
    expect(s.get('Service', 'default', 'posted')).toBeDefined();
    expect((await request(`${s.url}/api/v1/namespaces/default/services`, { ca: pkis.pki.ca.cert }, 'POST', service('default', 'anon'))).status).toBe(401);
    expect(s.get('Service', 'default', 'anon')).toBeUndefined();
  });
});

describe('watches and faults under TLS', () => {
  it('streams events; dropWatches clean and reset; close() ends open watches', async () => {
    const s = await start();
    const w = await stream(`${s.url}/api/v1/services?watch=true`, withCert());
    expect(w.status).toBe(200);
    await waitFor('open', () => s.stats.openWatches === 1);
    s.apply(service('default', 'a'));
    await waitFor('the ADDED event', () => w.lines.length === 1);
    expect(JSON.parse(w.lines[0]!)).toMatchObject({ type: 'ADDED', object: { kind: 'Service', metadata: { name: 'a' } } });
    s.faults.dropWatches('clean');
    expect(await w.ended).toBe('end');

    const r = await stream(`${s.url}/api/v1/services?watch=true&allowWatchBookmarks=true`, withCert());
    await waitFor('a bookmark', () => r.lines.some((l) => l.includes('"BOOKMARK"')));
    s.faults.dropWatches('reset');
    expect(await r.ended).toBeInstanceOf(Error);
    await waitFor('closed', () => s.stats.openWatches === 0);

    const last = await stream(`${s.url}/api/v1/services?watch=true`, withCert());
    await waitFor('open', () => s.stats.openWatches === 1);
    await s.close();
    sim = undefined;
    const timeout = new Promise((r) => setTimeout(() => r('still open'), 2000));
    expect(await Promise.race([last.ended, timeout])).not.toBe('still open');
  });

  it('down(ms) refuses TLS connections and resets open watches, then serves HTTPS again on the same URL', async () => {
    const s = await start();
    const w = await stream(`${s.url}/api/v1/services?watch=true`, withCert());
    await waitFor('open', () => s.stats.openWatches === 1);
    s.faults.down(300);
    expect(await w.ended).toBeInstanceOf(Error);
    await expect(request(`${s.url}/healthz`, withCert())).rejects.toSatisfy((e) => code(e) === 'ECONNREFUSED');
    await new Promise((r) => setTimeout(r, 400));
    expect((await request(`${s.url}/healthz`, withCert())).status).toBe(200);
    expect((await request(`${s.url}/healthz`, { ca: pkis.pki.ca.cert })).status).toBe(401);
  });

  it('failNext answers before auth is checked, as the fault is meant to hit any request', async () => {
    const s = await start();
    s.faults.failNext(1, 503);
    expect((await request(`${s.url}/api/v1/services`, withCert())).status).toBe(503);
    expect((await request(`${s.url}/api/v1/services`, withCert())).status).toBe(200);
  });
});

describe('client-node over TLS', () => {
  it('lists with a KubeConfig holding the CA and the client certificate', async () => {
    const s = await start();
    s.apply(service('default', 'web'));
    const { CoreV1Api, KubeConfig } = await import('@kubernetes/client-node');
    const kc = new KubeConfig();
    const b64 = (t: string) => Buffer.from(t).toString('base64');
    kc.loadFromOptions({
      clusters: [{ name: 'sim', server: s.url, caData: b64(pkis.pki.ca.cert) }],
      users: [{ name: 'admin', certData: b64(pkis.pki.client.cert), keyData: b64(pkis.pki.client.key) }],
      contexts: [{ name: 'sim', cluster: 'sim', user: 'admin' }],
      currentContext: 'sim',
    });
    const list = await kc.makeApiClient(CoreV1Api).listServiceForAllNamespaces();
    expect(list.items.map((i) => i.metadata?.name)).toEqual(['web']);
    expect(s.stats.requests.at(-1)).toMatchObject({ path: '/api/v1/services', status: 200, auth: 'certificate' });
  });
});
