import { describe, expect, it } from 'vitest';
import { Class, Rcode, Type } from '../../dns/constants.js';
import { replyTo } from '../../dns/message.js';
import type { Next } from '../../plugin/handler.js';
import { makeRequest, runChain, terminal } from '../../plugin/testing.js';
import { ask, fixtureSource, kubernetesFrom } from './testing.js';

const BLOCK = (opts: string, zones = 'cluster.local in-addr.arpa ip6.arpa') => `.:53 {\n kubernetes ${zones} {\n  ${opts}\n  ttl 30\n }\n}`;

const src = fixtureSource();
const insecure = kubernetesFrom(BLOCK('pods insecure'), src);
const serial = Math.floor(src.lastChange / 1000);
const soa = (zone = 'cluster.local.', ttl = 30) => `${zone} ${Math.min(ttl, 300)} IN SOA ns.dns.${zone} hostmaster.${zone} ${serial} 7200 1800 86400 ${ttl}`;

type Row = [name: string, type: number, rcode: string, answer: string[], extra?: string[]];

const table: Row[] = [
  // Services, ports and endpoints.
  ['svc-multi.testns.svc.cluster.local.', Type.SRV, 'NOERROR', [
    'svc-multi.testns.svc.cluster.local. 30 IN SRV 0 25 443 svc-multi.testns.svc.cluster.local.',
    'svc-multi.testns.svc.cluster.local. 30 IN SRV 0 25 53 svc-multi.testns.svc.cluster.local.',
    'svc-multi.testns.svc.cluster.local. 30 IN SRV 0 25 80 svc-multi.testns.svc.cluster.local.',
    'svc-multi.testns.svc.cluster.local. 30 IN SRV 0 25 9999 svc-multi.testns.svc.cluster.local.',
  ], ['svc-multi.testns.svc.cluster.local. 30 IN A 10.96.10.2']],
  ['_http._tcp.svc1.testns.svc.cluster.local.', Type.A, 'NOERROR', ['_http._tcp.svc1.testns.svc.cluster.local. 30 IN A 10.96.10.1']],
  ['http.tcp.svc1.testns.svc.cluster.local.', Type.SRV, 'NOERROR', ['http.tcp.svc1.testns.svc.cluster.local. 30 IN SRV 0 100 80 svc1.testns.svc.cluster.local.'], ['svc1.testns.svc.cluster.local. 30 IN A 10.96.10.1']],
  ['_tcp.svc1.testns.svc.cluster.local.', Type.A, 'NXDOMAIN', []],
  ['10-244-1-10.svc1.testns.svc.cluster.local.', Type.A, 'NOERROR', ['10-244-1-10.svc1.testns.svc.cluster.local. 30 IN A 10.244.1.10']],
  ['10-244-2-51.svc1.testns.svc.cluster.local.', Type.A, 'NXDOMAIN', []],
  ['hdls-0.hdls.testns.svc.cluster.local.', Type.SRV, 'NOERROR', [
    'hdls-0.hdls.testns.svc.cluster.local. 30 IN SRV 0 25 8080 hdls-0.hdls.testns.svc.cluster.local.',
    'hdls-0.hdls.testns.svc.cluster.local. 30 IN SRV 0 25 9090 hdls-0.hdls.testns.svc.cluster.local.',
  ], ['hdls-0.hdls.testns.svc.cluster.local. 30 IN A 10.244.1.20', 'hdls-0.hdls.testns.svc.cluster.local. 30 IN AAAA fd00:10:244:1::20']],
  ['_http._tcp.hdls.testns.svc.cluster.local.', Type.AAAA, 'NOERROR', [
    '_http._tcp.hdls.testns.svc.cluster.local. 30 IN AAAA fd00:10:244:1::20',
    '_http._tcp.hdls.testns.svc.cluster.local. 30 IN AAAA fd00:10:244:2::21',
  ]],
  ['hdls-noports.testns.svc.cluster.local.', Type.A, 'NOERROR', ['hdls-noports.testns.svc.cluster.local. 30 IN A 10.244.2.26']],
  ['svc-dual.testns.svc.cluster.local.', Type.A, 'NOERROR', ['svc-dual.testns.svc.cluster.local. 30 IN A 10.96.10.3']],
  // TXT and other types follow CoreDNS: NODATA only where some record exists.
  ['cluster.local.', Type.TXT, 'NXDOMAIN', []],
  ['testns.svc.cluster.local.', Type.TXT, 'NXDOMAIN', []],
  ['_http._tcp.svc1.testns.svc.cluster.local.', Type.TXT, 'NOERROR', []],
  ['dns-version.cluster.local.', Type.A, 'NXDOMAIN', []],
  ['svc1.testns.svc.cluster.local.', Type.MX, 'NOERROR', []],
  ['nosuch.testns.svc.cluster.local.', Type.MX, 'NXDOMAIN', []],
  ['svc1.testns.svc.cluster.local.', Type.NS, 'NOERROR', []],
  ['svc1.testns.svc.cluster.local.', Type.HINFO, 'NOERROR', []],
  ['nosuch.testns.svc.cluster.local.', Type.CAA, 'NXDOMAIN', []],
  ['svc1.testns.svc.cluster.local.', Type.PTR, 'NOERROR', []],
  ['nosuch.testns.svc.cluster.local.', Type.PTR, 'NXDOMAIN', []],
  ['svc.cluster.local.', Type.A, 'NOERROR', []],
  ['pod.cluster.local.', Type.A, 'NOERROR', []],
  // ns.dns: addresses of this server; its parent does not exist (CoreDNS quirk).
  ['ns.dns.cluster.local.', Type.A, 'NOERROR', ['ns.dns.cluster.local. 30 IN A 198.51.100.53']],
  ['ns.dns.cluster.local.', Type.AAAA, 'NOERROR', []],
  ['ns.dns.cluster.local.', Type.TXT, 'NXDOMAIN', []],
  ['cluster.local.', Type.NS, 'NOERROR', ['cluster.local. 30 IN NS ns.dns.cluster.local.'], ['ns.dns.cluster.local. 30 IN A 198.51.100.53']],
  // Pods (insecure): any IP, extra labels in front ignored as CoreDNS's parser does.
  ['fd00-10-244-1--10.testns.pod.cluster.local.', Type.AAAA, 'NOERROR', ['fd00-10-244-1--10.testns.pod.cluster.local. 30 IN AAAA fd00:10:244:1::10']],
  ['x.1-2-3-4.testns.pod.cluster.local.', Type.A, 'NOERROR', ['x.1-2-3-4.testns.pod.cluster.local. 30 IN A 1.2.3.4']],
  ['a.b.c.1-2-3-4.testns.pod.cluster.local.', Type.A, 'NXDOMAIN', []],
  ['01-2-3-4.testns.pod.cluster.local.', Type.A, 'NXDOMAIN', []],
  ['x.1-2-3-4.testns.pod.cluster.local.', Type.SRV, 'NOERROR', ['x.1-2-3-4.testns.pod.cluster.local. 30 IN SRV 0 100 0 1-2-3-4.testns.pod.cluster.local.'], ['1-2-3-4.testns.pod.cluster.local. 30 IN A 1.2.3.4']],
  ['1-2-3-4.testns.pod.cluster.local.', Type.TXT, 'NOERROR', []],
  // Reverse zones: the apex exists, forward-looking names do not, PTRs of endpoints of several services.
  ['in-addr.arpa.', Type.A, 'NOERROR', []],
  ['svc.in-addr.arpa.', Type.A, 'NOERROR', []],
  ['96.10.in-addr.arpa.', Type.PTR, 'NXDOMAIN', []],
  ['10.1.244.10.in-addr.arpa.', Type.PTR, 'NOERROR', [
    '10.1.244.10.in-addr.arpa. 30 IN PTR 10-244-1-10.svc1.testns.svc.cluster.local.',
    '10.1.244.10.in-addr.arpa. 30 IN PTR 10-244-1-10.web-alt.testns.svc.cluster.local.',
  ]],
  ['53.2.0.192.in-addr.arpa.', Type.PTR, 'NOERROR', ['53.2.0.192.in-addr.arpa. 30 IN PTR dup.hdls-nosel.testns.svc.cluster.local.']],
  ['dns-version.in-addr.arpa.', Type.TXT, 'NOERROR', ['dns-version.in-addr.arpa. 28800 IN TXT "1.1.0"']],
  // ExternalName: the in-zone target is chased; a missing in-zone target leaves nothing (NODATA).
  ['svc-ext-internal.testns.svc.cluster.local.', Type.SRV, 'NOERROR', []],
  ['svc-ext-missing.testns.svc.cluster.local.', Type.A, 'NOERROR', []],
  ['svc-ext-ip.testns.svc.cluster.local.', Type.CNAME, 'NXDOMAIN', []],
];

