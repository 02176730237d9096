import { describe, expect, it } from 'vitest';
import type { Directive } from '../../corefile/types.js';
import { Rcode, Type } from '../../dns/constants.js';
import { newQuery, replyTo, type Msg, type RR } from '../../dns/message.js';
import type { HitInfo, Request } from '../../plugin/handler.js';
import { registry } from '../../plugin/metrics.js';
import { makeRequest, runChain } from '../../plugin/testing.js';
import { Cache } from './cache.js';
import { parseCache } from './config.js';

const T0 = 1_700_000_000_000;

function cacheLine(args: string[] = [], block: string[][] = []): Directive {
  return {
    name: 'cache', args, file: 'Corefile', line: 1,
    block: block.map(([name, ...a], i) => ({ name: name!, args: a, block: null, file: 'Corefile', line: 2 + i })),
  };
}

/** A cache with a fake clock; `clock.t` is moved by the tests. */
function setup(args: string[] = [], block: string[][] = [], zones = ['.']) {
  const clock = { t: T0 };
  const cache = new Cache(parseCache([cacheLine(args, block)], zones), { now: () => clock.t, server: 'dns://:53' });
  return { cache, clock };
}

function a(name: string, address: string, ttl = 300): RR {
  return { name, type: Type.A, class: 1, ttl, address };
}

function soa(zone: string, ttl = 3600, minimum = 60): RR {
  return { name: zone, type: Type.SOA, class: 1, ttl, primary: `ns.${zone}`, admin: `hostmaster.${zone}`, serial: 1, refresh: 7200, retry: 1800, expiration: 86400, minimum };
}

/** A next plugin answering from `answer(req)` and recording each call. */
function upstream(answer: (req: Request) => Msg | Promise<Msg>) {
  const calls: Request[] = [];
  const next = async (req: Request) => {
    calls.push(req);
    return answer(req);
  };
  return Object.assign(next, { calls });
}

function positive(ttl = 300, address = '192.0.2.1') {
  return upstream((req) => ({ ...replyTo(req.msg), ra: true, answer: [a(req.name, address, ttl)] }));
}

async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = await registry.getSingleMetric(name)?.get();
  const v = m?.values.find((x) => Object.entries(labels).every(([k, val]) => x.labels[k] === val));
  return v?.value ?? 0;
}

const flush = () => new Promise((r) => setImmediate(r));

