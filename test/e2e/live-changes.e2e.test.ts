/**
 * Cluster changes at runtime through the API simulator and the real CLI: Services, EndpointSlices,
 * Pods (`pods verified`) and Namespaces are created, updated and deleted, and the answers follow
 * without a restart. Each name is asked before it is created, so a negative answer could be cached
 * anywhere; it must then appear within 2 s, and nothing may survive a delete. The propagation delay
 * of each change is printed.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rcode, Type } from '../../src/dns/constants.js';
import { replyTo, type Msg } from '../../src/dns/message.js';
import { startApiServer, type ApiServer } from '../apiserver/server.js';
import { CLUSTER_YAML } from '../conformance/cases.js';
import { freePort, startCli, type Running } from '../helpers/cli.js';
import { dig } from '../helpers/dig.js';
import { startStub, type Stub } from '../helpers/stub-upstream.js';
import { udpQuery } from '../helpers/wire-client.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const Z = 'svc.cluster.local';

let api: ApiServer;
let up: Stub;
let srv: Running;
/** Port of the second server block (`namespace_labels dns-exposed=true`). */
let labelled: number;
const delays: Array<[string, number]> = [];

beforeAll(async () => {
  api = await startApiServer();
  api.load(readFileSync(CLUSTER_YAML, 'utf8'));
  // The upstream denies everything, with an SOA as real servers do (so caches may keep the denial).
  up = await startStub((q) => {
    const zone = q.question[0]!.name.toLowerCase().endsWith('.in-addr.arpa.') ? 'in-addr.arpa.' : '.';
    const soa = { name: zone, type: Type.SOA, class: 1, ttl: 300, primary: 'ns.upstream.test.', admin: 'hostmaster.upstream.test.', serial: 1, refresh: 7200, retry: 1800, expiration: 86400, minimum: 300 };
    return Object.assign(replyTo(q, Rcode.NXDOMAIN), { ra: true, ns: [soa] });
  });
  labelled = await freePort();
  // kubeadm's shape with `pods verified`, plus a block filtering namespaces by label on a second port.
  srv = await startCli(`.:{port} {
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        endpoint ${api.url}
        pods verified
        fallthrough in-addr.arpa ip6.arpa
        ttl 30
    }
    forward . ${up.addr}
    cache 30 {
        disable success cluster.local
        disable denial cluster.local
    }
    loadbalance
}
.:${labelled} {
    kubernetes cluster.local {
        endpoint ${api.url}
        namespace_labels dns-exposed=true
        ttl 30
    }
}
`);
  const end = Date.now() + 15_000;
  for (;;) {
    const r = await udpQuery(srv.port, `kubernetes.default.${Z}.`, Type.A).catch(() => undefined);
    if (r?.rcode === Rcode.NOERROR && r.answer.length > 0) break;
    if (Date.now() > end) throw new Error(`not synced: ${srv.output()}`);
    await sleep(50);
  }
});

afterAll(async () => {
  if (delays.length) {
    console.log(`propagation delay (apply -> answer changed), ms:\n${delays.map(([w, ms]) => `  ${ms.toFixed(1).padStart(7)}  ${w}`).join('\n')}`);
  }
  await srv?.stop('SIGKILL');
  await up?.close();
  await api?.close();
});

/** Addresses of A answers, sorted (loadbalance shuffles them). */
const addrs = (m: Msg) => m.answer.filter((r) => r.type === Type.A).map((r) => (r as { address: string }).address).sort();
const nx = (m: Msg) => m.rcode === Rcode.NXDOMAIN;

/** Polls `name` every 5 ms until `ok`, at most 2 s; records and returns the delay. */
async function until(what: string, name: string, type: number, ok: (m: Msg) => boolean, port = srv.port): Promise<number> {
  const t0 = performance.now();
  let last: Msg | undefined;
  for (;;) {
    last = await udpQuery(port, name, type);
    if (ok(last)) break;
    if (performance.now() - t0 > 2000) throw new Error(`${what}: not within 2 s; last reply rcode ${last.rcode}, answer ${JSON.stringify(last.answer)}`);
    await sleep(5);
  }
  const ms = performance.now() - t0;
  delays.push([what, ms]);
  return ms;
}

/** dig's answer lines, sorted. */
const lines = async (name: string, type = 'A', port = srv.port) => (await dig(port, name, type)).answer.sort();
const status = async (name: string, type = 'A', port = srv.port) => (await dig(port, name, type)).status;

