/**
 * What must not leak or be believed, end to end with dig: `namespaces` and `namespace_labels`
 * hide a namespace's Services, and also its PTR records (cluster IPs and endpoint addresses) and
 * its pod records, also when a label changes at run time; `forward` ignores spoofed replies
 * (wrong ID, wrong source port, wrong question) sent ahead of the genuine one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Type } from '../../src/dns/constants.js';
import { replyTo, type Msg } from '../../src/dns/message.js';
import { startApiServer, type ApiServer } from '../apiserver/server.js';
import { freePort, startCli, type Running } from '../helpers/cli.js';
import { dig } from '../helpers/dig.js';
import { answerA, startStub, type Stub } from '../helpers/stub-upstream.js';

const CLUSTER = `
apiVersion: v1
kind: Namespace
metadata: { name: visible, labels: { expose: "yes" } }
---
apiVersion: v1
kind: Namespace
metadata: { name: hidden }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: visible }
spec: { clusterIP: 10.96.1.10, ports: [{ name: http, port: 80 }] }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: hidden }
spec: { clusterIP: 10.96.2.10, ports: [{ name: http, port: 80 }] }
---
apiVersion: v1
kind: Service
metadata: { name: db, namespace: visible }
spec: { clusterIP: None, ports: [{ name: sql, port: 5432 }] }
---
apiVersion: v1
kind: Service
metadata: { name: db, namespace: hidden }
spec: { clusterIP: None, ports: [{ name: sql, port: 5432 }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: db-1, namespace: visible, labels: { kubernetes.io/service-name: db } }
addressType: IPv4
endpoints: [{ addresses: [10.244.1.5], hostname: db-0 }]
ports: [{ name: sql, port: 5432, protocol: TCP }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: db-1, namespace: hidden, labels: { kubernetes.io/service-name: db } }
addressType: IPv4
endpoints: [{ addresses: [10.244.2.5], hostname: db-0 }]
ports: [{ name: sql, port: 5432, protocol: TCP }]
---
apiVersion: v1
kind: Pod
metadata: { name: p, namespace: visible }
spec: { containers: [{ name: c, image: i }] }
status: { phase: Running, podIP: 10.244.1.7 }
---
apiVersion: v1
kind: Pod
metadata: { name: p, namespace: hidden }
spec: { containers: [{ name: c, image: i }] }
status: { phase: Running, podIP: 10.244.2.7 }
`;

let api: ApiServer;
let stub: Stub;
let srv: Running;
/** Ports of the server blocks: `namespaces visible`, `namespace_labels expose=yes`, `pods insecure`, forward. */
const port = { names: 0, labels: 0, insecure: 0, forward: 0 };

const block = (p: number | string, option: string, pods: string) => `cluster.local:${p} in-addr.arpa:${p} {
  bind 127.0.0.1
  kubernetes cluster.local in-addr.arpa {
    endpoint {api}
    ${option}
    pods ${pods}
  }
}
`;

