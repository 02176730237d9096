/** The simulator process over TLS (startSim `tls`), simWrite through it, and clusterdns given the certificates. */
import { existsSync, readFileSync } from 'node:fs';
import https from 'node:https';
import { describe, expect, it } from 'vitest';
import { dig } from '../../test/helpers/dig.ts';
import { startStubUpstream } from '../stub-upstream.ts';
import { serviceAt, clusterIP } from './cluster.ts';
import { kubeadmCorefile, startClusterDns, type ClusterDns } from './clusterdns.ts';
import { simWrite, startSim, type Sim } from './sim.ts';

function get(url: string, opts: https.RequestOptions): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https.get(url, { ...opts, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

const PORTS = { port: 53, health: 8080, ready: 8181, metrics: 9153, endpoint: 'https://127.0.0.1:6443', upstream: '127.0.0.1:5300' };

describe('kubeadmCorefile', () => {
  it('adds `tls CERT KEY CACERT` after `endpoint` only when asked', () => {
    const plain = kubeadmCorefile(PORTS);
    expect(plain).not.toMatch(/\btls\b/);
    expect(plain).toContain('       endpoint https://127.0.0.1:6443\n       pods insecure\n');
    const tls = kubeadmCorefile({ ...PORTS, tls: { cert: '/d/client.crt', key: '/d/client.key', ca: '/d/ca.crt' } });
    expect(tls).toBe(plain.replace('endpoint https://127.0.0.1:6443\n', 'endpoint https://127.0.0.1:6443\n       tls /d/client.crt /d/client.key /d/ca.crt\n'));
  });
});

describe('startSim({ tls: true })', () => {
  it('serves HTTPS requiring a client certificate; simWrite works; clusterdns with `tls` lists, watches and answers', async () => {
    let sim: Sim | undefined;
    let srv: ClusterDns | undefined;
    const stub = await startStubUpstream();
    try {
      sim = await startSim(3, { tls: true });
      const tls = sim.tls!;
      expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      for (const f of [tls.cert, tls.key, tls.ca]) expect(existsSync(f)).toBe(true);
      const ca = readFileSync(tls.ca);
      expect((await get(`${sim.url}/api/v1/namespaces/default`, { ca })).status).toBe(401);
      expect((await get(`${sim.url}/api/v1/namespaces/default`, { ca, cert: readFileSync(tls.cert), key: readFileSync(tls.key) })).status).toBe(200);

      srv = await startClusterDns({ endpoint: sim.url, tls, upstream: stub.addr });
      expect(readFileSync(srv.corefile, 'utf8')).toContain(`tls ${tls.cert} ${tls.key} ${tls.ca}`);
      const first = serviceAt(0);
      expect((await dig(srv.port, first.fqdn)).answer).toEqual([`${first.fqdn} 30 IN A ${clusterIP(0)}`]);

      // Writes over HTTPS (keep-alive agent with the CA and the client certificate), seen by clusterdns's watch.
      const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'tls-write', namespace: 'default' }, spec: { clusterIP: '10.111.255.250', ports: [{ port: 80 }] } };
      await simWrite(sim, 'POST', '/api/v1/namespaces/default/services', svc);
      const name = 'tls-write.default.svc.cluster.local.';
      let answer: string[] = [];
      for (let i = 0; i < 100 && answer.length === 0; i++) {
        answer = (await dig(srv.port, name)).answer;
        if (answer.length === 0) await new Promise((r) => setTimeout(r, 50));
      }
      expect(answer).toEqual([`${name} 30 IN A 10.111.255.250`]);
      await simWrite(sim, 'PUT', '/api/v1/namespaces/default/services/tls-write', { ...svc, metadata: { ...svc.metadata, labels: { v: '2' } } });
      await simWrite(sim, 'DELETE', '/api/v1/namespaces/default/services/tls-write');
      await expect(simWrite(sim, 'DELETE', '/api/v1/namespaces/default/services/tls-write')).rejects.toThrow(/DELETE .*: 404 .*not found/);
      let status = '';
      for (let i = 0; i < 100 && status !== 'NXDOMAIN'; i++) {
        status = (await dig(srv.port, name)).status;
        if (status !== 'NXDOMAIN') await new Promise((r) => setTimeout(r, 50));
      }
      expect(status).toBe('NXDOMAIN');
      expect(srv.proc.output()).not.toMatch(/WARNING|ERROR/);
    } finally {
      await srv?.proc.stop();
      await sim?.proc.stop();
      await stub.close();
    }
  }, 60_000);

  it('defaults to plain HTTP, as before', async () => {
    const sim = await startSim(0);
    try {
      expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(sim.tls).toBeUndefined();
      await simWrite(sim, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'plain' } });
      expect((await fetch(`${sim.url}/api/v1/namespaces/plain`)).status).toBe(200);
    } finally {
      await sim.proc.stop();
    }
  });
});