describe('live changes through the API server', () => {
  it('Service: create, update, delete', async () => {
    const name = `live-svc.testns.${Z}.`;
    const service = (port: { name: string; port: number }) => ({
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'live-svc', namespace: 'testns' },
      spec: { clusterIP: '10.96.60.1', clusterIPs: ['10.96.60.1'], ports: [{ ...port, protocol: 'TCP' }] },
    });
    // Asked first: negative answers everywhere they could be kept.
    expect(await status(name)).toBe('NXDOMAIN');
    expect(await status(`_web._tcp.${name}`, 'SRV')).toBe('NXDOMAIN');

    api.apply(service({ name: 'web', port: 8080 }));
    await until('Service created: A', name, Type.A, (m) => addrs(m).join() === '10.96.60.1');
    expect(await lines(name)).toEqual([`${name} 30 IN A 10.96.60.1`]);
    expect(await lines(`_web._tcp.${name}`, 'SRV')).toEqual([`_web._tcp.${name} 30 IN SRV 0 100 8080 ${name}`]);

    api.apply(service({ name: 'grpc', port: 9090 }));
    await until('Service updated: SRV', `_grpc._tcp.${name}`, Type.SRV, (m) => m.answer.length === 1);
    expect(await lines(`_grpc._tcp.${name}`, 'SRV')).toEqual([`_grpc._tcp.${name} 30 IN SRV 0 100 9090 ${name}`]);
    expect(await status(`_web._tcp.${name}`, 'SRV')).toBe('NXDOMAIN');

    api.remove('Service', 'testns', 'live-svc');
    await until('Service deleted: A', name, Type.A, nx);
    expect(await status(name)).toBe('NXDOMAIN');
    expect(await status(`_grpc._tcp.${name}`, 'SRV')).toBe('NXDOMAIN');
  });

  // Reverse zones are cached by `cache 30` (kubeadm disables only cluster.local): the kubernetes plugin
  // drops the PTR names of a changed object from every cache (src/plugins/kubernetes/stale-names.ts),
  // so neither the upstream's NXDOMAIN for a new Service nor a deleted Service's PTR lingers 30 s.
  it('Service: its PTR follows a create and a delete despite the cache', async () => {
    const ptr = '1.63.96.10.in-addr.arpa.';
    const name = `live-rev.testns.${Z}.`;
    expect(await status(ptr, 'PTR')).toBe('NXDOMAIN');
    try {
      api.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'live-rev', namespace: 'testns' }, spec: { clusterIP: '10.96.63.1', ports: [{ port: 80 }] } });
      await until('Service created: PTR', ptr, Type.PTR, (m) => m.answer.length === 1);
      expect(await lines(ptr, 'PTR')).toEqual([`${ptr} 30 IN PTR ${name}`]);
      api.remove('Service', 'testns', 'live-rev');
      await until('Service deleted: PTR', ptr, Type.PTR, nx);
    } finally {
      api.remove('Service', 'testns', 'live-rev');
    }
  });

  it('EndpointSlice: create, update, delete behind a headless Service', async () => {
    const name = `live-hdls.testns.${Z}.`;
    api.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'live-hdls', namespace: 'testns' }, spec: { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] } });
    const slice = (eps: Array<{ ip: string; host: string; ready: boolean }>) => ({
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
      metadata: { name: 'live-hdls-1', namespace: 'testns', labels: { 'kubernetes.io/service-name': 'live-hdls' } },
      endpoints: eps.map((e) => ({ addresses: [e.ip], hostname: e.host, conditions: { ready: e.ready } })),
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    });
    // A headless service without ready endpoints has no records.
    expect(await status(name)).toBe('NXDOMAIN');
    expect(await status(`web-0.${name}`)).toBe('NXDOMAIN');

    api.apply(slice([{ ip: '10.244.60.1', host: 'web-0', ready: true }]));
    await until('EndpointSlice created: A', name, Type.A, (m) => addrs(m).join() === '10.244.60.1');
    expect(await lines(name)).toEqual([`${name} 30 IN A 10.244.60.1`]);
    expect(await lines(`web-0.${name}`)).toEqual([`web-0.${name} 30 IN A 10.244.60.1`]);

    api.apply(slice([{ ip: '10.244.60.1', host: 'web-0', ready: false }, { ip: '10.244.60.2', host: 'web-1', ready: true }, { ip: '10.244.60.3', host: 'web-2', ready: true }]));
    await until('EndpointSlice updated: A', name, Type.A, (m) => addrs(m).join() === '10.244.60.2,10.244.60.3');
    expect(await lines(name)).toEqual([`${name} 30 IN A 10.244.60.2`, `${name} 30 IN A 10.244.60.3`]);
    expect(await status(`web-0.${name}`)).toBe('NXDOMAIN');
    expect(await lines(`web-2.${name}`)).toEqual([`web-2.${name} 30 IN A 10.244.60.3`]);

    api.remove('EndpointSlice', 'testns', 'live-hdls-1');
    await until('EndpointSlice deleted: A', name, Type.A, nx);
    expect(await status(`web-1.${name}`)).toBe('NXDOMAIN');
    expect(await status(`_http._tcp.${name}`, 'SRV')).toBe('NXDOMAIN');
    api.remove('Service', 'testns', 'live-hdls');
  });

  it('Pod (pods verified): create, update, delete', async () => {
    const pod = (ip: string) => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'live-pod', namespace: 'testns' },
      spec: { containers: [{ name: 'main', image: 'agnhost' }], nodeName: 'kind-worker' },
      status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
    });
    const first = `10-244-61-5.testns.pod.cluster.local.`;
    const second = `10-244-61-6.testns.pod.cluster.local.`;
    expect(await status(first)).toBe('NXDOMAIN');
    expect(await status(second)).toBe('NXDOMAIN');

    api.apply(pod('10.244.61.5'));
    await until('Pod created: A', first, Type.A, (m) => addrs(m).join() === '10.244.61.5');
    expect(await lines(first)).toEqual([`${first} 30 IN A 10.244.61.5`]);
    // Verified: the same address in another namespace is no pod.
    expect(await status('10-244-61-5.otherns.pod.cluster.local')).toBe('NXDOMAIN');

    api.apply(pod('10.244.61.6'));
    await until('Pod updated: new IP', second, Type.A, (m) => addrs(m).join() === '10.244.61.6');
    expect(await status(first)).toBe('NXDOMAIN');
    expect(await lines(second)).toEqual([`${second} 30 IN A 10.244.61.6`]);

    api.remove('Pod', 'testns', 'live-pod');
    await until('Pod deleted: A', second, Type.A, nx);
    expect(await status(second)).toBe('NXDOMAIN');
  });

  it('Namespace: create, relabel, delete', async () => {
    const ns = `livens.${Z}.`;
    const svc = `web.livens.${Z}.`;
    const namespace = (labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'livens', labels } });
    expect(await status(ns)).toBe('NXDOMAIN');
    expect(await status(svc)).toBe('NXDOMAIN');
    expect(await status(svc, 'A', labelled)).toBe('NXDOMAIN');

    api.apply(namespace({}));
    // An existing namespace is an empty non-terminal: NOERROR without records.
    await until('Namespace created: NODATA', ns, Type.A, (m) => m.rcode === Rcode.NOERROR);
    const nodata = await dig(srv.port, ns);
    expect([nodata.status, nodata.answer]).toEqual(['NOERROR', []]);
    api.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'livens' }, spec: { clusterIP: '10.96.62.1', ports: [{ port: 80 }] } });
    await until('Service in the new namespace: A', svc, Type.A, (m) => addrs(m).join() === '10.96.62.1');
    // Not labelled dns-exposed=true: hidden from the second block.
    expect(await status(svc, 'A', labelled)).toBe('NXDOMAIN');

    api.apply(namespace({ 'dns-exposed': 'true' }));
    await until('Namespace labelled: exposed', svc, Type.A, (m) => addrs(m).join() === '10.96.62.1', labelled);
    expect(await lines(svc, 'A', labelled)).toEqual([`${svc} 30 IN A 10.96.62.1`]);
    api.apply(namespace({ 'dns-exposed': 'false' }));
    await until('Namespace unlabelled: hidden', svc, Type.A, nx, labelled);
    expect(await status(svc, 'A', labelled)).toBe('NXDOMAIN');

    // Deleting the namespace deletes what is in it.
    api.remove('Namespace', undefined, 'livens');
    await until('Namespace deleted: NXDOMAIN', ns, Type.A, nx);
    expect(await status(svc)).toBe('NXDOMAIN');
    expect(await status(ns)).toBe('NXDOMAIN');
  });
});
