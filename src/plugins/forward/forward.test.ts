import { afterEach, describe, expect, it } from 'vitest';
import { Rcode, Type } from '../../dns/constants.js';
import { newQuery, replyTo, type Msg } from '../../dns/message.js';
import { PluginError } from '../../plugin/handler.js';
import { registry } from '../../plugin/metrics.js';
import { makeRequest, runChain, terminal } from '../../plugin/testing.js';
import type { Directive } from '../../corefile/types.js';
import { Cache } from '../cache/cache.js';
import { parseCache } from '../cache/config.js';
import { parseStanza } from './config.js';
import { Forward, ForwardHandler } from './forward.js';
import { answerA, deadPort, startStub, type Stub, type StubHandler } from '../../../test/helpers/stub-upstream.js';

const stubs: Stub[] = [];
const handlers: ForwardHandler[] = [];

afterEach(async () => {
  for (const h of handlers.splice(0)) h.stop();
  for (const s of stubs.splice(0)) await s.close();
});

async function stub(h: StubHandler): Promise<Stub> {
  const s = await startStub(h);
  stubs.push(s);
  return s;
}

function line(args: string[], block: Array<[string, ...string[]]> = [], n = 1): Directive {
  return {
    name: 'forward', args, file: 'Corefile', line: n,
    block: block.map(([name, ...a], i) => ({ name, args: a, block: null, file: 'Corefile', line: n + i + 1 })),
  };
}

function handler(...lines: Directive[]): ForwardHandler {
  const h = new ForwardHandler(lines.map((d) => new Forward(parseStanza(d))));
  handlers.push(h);
  return h;
}

async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = await registry.getSingleMetric(name)?.get();
  const v = m?.values.find((x) => Object.entries(labels).every(([k, val]) => x.labels[k] === val));
  return v?.value ?? 0;
}