describe('kubernetes handler', () => {
  for (const [name, type, rcode, answer, extra] of table) {
    it(`${name} ${type} -> ${rcode}`, async () => {
      const r = await ask(insecure, name, type);
      expect(r.rcode).toBe(rcode);
      expect(r.aa).toBe(true);
      expect(r.answer).toEqual([...answer].sort());
      if (extra) expect(r.extra).toEqual([...extra].sort());
      const zone = name.endsWith('in-addr.arpa.') ? 'in-addr.arpa.' : 'cluster.local.';
      expect(r.ns).toEqual(answer.length ? [] : [soa(zone)]);
    });
  }

  it('passes names outside its zones to the next plugin', async () => {
    const next = terminal();
    await runChain([insecure], makeRequest('example.org.', Type.A), next);
    expect(next.calls).toHaveLength(1);
  });

  it('names the Service this server is an endpoint of as the name server (CoreDNS in a cluster)', async () => {
    const k = kubernetesFrom(BLOCK('pods insecure'));
    k.localIPs = ['10.244.0.2'];
    const ns = await ask(k, 'cluster.local.', Type.NS);
    expect(ns.answer).toEqual(['cluster.local. 30 IN NS kube-dns.kube-system.svc.cluster.local.']);
    expect(ns.extra).toEqual(['kube-dns.kube-system.svc.cluster.local. 30 IN A 10.96.0.10']);
    expect((await ask(k, 'ns.dns.cluster.local.', Type.A)).answer).toEqual(['ns.dns.cluster.local. 30 IN A 10.96.0.10']);
    // A headless service's endpoints are named one by one.
    k.localIPs = ['10.244.1.20'];
    expect((await ask(k, 'cluster.local.', Type.NS)).extra).toEqual([
      'hdls-0.hdls.testns.svc.cluster.local. 30 IN A 10.244.1.20',
      'hdls-1.hdls.testns.svc.cluster.local. 30 IN A 10.244.2.21',
    ]);
  });

  it('refuses zone transfers', async () => {
    for (const t of [Type.AXFR, Type.IXFR]) {
      const r = await ask(insecure, 'cluster.local.', t);
      expect(r.rcode).toBe('REFUSED');
      expect(r.answer).toEqual([]);
    }
  });

  it('puts the last change (Unix seconds) in the SOA serial', async () => {
    const s = fixtureSource();
    const k = kubernetesFrom(BLOCK('pods insecure'), s);
    s.lastChange = Date.UTC(2030, 0, 1) + 999;
    const r = await ask(k, 'cluster.local.', Type.SOA);
    expect(r.msg.answer[0]!.serial).toBe(Date.UTC(2030, 0, 1) / 1000);
  });

  it('echoes the client spelling in owners, SRV targets, glue and the SOA', async () => {
    const r = await ask(insecure, '_HTTP._Tcp.Hdls.TestNS.svc.Cluster.LOCAL.', Type.SRV);
    expect(r.answer).toEqual([
      '_HTTP._Tcp.Hdls.TestNS.svc.Cluster.LOCAL. 30 IN SRV 0 25 8080 hdls-0.hdls.testns.svc.Cluster.LOCAL.',
      '_HTTP._Tcp.Hdls.TestNS.svc.Cluster.LOCAL. 30 IN SRV 0 25 8080 hdls-1.hdls.testns.svc.Cluster.LOCAL.',
    ]);
    expect(r.extra).toContain('hdls-0.hdls.testns.svc.Cluster.LOCAL. 30 IN A 10.244.1.20');
    const nx = await ask(insecure, 'nope.TESTNS.svc.cluster.LOCAL.', Type.A);
    expect(nx.ns).toEqual([soa('cluster.LOCAL.')]);
  });

  it('serves the same names under every forward zone it has', async () => {
    const k = kubernetesFrom(BLOCK('pods insecure', 'cluster.local example.com'));
    expect((await ask(k, 'svc1.testns.svc.example.com.', Type.A)).answer).toEqual(['svc1.testns.svc.example.com. 30 IN A 10.96.10.1']);
    const srv = await ask(k, '_http._tcp.svc1.testns.svc.example.com.', Type.SRV);
    expect(srv.answer).toEqual(['_http._tcp.svc1.testns.svc.example.com. 30 IN SRV 0 100 80 svc1.testns.svc.example.com.']);
    // PTR targets are always in the first (primary) zone.
    const k2 = kubernetesFrom(BLOCK('', 'example.com cluster.local in-addr.arpa'));
    expect((await ask(k2, '1.10.96.10.in-addr.arpa.', Type.PTR)).answer).toEqual(['1.10.96.10.in-addr.arpa. 30 IN PTR svc1.testns.svc.example.com.']);
  });

  it('answers SERVFAIL instead of NXDOMAIN until the source has synced', async () => {
    const s = fixtureSource({ synced: false });
    const k = kubernetesFrom(BLOCK('pods insecure\n fallthrough in-addr.arpa'), s);
    expect(k.isReady()).toBe(false);
    const miss = await ask(k, 'nosuch.testns.svc.cluster.local.', Type.A);
    expect(miss.rcode).toBe('SERVFAIL');
    expect(miss.ns).toEqual([soa()]);
    expect((await ask(k, 'svc1.testns.svc.cluster.local.', Type.A)).rcode).toBe('NOERROR');
    expect((await ask(k, 'svc1.testns.svc.cluster.local.', Type.AAAA)).rcode).toBe('NOERROR');
    // Fallthrough is decided first, as in CoreDNS.
    const next = terminal();
    await runChain([k], makeRequest('4.3.2.1.in-addr.arpa.', Type.PTR), next);
    expect(next.calls).toHaveLength(1);
    s.markSynced();
    expect(k.isReady()).toBe(true);
    expect((await ask(k, 'nosuch.testns.svc.cluster.local.', Type.A)).rcode).toBe('NXDOMAIN');
  });

  it('falls through only for NXDOMAIN in the fallthrough zones', async () => {
    const k = kubernetesFrom(BLOCK('fallthrough svc.cluster.local'));
    const next: Next & { calls: string[] } = Object.assign(async (req: Parameters<Next>[0]) => {
      next.calls.push(req.qname);
      return replyTo(req.msg, Rcode.NXDOMAIN);
    }, { calls: [] as string[] });
    await runChain([k], makeRequest('nosuch.testns.svc.cluster.local.', Type.A), next);
    await runChain([k], makeRequest('svc1.testns.svc.cluster.local.', Type.AAAA), next);
    await runChain([k], makeRequest('foo.cluster.local.', Type.A), next);
    expect(next.calls).toEqual(['nosuch.testns.svc.cluster.local.']);
  });
});

