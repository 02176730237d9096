/**
 * One end-to-end test per chain plugin through the real CLI and dig: forward, cache, autopath,
 * rewrite, hosts, whoami, log, errors, and several server blocks (a stub domain, a second port).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rcode, Type } from '../../src/dns/constants.js';
import { replyTo } from '../../src/dns/message.js';
import { startApiServer, type ApiServer } from '../apiserver/server.js';
import { CLUSTER_YAML } from '../conformance/cases.js';
import { freePort, startCli, type Running } from '../helpers/cli.js';
import { dig } from '../helpers/dig.js';
import { answerA, deadPort, startStub, type Stub } from '../helpers/stub-upstream.js';
import { udpQuery } from '../helpers/wire-client.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A stub answering every A question with `address` (TTL 300; names starting `short.` TTL 1). */
function fixedStub(address: string): Promise<Stub> {
  return startStub((q) => {
    const r = answerA(q, address);
    if (q.question[0]!.type !== Type.A) r.answer = [];
    for (const rr of r.answer) rr.ttl = q.question[0]!.name.startsWith('short.') ? 1 : 300;
    return r;
  });
}

/** Names the stub was asked, in order. */
const asked = (s: Stub) => s.queries.map((q) => q.msg.question[0]!.name);

/** Polls `srv`'s output for `re` (at most `ms`). */
async function outputMatches(srv: Running, re: RegExp, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!re.test(srv.output())) {
    if (Date.now() > end) return false;
    await sleep(20);
  }
  return true;
}

/** Value of the one sample of `name` carrying `labels` (0 if absent). */
async function metric(port: number, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)));
  return line ? Number(line.split(' ').pop()) : 0;
}

const running: Running[] = [];
const stubs: Stub[] = [];
/** Starts the CLI and remembers it for teardown. */
async function cli(corefile: string, opts?: Parameters<typeof startCli>[1]): Promise<Running> {
  const srv = await startCli(corefile, opts);
  running.push(srv);
  return srv;
}
async function stub(address: string): Promise<Stub> {
  const s = await fixedStub(address);
  stubs.push(s);
  return s;
}
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop('SIGKILL')));
  await Promise.all(stubs.map((s) => s.close().catch(() => {})));
});

describe('forward', () => {
  let a: Stub;
  let b: Stub;
  beforeAll(async () => {
    a = await stub('192.0.2.1');
    b = await stub('192.0.2.2');
  });

  it('policy sequential always asks the first upstream; round_robin takes turns', async () => {
    const seq = await cli(`.:{port} {\n    forward . ${a.addr} ${b.addr} {\n        policy sequential\n    }\n}\n`);
    for (let i = 0; i < 4; i++) expect((await dig(seq.port, `s${i}.seq.test`)).answer).toEqual([`s${i}.seq.test. 300 IN A 192.0.2.1`]);
    expect(asked(a).filter((n) => n.endsWith('seq.test.'))).toHaveLength(4);
    expect(asked(b).filter((n) => n.endsWith('seq.test.'))).toHaveLength(0);

    const rr = await cli(`.:{port} {\n    forward . ${a.addr} ${b.addr} {\n        policy round_robin\n    }\n}\n`);
    const got: Array<string | undefined> = [];
    for (let i = 0; i < 6; i++) got.push((await dig(rr.port, `r${i}.rr.test`)).answer[0]?.split(' ').pop());
    // Strict turns (3 and 3) unless a slow reply made forward fail over; either way both take part.
    expect(got.filter((x) => x === '192.0.2.1').length).toBeGreaterThanOrEqual(1);
    expect(got.filter((x) => x === '192.0.2.2').length).toBeGreaterThanOrEqual(1);
    expect(asked(a).filter((n) => n.endsWith('rr.test.')).length + asked(b).filter((n) => n.endsWith('rr.test.')).length).toBeGreaterThanOrEqual(6);
  });

  it('a dead upstream: the next one answers', async () => {
    const dead = await deadPort();
    const srv = await cli(`.:{port} {\n    forward . 127.0.0.1:${dead} ${b.addr} {\n        policy sequential\n    }\n}\n`);
    for (let i = 0; i < 3; i++) {
      const t0 = Date.now();
      const r = await dig(srv.port, `d${i}.dead.test`);
      expect(r.status).toBe('NOERROR');
      expect(r.answer).toEqual([`d${i}.dead.test. 300 IN A 192.0.2.2`]);
      expect(Date.now() - t0).toBeLessThan(2500);
    }
    // Every upstream dead: SERVFAIL, not silence.
    const none = await cli(`.:{port} {\n    forward . 127.0.0.1:${dead}\n}\n`);
    expect((await dig(none.port, 'x.dead.test')).status).toBe('SERVFAIL');
  });

  it('except: excluded names skip forward and go to the next plugin', async () => {
    const srv = await cli(`.:{port} {\n    forward . ${a.addr} {\n        except internal.test\n    }\n    whoami\n}\n`);
    const inside = await dig(srv.port, 'host.internal.test');
    expect(inside.answer).toEqual([]);
    expect(inside.additional[0]).toBe('host.internal.test. 0 IN A 127.0.0.1');
    expect(asked(a)).not.toContain('host.internal.test.');
    expect((await dig(srv.port, 'host.external.test')).answer).toEqual(['host.external.test. 300 IN A 192.0.2.1']);
    expect(asked(a)).toContain('host.external.test.');
  });
});

