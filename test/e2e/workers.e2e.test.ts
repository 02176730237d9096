/**
 * `-workers 2`: two threads answer on one port (SO_REUSEPORT), the process keeps ONE set of API
 * watches (the main thread's; the worker gets its objects over a channel), /metrics adds up both
 * threads, and a change in the API reaches both threads.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rcode, Type } from '../../src/dns/constants.js';
import { startApiServer, type ApiServer } from '../apiserver/server.js';
import { CLUSTER_YAML } from '../conformance/cases.js';
import { freePort, startCli, type Running } from '../helpers/cli.js';
import { udpQuery } from '../helpers/wire-client.js';

let api: ApiServer;
let srv: Running;
let metricsPort: number;

beforeAll(async () => {
  api = await startApiServer();
  api.load(readFileSync(CLUSTER_YAML, 'utf8'));
  metricsPort = await freePort();
  srv = await startCli(`.:{port} {
    bind 127.0.0.1
    prometheus 127.0.0.1:${metricsPort}
    kubernetes cluster.local {
        endpoint ${api.url}
    }
}
`, { args: ['-workers', '2'] });
});
afterAll(async () => {
  await srv?.stop();
  await api?.close();
});

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  return text.split('\n').filter((l) => l.startsWith(name)).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}

describe('-workers 2', () => {
  it('answers from both threads, keeps one set of watches, and adds up metrics', async () => {
    const N = 60;
    for (let i = 0; i < N; i++) {
      // Each query from a fresh socket: the kernel spreads them over both threads.
      const r = await udpQuery(srv.port, 'svc1.testns.svc.cluster.local.', Type.A);
      expect(r.rcode).toBe(Rcode.NOERROR);
      expect(r.answer.length).toBeGreaterThan(0);
    }
    expect(await metric('coredns_dns_requests_total')).toBe(N);
    // Services, EndpointSlices, Namespaces: one watch each for the whole process (not per thread).
    expect(api.stats.openWatches).toBe(3);
  });

  it('a Service created in the API reaches every thread', async () => {
    api.apply({
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: 'fresh', namespace: 'testns' },
      spec: { type: 'ClusterIP', clusterIP: '10.96.77.77', clusterIPs: ['10.96.77.77'], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
    });
    const end = Date.now() + 5000;
    let seen = 0;
    while (seen < 30 && Date.now() < end) {
      const r = await udpQuery(srv.port, 'fresh.testns.svc.cluster.local.', Type.A);
      if (r.answer[0]?.address === '10.96.77.77') seen++;
      else seen = 0;
    }
    expect(seen).toBe(30);
  });
});
