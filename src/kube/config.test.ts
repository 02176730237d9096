import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCerts, type TestCerts } from '../../test/apiserver/test-certs.js';
import { type KubeConnection, KubeConnectionError, inClusterConnection, resolveConnection } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'kube-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let pki: TestCerts;
let other: TestCerts;
beforeAll(async () => {
  pki = await makeTestCerts(join(dir, 'pki'));
  other = await makeTestCerts(join(dir, 'other'), { caName: 'other-ca' });
});

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function requestOptions(c: KubeConnection): Promise<https.RequestOptions> {
  const opts: https.RequestOptions = { headers: { Accept: 'application/json' } };
  await c.applyTo(opts);
  return opts;
}

const KUBECONFIG = `apiVersion: v1
kind: Config
current-context: one
clusters:
- name: c1
  cluster: { server: "https://one.example:6443/" }
- name: c2
  cluster: { server: "http://127.0.0.1:8001" }
users:
- name: u1
  user: { token: tok-one }
- name: u2
  user: { token: tok-two }
contexts:
- name: one
  context: { cluster: c1, user: u1 }
- name: two
  context: { cluster: c2, user: u2 }
`;

describe('endpoint', () => {
  it('accepts http:// for tests and https:// with client TLS files', async () => {
    const c = resolveConnection({ endpoint: 'http://127.0.0.1:8080/' });
    expect(c.server).toBe('http://127.0.0.1:8080');
    expect(c.describe).toBe('endpoint http://127.0.0.1:8080');
    expect((await requestOptions(c)).headers).not.toHaveProperty('Authorization');

    const tls = { cert: pki.client.certFile, key: pki.client.keyFile, ca: pki.ca.certFile };
    const t = resolveConnection({ endpoint: 'https://api.example:6443', tls });
    const o = await requestOptions(t);
    expect(String(o.ca)).toBe(pki.ca.cert);
    expect(String(o.cert)).toBe(pki.client.cert);
    expect(String(o.key)).toBe(pki.client.key);
  });

  it('checks the tls files when the Corefile is loaded, naming them, as client-go does when the client is made', () => {
    const endpoint = 'https://api.example:6443';
    const good = { cert: pki.client.certFile, key: pki.client.keyFile, ca: pki.ca.certFile };
    const junk = file('junk.pem', 'not a certificate');
    // A key that is not the certificate's.
    expect(() => resolveConnection({ endpoint, tls: { ...good, key: other.client.keyFile } })).toThrow(
      new RegExp(`^tls: client certificate ${good.cert} and key ${other.client.keyFile}: .*key values mismatch`),
    );
    expect(() => resolveConnection({ endpoint, tls: { ...good, cert: junk } })).toThrow(new RegExp(`^tls: client certificate ${junk} and key .*no start line`));
    // Node's TLS would take a CA file without a certificate in it and fail every handshake later.
    expect(() => resolveConnection({ endpoint, tls: { ...good, ca: junk } })).toThrow(`tls: CA certificate ${junk}: no PEM certificate in it`);
    const broken = file('broken-ca.pem', `${pki.ca.cert}\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`);
    expect(() => resolveConnection({ endpoint, tls: { ...good, ca: broken } })).toThrow(new RegExp(`^tls: CA certificate ${broken}: certificate 2 does not parse`));
    // A bundle of several CAs is fine.
    const bundle = file('bundle.pem', `${pki.ca.cert}\n${other.ca.cert}`);
    expect(() => resolveConnection({ endpoint, tls: { ...good, ca: bundle } })).not.toThrow();
  });

  it('rejects bad URLs and unreadable TLS files clearly', () => {
    expect(() => resolveConnection({ endpoint: 'not a url' })).toThrow(/endpoint: invalid URL 'not a url'/);
    expect(() => resolveConnection({ endpoint: 'ftp://x' })).toThrow(/scheme must be http or https/);
    expect(() => resolveConnection({ endpoint: 'https://x?a=b' })).toThrow(KubeConnectionError);
    const missing = join(dir, 'nope.crt');
    expect(() => resolveConnection({ endpoint: 'https://x', tls: { cert: missing, key: missing, ca: missing } })).toThrow(
      `tls: cannot read ${missing}: ENOENT`,
    );
  });
});