describe('cache', () => {
  it('counts TTLs down, and answers from memory (or stale) once the upstream died', async () => {
    const up = await fixedStub('192.0.2.3');
    const srv = await cli(`.:{port} {\n    cache {\n        success 10000 3600 0\n        serve_stale\n    }\n    forward . ${up.addr}\n}\n`);
    try {
      expect((await dig(srv.port, 'long.cache.test')).answer).toEqual(['long.cache.test. 300 IN A 192.0.2.3']);
      expect((await dig(srv.port, 'short.cache.test')).answer).toEqual(['short.cache.test. 1 IN A 192.0.2.3']);
      await sleep(1600);
      const again = await dig(srv.port, 'long.cache.test');
      const ttl = Number(again.answer[0]!.split(' ')[1]);
      expect(ttl).toBeLessThan(300);
      expect(ttl).toBeGreaterThanOrEqual(297);
      expect(asked(up).filter((n) => n === 'long.cache.test.')).toHaveLength(1);
    } finally {
      await up.close();
    }
    // The upstream is gone: the live entry is still served, the expired one served stale (TTL 0).
    const kept = await dig(srv.port, 'long.cache.test');
    expect(kept.status).toBe('NOERROR');
    expect(kept.answer[0]).toMatch(/^long\.cache\.test\. 29\d IN A 192\.0\.2\.3$/);
    expect((await dig(srv.port, 'short.cache.test')).answer).toEqual(['short.cache.test. 0 IN A 192.0.2.3']);
    expect((await dig(srv.port, 'never.cache.test')).status).toBe('SERVFAIL');
  });
});

describe('with the cluster', () => {
  let api: ApiServer;
  let up: Stub;
  beforeAll(async () => {
    api = await startApiServer();
    api.load(readFileSync(CLUSTER_YAML, 'utf8'));
    up = await stub('192.0.2.9');
  });
  afterAll(async () => {
    await api?.close();
  });
  const kube = (pods: string) => `    kubernetes cluster.local in-addr.arpa ip6.arpa {\n        endpoint ${api.url}\n        pods ${pods}\n        fallthrough in-addr.arpa ip6.arpa\n        ttl 30\n    }\n`;

  it('autopath @kubernetes: a pod\'s search-path query gets CNAME + A as CoreDNS', async () => {
    const metrics = await freePort();
    const srv = await cli(`.:{port} {\n    autopath @kubernetes\n    prometheus 127.0.0.1:${metrics}\n${kube('verified')}    forward . ${up.addr}\n}\n`);
    const name = 'svc1.testns.svc.cluster.local.testns.svc.cluster.local.';
    // 127.0.0.1 is the hostNetwork pod testns/dns-client in the fixture.
    const r = await dig(srv.port, name);
    expect(r.status).toBe('NOERROR');
    expect(r.question).toEqual([`${name} IN A`]);
    expect(r.answer).toEqual([`${name} 30 IN CNAME svc1.testns.svc.cluster.local.`, 'svc1.testns.svc.cluster.local. 30 IN A 10.96.10.1']);
    const third = await dig(srv.port, 'kubernetes.default.svc.testns.svc.cluster.local.');
    expect(third.answer).toEqual(['kubernetes.default.svc.testns.svc.cluster.local. 30 IN CNAME kubernetes.default.svc.cluster.local.', 'kubernetes.default.svc.cluster.local. 30 IN A 10.96.0.1']);
    expect(await metric(metrics, 'coredns_autopath_success_total', { server: `dns://:${srv.port}` })).toBe(2);
    // From an address that is no pod there is no search path: the name does not exist.
    expect((await dig(srv.port, name, 'A', ['-b', '127.0.0.2'])).status).toBe('NXDOMAIN');
  });

  it('rewrite name exact: the cluster answers under the client\'s name', async () => {
    const srv = await cli(`.:{port} {\n    rewrite name exact foo.example.com. svc1.testns.svc.cluster.local.\n${kube('insecure')}    forward . ${up.addr}\n}\n`);
    const r = await dig(srv.port, 'foo.example.com');
    expect(r.status).toBe('NOERROR');
    expect(r.question).toEqual(['foo.example.com. IN A']);
    expect(r.answer).toEqual(['foo.example.com. 30 IN A 10.96.10.1']);
    expect(asked(up)).not.toContain('foo.example.com.');
    // Other names are untouched.
    expect((await dig(srv.port, 'bar.example.com')).answer).toEqual(['bar.example.com. 300 IN A 192.0.2.9']);
  });
});