beforeAll(async () => {
  api = await startApiServer({ bookmarkIntervalMs: 200 });
  api.load(CLUSTER);
  stub = await startStub(spoofingUpstream);
  [port.labels, port.insecure] = [await freePort(), await freePort()];
  const corefile = [
    block('{port}', 'namespaces visible', 'verified'),
    block(port.labels, 'namespace_labels expose=yes', 'verified'),
    block(port.insecure, 'namespaces visible', 'insecure'),
    `example.net:{port} {\n  bind 127.0.0.1\n  forward . ${stub.addr}\n}\n`,
  ].join('').replaceAll('{api}', api.url);
  srv = await startCli(corefile);
  port.names = srv.port;
  port.forward = srv.port;
  const end = Date.now() + 10_000;
  for (const p of [port.names, port.labels, port.insecure]) {
    while ((await dig(p, 'web.visible.svc.cluster.local')).status !== 'NOERROR') {
      if (Date.now() > end) throw new Error(`not synced: ${srv.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
});
afterAll(async () => {
  await srv?.stop();
  await stub?.close();
  await api?.close();
});

/** Answers (rdata only) and status of a dig query. */
async function ask(p: number, name: string, type = 'A'): Promise<{ status: string; rdata: string[] }> {
  const r = await dig(p, name, type);
  return { status: r.status, rdata: r.answer.map((l) => l.split(/\s+/).slice(4).join(' ')) };
}

const VISIBLE = [
  ['web.visible.svc.cluster.local', 'A', '10.96.1.10'],
  ['db.visible.svc.cluster.local', 'A', '10.244.1.5'],
  ['10.1.96.10.in-addr.arpa', 'PTR', 'web.visible.svc.cluster.local.'],
  ['5.1.244.10.in-addr.arpa', 'PTR', 'db-0.db.visible.svc.cluster.local.'],
  ['10-244-1-7.visible.pod.cluster.local', 'A', '10.244.1.7'],
] as const;
const HIDDEN = [
  ['web.hidden.svc.cluster.local', 'A'],
  ['db.hidden.svc.cluster.local', 'A'],
  ['_http._tcp.web.hidden.svc.cluster.local', 'SRV'],
  ['10.2.96.10.in-addr.arpa', 'PTR'],
  ['5.2.244.10.in-addr.arpa', 'PTR'],
  ['10-244-2-7.hidden.pod.cluster.local', 'A'],
  ['hidden.svc.cluster.local', 'A'],
] as const;

describe.each([
  ['namespaces visible', 'names'],
  ['namespace_labels expose=yes', 'labels'],
  ['namespaces visible, pods insecure', 'insecure'],
] as const)('%s', (_title, which) => {
  it('serves the exposed namespace: services, endpoints, PTRs, pods', async () => {
    for (const [name, type, rdata] of VISIBLE) expect(await ask(port[which], name, type)).toEqual({ status: 'NOERROR', rdata: [rdata] });
  });
  it('hides the other namespace: services, SRV, PTRs of its cluster IPs and endpoints, its pods, the namespace itself', async () => {
    for (const [name, type] of HIDDEN) expect({ name, ...(await ask(port[which], name, type)) }).toEqual({ name, status: 'NXDOMAIN', rdata: [] });
  });
});

describe('namespace_labels at run time', () => {
  it('labelling a namespace exposes its PTR and pod records; unlabelling hides them again', async () => {
    const p = port.labels;
    const until = async (name: string, type: string, status: string) => {
      const end = Date.now() + 5000;
      while ((await ask(p, name, type)).status !== status) {
        if (Date.now() > end) throw new Error(`${name} ${type} never became ${status}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'hidden', labels: { expose: 'yes' } } });
    await until('10.2.96.10.in-addr.arpa', 'PTR', 'NOERROR');
    expect(await ask(p, '10.2.96.10.in-addr.arpa', 'PTR')).toEqual({ status: 'NOERROR', rdata: ['web.hidden.svc.cluster.local.'] });
    expect(await ask(p, '5.2.244.10.in-addr.arpa', 'PTR')).toEqual({ status: 'NOERROR', rdata: ['db-0.db.hidden.svc.cluster.local.'] });
    expect(await ask(p, '10-244-2-7.hidden.pod.cluster.local')).toEqual({ status: 'NOERROR', rdata: ['10.244.2.7'] });
    // The `namespaces visible` block is not moved by a label.
    expect((await ask(port.names, '10.2.96.10.in-addr.arpa', 'PTR')).status).toBe('NXDOMAIN');

    api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'hidden', labels: {} } });
    await until('10.2.96.10.in-addr.arpa', 'PTR', 'NXDOMAIN');
    for (const [name, type] of HIDDEN) expect({ name, ...(await ask(p, name, type)) }).toEqual({ name, status: 'NXDOMAIN', rdata: [] });
  });
});

/**
 * The upstream for `*.example.net`: before the genuine answer (192.0.2.99) it sends forgeries
 * (6.6.6.x) the forwarder must ignore. `only-forged.` gets no genuine answer at all.
 */
async function spoofingUpstream(q: Msg, ctx: { proto: 'udp' | 'tcp'; sendUdp(m: Msg, other?: boolean): Promise<void> }): Promise<Msg | undefined> {
  const name = q.question[0]!.name.toLowerCase();
  if (ctx.proto === 'udp' && name.endsWith('example.net.')) {
    const forged = (address: string, patch: (m: Msg) => void) => {
      const m = answerA(q, address);
      patch(m);
      return m;
    };
    await ctx.sendUdp(forged('6.6.6.1', (m) => (m.id = (q.id + 1) & 0xffff)));
    await ctx.sendUdp(forged('6.6.6.2', () => {}), true);
    // (A new question object: the received one carries its wire bytes, which encode would echo.)
    const { type, class: qclass } = q.question[0]!;
    await ctx.sendUdp(forged('6.6.6.3', (m) => {
      m.question = [{ name: 'other.example.net.', type, class: qclass }];
      m.answer[0]!.name = 'other.example.net.';
    }));
    await ctx.sendUdp(forged('6.6.6.4', (m) => (m.question = [{ name: q.question[0]!.name, type: Type.AAAA, class: qclass }])));
    if (name.startsWith('only-forged.')) return undefined;
    await new Promise((r) => setTimeout(r, 30));
  }
  if (name.startsWith('only-forged.')) return replyTo(q, 2);
  return answerA(q, '192.0.2.99');
}

describe('forward ignores spoofed replies', () => {
  it('wrong ID, wrong source port, wrong name, wrong type: only the genuine answer is taken', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await ask(port.forward, `spoofed-${i}.example.net`);
      expect(r).toEqual({ status: 'NOERROR', rdata: ['192.0.2.99'] });
    }
  });

  it('nothing but forgeries: never a forged answer (SERVFAIL or the TCP retry\'s answer)', async () => {
    const r = await dig(port.forward, 'only-forged.example.net', 'A', ['+time=8']);
    expect(r.answer.filter((l) => l.includes('6.6.6.'))).toEqual([]);
    expect(['SERVFAIL', 'TIMEOUT']).toContain(r.status);
  }, 20_000);
});