describe('kubeconfig', () => {
  const kc = file('kubeconfig', KUBECONFIG);

  it('uses the current context, or the one named', async () => {
    const one = resolveConnection({ kubeconfig: { file: kc } });
    expect(one.server).toBe('https://one.example:6443');
    expect((await requestOptions(one)).headers).toMatchObject({ Authorization: 'Bearer tok-one' });

    const two = resolveConnection({ kubeconfig: { file: kc, context: 'two' } });
    expect(two.server).toBe('http://127.0.0.1:8001');
    expect(two.describe).toBe(`kubeconfig ${kc} (context two)`);
    // plain HTTP (kubectl proxy) works although the kubeconfig does not say insecure-skip-tls-verify
    expect((await requestOptions(two)).headers).toMatchObject({ Authorization: 'Bearer tok-two' });
  });

  it('wins over endpoint, as in CoreDNS', () => {
    expect(resolveConnection({ kubeconfig: { file: kc }, endpoint: 'http://other:1' }).server).toBe('https://one.example:6443');
  });

  it('reports a missing file, bad YAML and an unknown context', () => {
    expect(() => resolveConnection({ kubeconfig: { file: join(dir, 'none') } })).toThrow(/kubeconfig: cannot read .*none: ENOENT/);
    expect(() => resolveConnection({ kubeconfig: { file: file('bad', 'clusters: [') } })).toThrow(/invalid kubeconfig .*bad/);
    expect(() => resolveConnection({ kubeconfig: { file: kc, context: 'three' } })).toThrow(`context 'three' not found in kubeconfig ${kc}`);
  });
  it('re-reads a user\'s token-file before each request (relative to the kubeconfig), over a token beside it', async () => {
    const sub = join(dir, 'tf');
    mkdirSync(join(sub, 'secrets'), { recursive: true });
    const tok = join(sub, 'secrets', 'token');
    writeFileSync(tok, 'rotated-1\n');
    const cfg = join(sub, 'config');
    writeFileSync(cfg, KUBECONFIG.replace('user: { token: tok-one }', 'user: { token: stale, token-file: secrets/token }'));
    const c = resolveConnection({ kubeconfig: { file: cfg } });
    expect((await requestOptions(c)).headers).toMatchObject({ Authorization: 'Bearer rotated-1' });
    writeFileSync(tok, 'rotated-2');
    expect((await requestOptions(c)).headers).toMatchObject({ Authorization: 'Bearer rotated-2' });
    // Other users are untouched.
    expect((await requestOptions(resolveConnection({ kubeconfig: { file: cfg, context: 'two' } }))).headers).toMatchObject({ Authorization: 'Bearer tok-two' });
    // First definition wins across KUBECONFIG files: a later token-file for u1 does not apply.
    const merged = resolveConnection({}, { KUBECONFIG: `${kc}:${cfg}` });
    expect((await requestOptions(merged)).headers).toMatchObject({ Authorization: 'Bearer tok-one' });
    rmSync(tok);
    expect(() => resolveConnection({ kubeconfig: { file: cfg } })).toThrow(`kubeconfig user 'u1' token-file: cannot read ${tok}: ENOENT`);
  });
});

describe('defaults', () => {
  it('in a cluster: needs the port and a readable token', () => {
    expect(() => resolveConnection({}, { KUBERNETES_SERVICE_HOST: '10.0.0.1' })).toThrow(/KUBERNETES_SERVICE_PORT is not/);
    expect(() => resolveConnection({}, { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' })).toThrow(
      /in-cluster service account token: cannot read \/var\/run\/secrets\/kubernetes.io\/serviceaccount\/token/,
    );
  });

  it('outside a cluster: KUBECONFIG (merged), then ~/.kube/config, else a clear error', () => {
    const extra = file('extra', KUBECONFIG.replace('current-context: one', 'current-context: two'));
    const merged = resolveConnection({}, { KUBECONFIG: `${extra}:${file('kubeconfig2', KUBECONFIG)}` });
    expect(merged.server).toBe('http://127.0.0.1:8001');

    const home = join(dir, 'home');
    mkdirSync(join(home, '.kube'), { recursive: true });
    writeFileSync(join(home, '.kube', 'config'), KUBECONFIG);
    expect(resolveConnection({}, { HOME: home }).server).toBe('https://one.example:6443');
    expect(() => resolveConnection({}, { HOME: join(dir, 'nohome') })).toThrow(/no Kubernetes API to connect to/);
  });
});

describe('inClusterConnection', () => {
  it('re-reads a rotated token before each request; brackets IPv6 hosts', async () => {
    const token = file('token', 'first\n');
    const c = inClusterConnection({ host: 'fd00::1', port: '6443', tokenFile: token, caFile: join(dir, 'absent-ca.crt') });
    expect(c.server).toBe('https://[fd00::1]:6443');
    expect((await requestOptions(c)).headers).toMatchObject({ Authorization: 'Bearer first' });
    writeFileSync(token, 'second');
    expect((await requestOptions(c)).headers).toMatchObject({ Authorization: 'Bearer second' });
    rmSync(token);
    await expect(requestOptions(c)).rejects.toThrow(/cannot read service account token/);
  });

  it('uses the cluster CA file when present', async () => {
    const c = inClusterConnection({ host: '10.0.0.1', port: '443', tokenFile: file('t2', 'x'), caFile: pki.ca.certFile });
    expect(String((await requestOptions(c)).ca)).toBe(pki.ca.cert);
  });

  it('refuses a cluster CA file without a certificate in it', () => {
    const junk = file('sa-junk.crt', 'SACA');
    expect(() => inClusterConnection({ host: '10.0.0.1', port: '443', tokenFile: file('t3', 'x'), caFile: junk })).toThrow(
      `in-cluster CA certificate ${junk}: no PEM certificate in it`,
    );
  });
});