describe('hosts', () => {
  it('answers from inline lines and a hosts file, forward and reverse, and falls through', async () => {
    const up = await stub('192.0.2.9');
    const hostsFile = '192.0.2.6 file.example.test alias\n2001:db8::6 file.example.test\n';
    const srv = await cli(`.:{port} {\n    hosts hosts.txt {\n        192.0.2.5 inline.example.test\n        ttl 60\n        fallthrough\n    }\n    forward . ${up.addr}\n}\n`, { files: { 'hosts.txt': hostsFile } });
    expect((await dig(srv.port, 'inline.example.test')).answer).toEqual(['inline.example.test. 60 IN A 192.0.2.5']);
    expect((await dig(srv.port, 'file.example.test')).answer).toEqual(['file.example.test. 60 IN A 192.0.2.6']);
    expect((await dig(srv.port, 'alias')).answer).toEqual(['alias. 60 IN A 192.0.2.6']);
    expect((await dig(srv.port, 'file.example.test', 'AAAA')).answer).toEqual(['file.example.test. 60 IN AAAA 2001:db8::6']);
    const ptr = await dig(srv.port, '6.2.0.192.in-addr.arpa', 'PTR');
    expect(ptr.answer).toContain('6.2.0.192.in-addr.arpa. 60 IN PTR file.example.test.');
    // A name in the data without that type: NOERROR, no answer.
    const nodata = await dig(srv.port, 'inline.example.test', 'AAAA');
    expect([nodata.status, nodata.answer]).toEqual(['NOERROR', []]);
    expect(asked(up)).not.toContain('inline.example.test.');
    expect((await dig(srv.port, 'elsewhere.test')).answer).toEqual(['elsewhere.test. 300 IN A 192.0.2.9']);
  });
});

describe('whoami', () => {
  it('tells the client its address, port and transport', async () => {
    const srv = await cli('.:{port} {\n    whoami\n}\n');
    const udp = await dig(srv.port, 'who.example.test');
    expect(udp.status).toBe('NOERROR');
    expect(udp.flags).toContain('aa');
    expect(udp.answer).toEqual([]);
    expect(udp.additional[0]).toBe('who.example.test. 0 IN A 127.0.0.1');
    expect(udp.additional[1]).toMatch(/^_udp\.who\.example\.test\. 0 IN SRV 0 0 \d+ \.$/);
    const tcp = await dig(srv.port, 'who.example.test', 'TXT', ['+tcp', '-b', '127.0.0.3']);
    expect(tcp.additional[0]).toBe('who.example.test. 0 IN A 127.0.0.3');
    expect(tcp.additional[1]).toMatch(/^_tcp\.who\.example\.test\. 0 IN SRV 0 0 \d+ \.$/);
  });
});