describe('kubernetes handler: wire cache tokens', () => {
  const run = async (k: ReturnType<typeof kubernetesFrom>, name: string, type: number) => {
    const req = makeRequest(name, type);
    await runChain([k], req, async (r) => replyTo(r.msg, Rcode.NXDOMAIN));
    return req.wireToken;
  };

  it('vouches for its answers until the cluster changes', async () => {
    const s = fixtureSource();
    const k = kubernetesFrom(BLOCK('pods insecure\n fallthrough in-addr.arpa'), s);
    const a = await run(k, 'svc1.testns.svc.cluster.local.', Type.A);
    const nx = await run(k, 'nosuch.testns.svc.cluster.local.', Type.A);
    expect(a?.valid).toBe(true);
    // Per Service: a name that does not exist yet has its own token, flipped when it is created.
    expect(nx).not.toBe(a);
    expect(nx?.valid).toBe(true);
    s.upsert('Namespace', { name: 'new', resourceVersion: '1', labels: {} });
    expect(nx!.valid).toBe(false);
    expect(a!.valid).toBe(false);
    expect((await run(k, 'svc1.testns.svc.cluster.local.', Type.A))?.valid).toBe(true);
  });

  it('vouches for SRV answers (the wire cache keys on the exact spelling) but not fallthrough, upstream data, or before the sync', async () => {
    const k = kubernetesFrom(BLOCK('pods insecure\n fallthrough in-addr.arpa'));
    expect(await run(k, '_http._tcp.svc1.testns.svc.cluster.local.', Type.SRV)).toBeDefined();
    expect(await run(k, '4.3.2.1.in-addr.arpa.', Type.PTR)).toBeUndefined();
    k.resolve = async (n, t) => replyTo(makeRequest(n, t).msg, Rcode.NOERROR);
    expect(await run(k, 'svc-ext.testns.svc.cluster.local.', Type.A)).toBeUndefined();
    expect(await run(k, 'svc-ext.testns.svc.cluster.local.', Type.CNAME)).toBeDefined();
    const early = kubernetesFrom(BLOCK(''), fixtureSource({ synced: false }));
    expect(await run(early, 'svc1.testns.svc.cluster.local.', Type.A)).toBeUndefined();
  });
});