describe('forward', () => {
  it('answers with the client ID and question spelling, using random upstream IDs', async () => {
    const up = await stub((q) => {
      const r = answerA(q, '192.0.2.1');
      r.question = [{ name: q.question[0]!.name.toLowerCase(), type: q.question[0]!.type, class: 1 }];
      return r;
    });
    const h = handler(line(['.', up.addr]));
    const ids = new Set<number>();
    for (let i = 0; i < 4; i++) {
      const reply = await runChain([h], makeRequest('WwW.Example.ORG.', Type.A));
      expect(reply.id).toBe(4242);
      expect(reply.question[0]!.name).toBe('WwW.Example.ORG.');
      expect(reply.answer[0]!.address).toBe('192.0.2.1');
      ids.add(up.queries[i]!.msg.id);
    }
    expect(ids.size).toBeGreaterThan(1);
    expect(await metric('coredns_proxy_request_duration_seconds', { to: up.addr, rcode: 'NOERROR' })).toBeGreaterThanOrEqual(0);
  });

  it('forwards the client EDNS size and DO bit as sent', async () => {
    const up = await stub((q) => answerA(q, '192.0.2.1'));
    const msg = newQuery('example.org.', Type.A, { id: 7, opt: { udpSize: 1232, version: 0, do: true, extendedRcode: 0, options: [] } });
    await runChain([handler(line(['.', up.addr]))], makeRequest('example.org.', Type.A, { msg }));
    expect(up.queries[0]!.msg.opt).toMatchObject({ udpSize: 1232, do: true });
  });

  it('retries a truncated UDP reply over TCP', async () => {
    const up = await stub((q, ctx) => {
      if (ctx.proto === 'udp') return { ...replyTo(q), tc: true };
      return answerA(q, '192.0.2.7', '192.0.2.8');
    });
    const reply = await runChain([handler(line(['.', up.addr]))], makeRequest('big.example.', Type.A));
    expect(reply.tc).toBe(false);
    expect(reply.answer.map((r) => r.address)).toEqual(['192.0.2.7', '192.0.2.8']);
    expect(up.queries.map((q) => q.proto)).toEqual(['udp', 'tcp']);
  });

  it('returns the truncated reply when the TCP retry fails', async () => {
    const up = await stub((q, ctx) => (ctx.proto === 'udp' ? { ...replyTo(q), tc: true } : undefined));
    const reply = await runChain([handler(line(['.', up.addr], [['read_timeout', '100ms']]))], makeRequest('big.example.', Type.A));
    expect(reply.tc).toBe(true);
    expect(reply.id).toBe(4242);
  });

  it('sends the question by its (possibly rewritten) name, not its received bytes', async () => {
    const up = await stub((q) => answerA(q, '192.0.2.1'));
    const msg = newQuery('Old.example.', Type.A, { id: 9 });
    const raw = new Uint8Array([3, 111, 108, 100, 7, 101, 120, 97, 109, 112, 108, 101, 0, 0, 1, 0, 1]);
    msg.question = [{ name: 'New.example.', type: Type.A, class: 1, raw }];
    const reply = await runChain([handler(line(['.', up.addr]))], makeRequest('New.example.', Type.A, { msg }));
    expect(up.queries[0]!.msg.question[0]!.name).toBe('New.example.');
    expect(reply.answer).toHaveLength(1);
  });

  it('ignores replies with a wrong ID, wrong question or from another port', async () => {
    const up = await stub(async (q, ctx) => {
      const bad = (m: Msg) => ctx.sendUdp(m);
      await bad({ ...answerA(q, '198.51.100.1'), id: (q.id + 1) & 0xffff });
      await bad({ ...answerA(q, '198.51.100.2'), question: [{ name: 'evil.example.', type: Type.A, class: 1 }] });
      await bad({ ...answerA(q, '198.51.100.3'), question: [{ ...q.question[0]!, type: Type.AAAA, raw: undefined }] });
      await ctx.sendUdp(answerA(q, '198.51.100.4'), true);
      await new Promise((r) => setTimeout(r, 30));
      return answerA(q, '192.0.2.53');
    });
    const reply = await runChain([handler(line(['.', up.addr]))], makeRequest('victim.example.', Type.A));
    expect(reply.answer.map((r) => r.address)).toEqual(['192.0.2.53']);
  });

  it('reuses upstream TCP connections', async () => {
    const up = await stub((q) => answerA(q, '192.0.2.1'));
    const h = handler(line(['.', up.addr], [['force_tcp']]));
    const before = await metric('coredns_proxy_conn_cache_hits_total', { to: up.addr, proto: 'tcp' });
    for (let i = 0; i < 3; i++) await runChain([h], makeRequest(`n${i}.example.`, Type.A));
    expect(up.queries.every((q) => q.proto === 'tcp')).toBe(true);
    expect(up.tcpConnections).toBe(1);
    expect((await metric('coredns_proxy_conn_cache_hits_total', { to: up.addr, proto: 'tcp' })) - before).toBe(2);
  });

  it('marks a dead upstream down after max_fails failed health checks and skips it', async () => {
    const dead = `127.0.0.1:${await deadPort()}`;
    const up = await stub((q) => answerA(q, '192.0.2.1'));
    const h = handler(line(['.', dead, up.addr], [['policy', 'sequential'], ['max_fails', '1'], ['health_check', '50ms']]));
    const failsBefore = await metric('coredns_proxy_healthcheck_failures_total', { to: dead });
    const reply = await runChain([h], makeRequest('a.example.', Type.A));
    expect(reply.answer[0]!.address).toBe('192.0.2.1');
    const deadUp = h.stanzas[0]!.upstreams[0]!;
    const until = Date.now() + 3000;
    while (!deadUp.down(1) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(deadUp.down(1)).toBe(true);
    expect(h.stanzas[0]!.upstreams[1]!.down(1)).toBe(false);
    expect((await metric('coredns_proxy_healthcheck_failures_total', { to: dead })) - failsBefore).toBeGreaterThanOrEqual(2);
    const n = up.queries.length;
    await runChain([h], makeRequest('b.example.', Type.A));
    expect(up.queries.length).toBe(n + 1);
  });

  it('tries a random upstream when all are down, then fails with SERVFAIL', async () => {
    const d1 = `127.0.0.1:${await deadPort()}`;
    const h = handler(line(['.', d1], [['max_fails', '1'], ['read_timeout', '200ms']]));
    const u = h.stanzas[0]!.upstreams[0]!;
    u.fails = 5;
    const broken = await metric('coredns_forward_healthcheck_broken_total');
    const err = await runChain([h], makeRequest('a.example.', Type.A)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PluginError);
    expect((err as PluginError).rcode).toBe(Rcode.SERVFAIL);
    expect((await metric('coredns_forward_healthcheck_broken_total')) - broken).toBe(1);
  });

  it('gives SERVFAIL after read timeouts when the upstream never answers', async () => {
    const up = await stub(() => undefined);
    const h = handler(line(['.', up.addr], [['read_timeout', '100ms'], ['max_fails', '0']]));
    const t0 = Date.now();
    const err = await runChain([h], makeRequest('slow.example.', Type.A)).catch((e: unknown) => e);
    expect((err as PluginError).rcode).toBe(Rcode.SERVFAIL);
    expect(up.queries.length).toBe(2); // max_connect_attempts defaults to 2 x upstreams
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it('refuses queries beyond max_concurrent', async () => {
    const up = await stub(async (q) => {
      await new Promise((r) => setTimeout(r, 150));
      return answerA(q, '192.0.2.1');
    });
    const h = handler(line(['.', up.addr], [['max_concurrent', '1']]));
    const before = await metric('coredns_forward_max_concurrent_rejects_total');
    const [a, b] = await Promise.allSettled([
      runChain([h], makeRequest('one.example.', Type.A)),
      runChain([h], makeRequest('two.example.', Type.A)),
    ]);
    expect(a.status).toBe('fulfilled');
    expect(b.status).toBe('rejected');
    expect(((b as PromiseRejectedResult).reason as PluginError).rcode).toBe(Rcode.REFUSED);
    expect((await metric('coredns_forward_max_concurrent_rejects_total')) - before).toBe(1);
  });

  it.each([
    ['sequential', ['A', 'A', 'A', 'A']],
    ['round_robin', ['B', 'A', 'B', 'A']],
  ])('policy %s picks upstreams in order %j', async (policy, want) => {
    const seen: string[] = [];
    const a = await stub((q) => (seen.push('A'), answerA(q, '192.0.2.1')));
    const b = await stub((q) => (seen.push('B'), answerA(q, '192.0.2.2')));
    const h = handler(line(['.', a.addr, b.addr], [['policy', policy]]));
    for (let i = 0; i < 4; i++) await runChain([h], makeRequest(`q${i}.example.`, Type.A));
    expect(seen).toEqual(want);
  });

  it('passes to the next forward on a `next` rcode, and ignores it on the last stanza', async () => {
    const nx = await stub((q) => replyTo(q, Rcode.NXDOMAIN));
    const ok = await stub((q) => answerA(q, '192.0.2.9'));
    const two = handler(line(['.', nx.addr], [['next', 'NXDOMAIN']]), line(['.', ok.addr], [], 3));
    const r1 = await runChain([two], makeRequest('x.example.', Type.A));
    expect(r1.answer[0]!.address).toBe('192.0.2.9');
    const one = handler(line(['.', nx.addr], [['next', 'nxdomain']]));
    const last = terminal();
    const r2 = await runChain([one], makeRequest('x.example.', Type.A), last);
    expect(r2.rcode).toBe(Rcode.NXDOMAIN);
    expect(last.calls).toHaveLength(0);
  });

  it('sends except names and names outside FROM to the next plugin', async () => {
    const up = await stub((q) => answerA(q, '192.0.2.1'));
    const h = handler(line(['example.org', up.addr], [['except', 'internal.example.org']]));
    const table: Array<[string, boolean]> = [
      ['www.example.org.', true],
      ['a.internal.example.org.', false],
      ['INTERNAL.example.org.', false],
      ['example.com.', false],
    ];
    for (const [name, forwarded] of table) {
      const last = terminal();
      const reply = await runChain([h], makeRequest(name, Type.A), last);
      expect(last.calls.length, name).toBe(forwarded ? 0 : 1);
      expect(reply.rcode, name).toBe(forwarded ? Rcode.NOERROR : Rcode.SERVFAIL);
    }
  });

  it('works behind the cache: the second query is answered without the upstream', async () => {
    const up = await stub((q) => answerA(q, '192.0.2.77'));
    const cache = new Cache(parseCache([{ name: 'cache', args: [], block: null, file: 'Corefile', line: 1 }], ['.']));
    const h = handler(line(['.', up.addr]));
    const first = await runChain([cache, h], makeRequest('c.example.', Type.A));
    const msg = newQuery('C.EXAMPLE.', Type.A, { id: 31 });
    const second = await runChain([cache, h], makeRequest('C.EXAMPLE.', Type.A, { msg }));
    expect(up.queries).toHaveLength(1);
    expect(first.answer[0]!.address).toBe('192.0.2.77');
    expect(second).toMatchObject({ id: 31, question: [{ name: 'C.EXAMPLE.' }] });
    expect(second.answer[0]).toMatchObject({ name: 'C.EXAMPLE.', address: '192.0.2.77' });
  });
});