describe('log', () => {
  it('prints one line per query in CoreDNS\'s format', async () => {
    const srv = await cli('.:{port} {\n    log\n    whoami\n}\n');
    const r = await dig(srv.port, 'Logged.Example.Test', 'AAAA');
    const port = r.additional[1]!.split(' ')[6];
    const line = new RegExp(`\\[INFO\\] 127\\.0\\.0\\.1:${port} - ${r.id} "AAAA IN logged\\.example\\.test\\. udp \\d+ false 1232" NOERROR qr,aa,rd \\d+ \\d+(\\.\\d+)?s`);
    expect(await outputMatches(srv, line), srv.output()).toBe(true);
    const t = await dig(srv.port, 'second.example.test', 'A', ['+tcp']);
    expect(await outputMatches(srv, new RegExp(`- ${t.id} "A IN second\\.example\\.test\\. tcp \\d+ false 65535" NOERROR`))).toBe(true);
  });

  it('class denial logs only denials', async () => {
    const up = await startStub((q) => (q.question[0]!.name.startsWith('nx.') ? replyTo(q, Rcode.NXDOMAIN) : answerA(q, '192.0.2.1')));
    stubs.push(up);
    const srv = await cli(`.:{port} {\n    log {\n        class denial\n    }\n    forward . ${up.addr}\n}\n`);
    await dig(srv.port, 'ok.log.test');
    await dig(srv.port, 'nx.log.test');
    expect(await outputMatches(srv, /"A IN nx\.log\.test\. udp \d+ false 1232" NXDOMAIN/)).toBe(true);
    expect(srv.output()).not.toContain('ok.log.test');
  });
});

describe('errors', () => {
  it('logs a failing query, and consolidates repeated ones', async () => {
    const dead = await deadPort();
    const srv = await cli(`.:{port} {\n    errors\n    forward . 127.0.0.1:${dead}\n}\n`);
    expect((await dig(srv.port, 'broken.example.test')).status).toBe('SERVFAIL');
    expect(await outputMatches(srv, /\[ERROR\] plugin\/errors: 2 broken\.example\.test\. A: \S.*/), srv.output()).toBe(true);

    const quiet = await cli(`.:{port} {\n    errors {\n        consolidate 1s ".*"\n    }\n    forward . 127.0.0.1:${dead}\n}\n`);
    const replies = await Promise.all([0, 1, 2].map((i) => udpQuery(quiet.port, `c${i}.example.test.`, Type.A)));
    expect(replies.map((r) => r.rcode)).toEqual([Rcode.SERVFAIL, Rcode.SERVFAIL, Rcode.SERVFAIL]);
    // One summary per period (the three usually share one), no line per query.
    const summaries = () => [...quiet.output().matchAll(/\[ERROR\] plugin\/errors: (\d+) errors like '\.\*' occurred in last 1s/g)].reduce((n, m) => n + Number(m[1]), 0);
    for (const end = Date.now() + 5000; summaries() < 3 && Date.now() < end; ) await sleep(50);
    expect(summaries(), quiet.output()).toBe(3);
    expect(quiet.output()).not.toContain('example.test');
  });
});

describe('several server blocks', () => {
  it('routes a stub domain to its own upstream and serves a second port', async () => {
    const main = await stub('192.0.2.1');
    const corp = await stub('192.0.2.2');
    const port2 = await freePort();
    const srv = await cli(
      `corp.example:{port} {\n    forward . ${corp.addr}\n}\n.:{port} {\n    forward . ${main.addr}\n}\nexample.test:${port2} {\n    whoami\n}\n`,
    );
    expect(srv.output()).toContain(`corp.example.:${srv.port}`);
    expect((await dig(srv.port, 'git.corp.example')).answer).toEqual(['git.corp.example. 300 IN A 192.0.2.2']);
    expect((await dig(srv.port, 'corp.example')).answer).toEqual(['corp.example. 300 IN A 192.0.2.2']);
    expect((await dig(srv.port, 'www.elsewhere.test')).answer).toEqual(['www.elsewhere.test. 300 IN A 192.0.2.1']);
    expect(asked(main).filter((n) => n.includes('corp'))).toEqual([]);
    expect(asked(corp)).not.toContain('www.elsewhere.test.');
    expect((await dig(port2, 'a.example.test')).additional[0]).toBe('a.example.test. 0 IN A 127.0.0.1');
    // The second port serves only its zone.
    expect((await dig(port2, 'www.elsewhere.test')).status).toBe('REFUSED');
    expect(asked(main)).not.toContain('a.example.test.');
  });
});
