/**
 * client-node (~85 MB of RSS) is loaded for kubeconfig connections only, at their first request;
 * `yaml` only when a kubeconfig is read. Both modules are wrapped to count their loads.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { endpointConnection, inClusterConnection, resolveConnection } from './config.js';
import { makeTestCerts } from '../../test/apiserver/test-certs.js';

const loads = vi.hoisted(() => ({ clientNode: 0, yaml: 0 }));

vi.mock('@kubernetes/client-node', async (importOriginal) => {
  loads.clientNode++;
  return importOriginal();
});

vi.mock('./lazy-yaml.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('./lazy-yaml.js')>();
  return {
    yaml: () => {
      loads.yaml++;
      return real.yaml();
    },
  };
});

const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-auth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function requestOptions(c: { applyTo(o: https.RequestOptions): Promise<void> }): Promise<https.RequestOptions> {
  const opts: https.RequestOptions = { headers: {} };
  await c.applyTo(opts);
  return opts;
}

describe('lazy loading', () => {
  it('endpoint and in-cluster connections load neither client-node nor yaml', async () => {
    const pki = await makeTestCerts();
    const tls = { cert: pki.client.certFile, key: pki.client.keyFile, ca: pki.ca.certFile };
    expect(String((await requestOptions(endpointConnection('https://api.example:6443', tls))).cert)).toBe(pki.client.cert);
    const token = file('token', 'sa-token');
    const inCluster = inClusterConnection({ host: '10.96.0.1', port: '443', tokenFile: token, caFile: tls.ca });
    expect((await requestOptions(inCluster)).headers).toEqual({ Authorization: 'Bearer sa-token' });
    expect(loads).toEqual({ clientNode: 0, yaml: 0 });
  });

  it('a kubeconfig is read with yaml at setup; client-node comes at the first request, once', async () => {
    const cfg = file(
      'config',
      `clusters: [{ name: c, cluster: { server: "https://k.example" } }]
users: [{ name: u, user: { token: tok } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`,
    );
    const conn = resolveConnection({ kubeconfig: { file: cfg } });
    expect(loads.yaml).toBeGreaterThan(0);
    expect(loads.clientNode).toBe(0);
    const [a, b] = await Promise.all([requestOptions(conn), requestOptions(conn)]);
    expect(a.headers).toMatchObject({ Authorization: 'Bearer tok' });
    expect(b.headers).toMatchObject({ Authorization: 'Bearer tok' });
    await requestOptions(conn);
    expect(loads.clientNode).toBe(1);
  });
});