describe('cache', () => {
  it('answers a hit from memory with the TTL counted down, the client ID and its spelling', async () => {
    const { cache, clock } = setup();
    const up = positive(300);
    const first = await runChain([cache], makeRequest('www.example.org.', Type.A), up);
    expect(first.answer[0]!.ttl).toBe(300);
    expect(first.aa).toBe(false);
    clock.t += 10_500;
    const msg = newQuery('WWW.Example.ORG.', Type.A, { id: 999 });
    const req = makeRequest('WWW.Example.ORG.', Type.A, { msg });
    const hit = await runChain([cache], req, up);
    expect(up.calls).toHaveLength(1);
    expect(hit).toMatchObject({ id: 999, aa: true, ra: true, rcode: Rcode.NOERROR });
    expect(hit.question[0]!.name).toBe('WWW.Example.ORG.');
    expect(hit.answer).toEqual([a('WWW.Example.ORG.', '192.0.2.1', 290)]);
    expect(req.responder).toBe('cache');
  });

  it.each<[string, string[], string[][], number, number]>([
    ['caps at the max TTL', ['30'], [], 300, 30],
    ['raises to the min TTL', [], [], 1, 5],
    ['uses success MINTTL', [], [['success', '2000', '100', '20']], 1, 20],
    ['uses success TTL', [], [['success', '2000', '100']], 300, 100],
  ])('%s', async (_n, args, block, recordTtl, want) => {
    const { cache, clock } = setup(args, block);
    const up = positive(recordTtl);
    const r = await runChain([cache], makeRequest('a.example.', Type.A), up);
    expect(r.answer[0]!.ttl).toBe(want);
    clock.t += (want - 1) * 1000;
    await runChain([cache], makeRequest('a.example.', Type.A), up);
    expect(up.calls).toHaveLength(1);
    clock.t += 1000;
    await runChain([cache], makeRequest('a.example.', Type.A), up);
    expect(up.calls).toHaveLength(2);
  });

  it('caches NXDOMAIN with an SOA for the SOA minimum, and not without an SOA', async () => {
    const { cache, clock } = setup();
    const nx = upstream((req) => ({ ...replyTo(req.msg, Rcode.NXDOMAIN), ns: [soa('example.', 3600, 60)] }));
    const hitsBefore = await metric('coredns_cache_hits_total', { type: 'denial' });
    const r = await runChain([cache], makeRequest('gone.example.', Type.A), nx);
    expect(r.ns[0]!.ttl).toBe(60);
    clock.t += 59_000;
    const hit = await runChain([cache], makeRequest('gone.example.', Type.A), nx);
    expect(hit.rcode).toBe(Rcode.NXDOMAIN);
    expect(hit.ns[0]!.ttl).toBe(1);
    expect(nx.calls).toHaveLength(1);
    expect((await metric('coredns_cache_hits_total', { type: 'denial' })) - hitsBefore).toBe(1);
    clock.t += 1000;
    await runChain([cache], makeRequest('gone.example.', Type.A), nx);
    expect(nx.calls).toHaveLength(2);

    const bare = upstream((req) => replyTo(req.msg, Rcode.NXDOMAIN));
    await runChain([cache], makeRequest('bare.example.', Type.A), bare);
    await runChain([cache], makeRequest('bare.example.', Type.A), bare);
    expect(bare.calls).toHaveLength(2);
  });

  it('caches NODATA in the denial cache and SERVFAIL for the servfail duration', async () => {
    const { cache, clock } = setup([], [['servfail', '2s']]);
    const nodata = upstream((req) => ({ ...replyTo(req.msg), ns: [soa('example.', 30, 30)] }));
    await runChain([cache], makeRequest('a.example.', Type.AAAA), nodata);
    await runChain([cache], makeRequest('a.example.', Type.AAAA), nodata);
    expect(nodata.calls).toHaveLength(1);
    expect(cache.store.denial.size).toBe(1);
    const fail = upstream((req) => replyTo(req.msg, Rcode.SERVFAIL));
    await runChain([cache], makeRequest('b.example.', Type.A), fail);
    clock.t += 1000;
    await runChain([cache], makeRequest('b.example.', Type.A), fail);
    expect(fail.calls).toHaveLength(1);
    clock.t += 1000;
    await runChain([cache], makeRequest('b.example.', Type.A), fail);
    expect(fail.calls).toHaveLength(2);
  });

  it('does not cache SERVFAIL with `servfail 0`, truncated or REFUSED replies', async () => {
    const { cache } = setup([], [['servfail', '0']]);
    for (const mk of [
      (r: Request) => replyTo(r.msg, Rcode.SERVFAIL),
      (r: Request) => ({ ...replyTo(r.msg), tc: true, answer: [a(r.name, '192.0.2.1')] }),
      (r: Request) => replyTo(r.msg, Rcode.REFUSED),
    ]) {
      const up = upstream(mk);
      await runChain([cache], makeRequest('x.example.', Type.A), up);
      await runChain([cache], makeRequest('x.example.', Type.A), up);
      expect(up.calls).toHaveLength(2);
    }
  });

  it('keys on the DO and CD bits', async () => {
    const { cache } = setup();
    const up = positive();
    const opt = { udpSize: 1232, version: 0, do: true, extendedRcode: 0, options: [] };
    await runChain([cache], makeRequest('a.example.', Type.A), up);
    await runChain([cache], makeRequest('a.example.', Type.A, { msg: newQuery('a.example.', Type.A, { opt }) }), up);
    await runChain([cache], makeRequest('a.example.', Type.A, { msg: newQuery('a.example.', Type.A, { cd: true }) }), up);
    await runChain([cache], makeRequest('a.example.', Type.A, { msg: newQuery('a.example.', Type.A, { opt }) }), up);
    expect(up.calls).toHaveLength(3);
  });

  it('only caches its zones', async () => {
    const { cache } = setup(['example.org'], [], ['.']);
    const up = positive();
    for (const name of ['a.example.org.', 'a.example.org.', 'a.example.com.', 'a.example.com.']) {
      await runChain([cache], makeRequest(name, Type.A), up);
    }
    expect(up.calls.map((r) => r.qname)).toEqual(['a.example.org.', 'a.example.com.', 'a.example.com.']);
  });

  it.each<[string, string[], string, boolean]>([
    ['success in a zone', ['disable', 'success', 'example.org'], 'a.example.org.', false],
    ['success elsewhere', ['disable', 'success', 'example.org'], 'a.example.net.', true],
    ['denial everywhere', ['disable', 'denial'], 'gone.example.net.', false],
    ['denial elsewhere', ['disable', 'denial', 'example.org'], 'gone.example.net.', true],
  ])('disable %s', async (_n, line, name, cached) => {
    const { cache } = setup([], [line]);
    const up = upstream((req) =>
      req.qname.startsWith('gone.') ? { ...replyTo(req.msg, Rcode.NXDOMAIN), ns: [soa('example.')] } : { ...replyTo(req.msg), answer: [a(req.name, '192.0.2.1')] });
    await runChain([cache], makeRequest(name, Type.A), up);
    await runChain([cache], makeRequest(name, Type.A), up);
    expect(up.calls).toHaveLength(cached ? 1 : 2);
  });

  it('counts a wire-cache replay in a disabled zone as CoreDNS counts the lookup: a request and a miss', async () => {
    const { cache } = setup(['30', 'cluster.local', 'example.org'], [['disable', 'success', 'cluster.local'], ['disable', 'denial', 'cluster.local']]);
    const labels = { server: 'dns://:53', zones: 'cluster.local.,example.org.' };
    const req0 = await metric('coredns_cache_requests_total', labels);
    const miss0 = await metric('coredns_cache_misses_total', labels);
    const inside = makeRequest('svc1.testns.svc.cluster.local.', Type.A);
    expect(cache.transparent(inside)).toBe(true);
    // What the wire cache hands its observers on a replay: the kept query's fields and this one's size.
    const hit = (r: Request): HitInfo => ({ zone: r.zone, server: r.server, qname: r.qname, qtype: r.qtype, do: r.do, proto: r.proto, family: r.family, requestBytes: 40, seconds: 0.00001 });
    cache.fastHit(hit(inside));
    cache.fastHit(hit(inside));
    // Outside the cache's zones the cache is not consulted at all.
    cache.fastHit(hit(makeRequest('www.example.net.', Type.A)));
    expect((await metric('coredns_cache_requests_total', labels)) - req0).toBe(2);
    expect((await metric('coredns_cache_misses_total', labels)) - miss0).toBe(2);
  });

  it('keepttl serves the original TTL', async () => {
    const { cache, clock } = setup([], [['keepttl']]);
    const up = positive(100);
    await runChain([cache], makeRequest('a.example.', Type.A), up);
    clock.t += 50_000;
    const hit = await runChain([cache], makeRequest('a.example.', Type.A), up);
    expect(hit.answer[0]!.ttl).toBe(100);
    expect(up.calls).toHaveLength(1);
  });

  it('prefetches a popular entry close to expiry', async () => {
    const { cache, clock } = setup([], [['prefetch', '2', '1m', '50%']]);
    let n = 0;
    const up = upstream((req) => ({ ...replyTo(req.msg), answer: [a(req.name, `192.0.2.${++n}`, 10)] }));
    const before = await metric('coredns_cache_prefetch_total');
    await runChain([cache], makeRequest('p.example.', Type.A), up);
    clock.t += 4000; // ttl 6 > 5: no prefetch yet
    await runChain([cache], makeRequest('p.example.', Type.A), up);
    clock.t += 2000; // ttl 4 <= 5 and 2 hits: prefetch
    const served = await runChain([cache], makeRequest('p.example.', Type.A), up);
    expect(served.answer[0]!.address).toBe('192.0.2.1');
    await flush();
    expect(up.calls).toHaveLength(2);
    expect(up.calls[1]!.proto).toBe('tcp');
    expect((await metric('coredns_cache_prefetch_total')) - before).toBe(1);
    clock.t += 4000; // the first entry has expired; the prefetched one has 6 s left (above 50%)
    const r = await runChain([cache], makeRequest('p.example.', Type.A), up);
    expect(r.answer[0]).toMatchObject({ address: '192.0.2.2', ttl: 6 });
    expect(up.calls).toHaveLength(2);
  });

  it('serve_stale immediate: serves the expired entry with TTL 0 and refreshes it behind', async () => {
    const { cache, clock } = setup([], [['serve_stale', '1h']]);
    let n = 0;
    let down = false;
    const up = upstream((req) => {
      if (down) throw new Error('upstream down');
      return { ...replyTo(req.msg), answer: [a(req.name, `192.0.2.${++n}`, 10)] };
    });
    await runChain([cache], makeRequest('s.example.', Type.A), up);
    clock.t += 20_000;
    down = true;
    const stale = await runChain([cache], makeRequest('s.example.', Type.A), up);
    expect(stale.answer[0]).toMatchObject({ address: '192.0.2.1', ttl: 0 });
    await flush();
    expect(up.calls).toHaveLength(2);
    down = false;
    const again = await runChain([cache], makeRequest('s.example.', Type.A), up);
    expect(again.answer[0]!.address).toBe('192.0.2.1'); // failed refresh kept the stale entry
    await flush();
    const fresh = await runChain([cache], makeRequest('s.example.', Type.A), up);
    expect(fresh.answer[0]).toMatchObject({ address: '192.0.2.2', ttl: 10 });
    clock.t += 3_600_000 + 11_000;
    await runChain([cache], makeRequest('s.example.', Type.A), up);
    expect(up.calls).toHaveLength(4); // beyond the stale window it is a plain miss
  });

  it('serve_stale verify: asks first, serves stale only when the refresh fails', async () => {
    const { cache, clock } = setup([], [['serve_stale', '1h', 'verify', '0', '30s']]);
    let n = 0;
    let down = false;
    const up = upstream((req) => {
      if (down) return replyTo(req.msg, Rcode.SERVFAIL);
      return { ...replyTo(req.msg), answer: [a(req.name, `192.0.2.${++n}`, 10)] };
    });
    await runChain([cache], makeRequest('v.example.', Type.A), up);
    clock.t += 20_000;
    down = true;
    const stale = await runChain([cache], makeRequest('v.example.', Type.A), up);
    expect(stale.answer[0]).toMatchObject({ address: '192.0.2.1', ttl: 30 });
    down = false;
    const fresh = await runChain([cache], makeRequest('v.example.', Type.A), up);
    expect(fresh.answer[0]).toMatchObject({ address: '192.0.2.2', ttl: 10 });
    expect(up.calls).toHaveLength(3);
  });

  it('bounds each cache to its capacity and counts evictions', async () => {
    const { cache } = setup([], [['success', '1024']]);
    const up = positive();
    const before = await metric('coredns_cache_evictions_total', { type: 'success' });
    for (let i = 0; i < 1100; i++) await runChain([cache], makeRequest(`n${i}.example.`, Type.A), up);
    expect(cache.store.success.size).toBe(1024);
    expect((await metric('coredns_cache_evictions_total', { type: 'success' })) - before).toBe(76);
    expect(await metric('coredns_cache_entries', { type: 'success', server: 'dns://:53' })).toBe(1024);
  });

  it('does not store a reply whose question does not match, and counts a drop', async () => {
    const { cache } = setup();
    const up = upstream((req) => ({ ...replyTo(req.msg), question: [{ name: 'other.example.', type: Type.A, class: 1 }], answer: [a('other.example.', '192.0.2.1')] }));
    const before = await metric('coredns_cache_drops_total');
    await runChain([cache], makeRequest('a.example.', Type.A), up);
    await runChain([cache], makeRequest('a.example.', Type.A), up);
    expect(up.calls).toHaveLength(2);
    expect((await metric('coredns_cache_drops_total')) - before).toBe(2);
  });

  it('sets AD upstream and clears it for clients that did not ask', async () => {
    const { cache } = setup();
    const up = upstream((req) => ({ ...replyTo(req.msg), ad: true, answer: [a(req.name, '192.0.2.1')] }));
    const miss = await runChain([cache], makeRequest('a.example.', Type.A), up);
    expect(up.calls[0]!.msg.ad).toBe(true);
    expect(miss.ad).toBe(false);
    const hit = await runChain([cache], makeRequest('a.example.', Type.A, { msg: newQuery('a.example.', Type.A, { ad: true }) }), up);
    expect(hit.ad).toBe(true);
  });

  it('drops entries under an invalidated zone, and does not store a reply fetched across the change', async () => {
    const { cache } = setup();
    let exists = false;
    let gate: Promise<void> | undefined;
    const up = upstream(async (req) => {
      if (gate) await gate;
      if (req.qname.startsWith('new.') && !exists) return { ...replyTo(req.msg, Rcode.NXDOMAIN), ns: [soa('cluster.local.')] };
      return { ...replyTo(req.msg), answer: [a(req.name, '10.96.0.10')] };
    });
    await runChain([cache], makeRequest('new.ns.svc.cluster.local.', Type.A), up);
    await runChain([cache], makeRequest('kept.other.svc.cluster.local.', Type.A), up);
    exists = true;
    expect(cache.invalidateZone('ns.svc.cluster.local.')).toBe(1);
    const r = await runChain([cache], makeRequest('new.ns.svc.cluster.local.', Type.A), up);
    expect(r.answer[0]!.address).toBe('10.96.0.10');
    await runChain([cache], makeRequest('kept.other.svc.cluster.local.', Type.A), up);
    expect(up.calls).toHaveLength(3);

    let open!: () => void;
    gate = new Promise((res) => (open = res));
    const inflight = runChain([cache], makeRequest('late.ns.svc.cluster.local.', Type.A), up);
    await flush();
    cache.invalidateZone('ns.svc.cluster.local.');
    open();
    await inflight;
    gate = undefined;
    await runChain([cache], makeRequest('late.ns.svc.cluster.local.', Type.A), up);
    expect(up.calls).toHaveLength(5);
  });
});