describe('kubernetes handler: ExternalName targets outside the zone', () => {
  const upstreamA = (address: string) => async (name: string, type: number) => {
    const m = replyTo(makeRequest(name, type).msg, Rcode.NOERROR);
    if (type === Type.A) m.answer = [{ name, type, class: Class.IN, ttl: 300, address }];
    return m;
  };

  it('appends what the server resolves for the target', async () => {
    const k = kubernetesFrom(BLOCK(''));
    k.resolve = upstreamA('192.0.2.10');
    const r = await ask(k, 'svc-ext.testns.svc.cluster.local.', Type.A);
    expect(r.answer).toEqual(['example.org. 300 IN A 192.0.2.10', 'svc-ext.testns.svc.cluster.local. 30 IN CNAME example.org.']);
  });

  it('drops the CNAME when resolving fails, answers it alone without a resolver', async () => {
    const k = kubernetesFrom(BLOCK(''));
    expect((await ask(k, 'svc-ext.testns.svc.cluster.local.', Type.A)).answer).toEqual(['svc-ext.testns.svc.cluster.local. 30 IN CNAME example.org.']);
    k.resolve = () => Promise.reject(new Error('timeout'));
    const r = await ask(k, 'svc-ext.testns.svc.cluster.local.', Type.A);
    expect(r.rcode).toBe('NOERROR');
    expect(r.answer).toEqual([]);
  });

  it('does not follow a CNAME to a name at or below itself', async () => {
    const s = fixtureSource();
    s.upsert('Service', { ...s.snapshot().services.get('testns/svc-ext')!, externalName: 'a.svc-ext.testns.svc.cluster.local' });
    const k = kubernetesFrom(BLOCK(''), s);
    let asked = 0;
    k.resolve = async (n, t) => {
      asked++;
      return upstreamA('192.0.2.1')(n, t);
    };
    expect((await ask(k, 'svc-ext.testns.svc.cluster.local.', Type.A)).answer).toEqual([]);
    expect(asked).toBe(0);
  });

  it('follows in-zone chains, and stops a loop', async () => {
    const s = fixtureSource();
    const base = s.snapshot().services.get('testns/svc-ext')!;
    s.upsert('Service', { ...base, name: 'hop1', externalName: 'hop2.testns.svc.cluster.local' });
    s.upsert('Service', { ...base, name: 'hop2', externalName: 'svc1.testns.svc.cluster.local' });
    s.upsert('Service', { ...base, name: 'loop1', externalName: 'loop2.testns.svc.cluster.local' });
    s.upsert('Service', { ...base, name: 'loop2', externalName: 'loop1.testns.svc.cluster.local' });
    const k = kubernetesFrom(BLOCK(''), s);
    expect((await ask(k, 'hop1.testns.svc.cluster.local.', Type.A)).answer).toEqual([
      'hop1.testns.svc.cluster.local. 30 IN CNAME hop2.testns.svc.cluster.local.',
      'hop2.testns.svc.cluster.local. 30 IN CNAME svc1.testns.svc.cluster.local.',
      'svc1.testns.svc.cluster.local. 30 IN A 10.96.10.1',
    ]);
    const loop = await ask(k, 'loop1.testns.svc.cluster.local.', Type.A);
    expect(loop.rcode).toBe('NOERROR');
    expect(loop.answer).toEqual([]);
  });
});
