import { describe, expect, it } from 'vitest';
import { Rcode, Type } from '../dns/constants.js';
import { decode } from '../dns/decode.js';
import { encode } from '../dns/encode.js';
import { newQuery, replyTo, type Msg } from '../dns/message.js';
import type { Handler, Next, Request, WireToken } from '../plugin/handler.js';
import { compose } from './chain.js';
import { finish } from './router.js';
import { newRequest } from './request.js';
import { WireCache } from './wire-cache.js';

const peer = { proto: 'udp' as const, remoteAddress: '10.0.0.1', remotePort: 1, localAddress: '127.0.0.1', localPort: 53, family: 1 as const };

/** A stand-in for the kubernetes plugin: answers A 10.0.0.9 and vouches with `token`. */
function answering(token: { t: WireToken }, calls: { n: number }): Handler {
  return {
    name: 'kubernetes',
    async serveDNS(req) {
      calls.n++;
      req.responder = 'kubernetes';
      req.wireToken = token.t;
      const r = replyTo(req.msg);
      r.aa = true;
      r.answer = [{ name: req.name, type: Type.A, class: 1, ttl: 5, address: '10.0.0.9' }];
      return r;
    },
  };
}

function counter(transparent: boolean, hits: string[]): Handler {
  return {
    name: 'prometheus',
    transparent: () => transparent,
    fastHit: (req, rcode, responder) => hits.push(`${req.name} ${rcode} ${responder}`),
    serveDNS: (req: Request, next: Next) => next(req),
  };
}

async function serve(handlers: Handler[], cache: WireCache, name: string, id: number, rd = true): Promise<{ msg: Msg; cached: boolean }> {
  const query = decode(encode(newQuery(name, Type.A, { id, rd })));
  const req = newRequest(query, 512, peer, '.', 'dns://:53');
  const key = WireCache.key(req);
  const hit = cache.get(req, key);
  if (hit) return { msg: decode(hit), cached: true };
  const reply = await compose(handlers)(req);
  const out = finish(query, reply, 512);
  cache.put(req, key, reply, out);
  return { msg: decode(out), cached: false };
}

describe('wire cache', () => {
  it('replays a vouched reply with the new ID and RD, counted by observers', async () => {
    const token = { t: { valid: true } };
    const calls = { n: 0 };
    const hits: string[] = [];
    const handlers = [counter(true, hits), answering(token, calls)];
    const cache = new WireCache(handlers);
    const a = await serve(handlers, cache, 'svc.ns.svc.cluster.local.', 1);
    const b = await serve(handlers, cache, 'svc.ns.svc.cluster.local.', 2, false);
    expect(a.cached).toBe(false);
    expect(b.cached).toBe(true);
    expect(calls.n).toBe(1);
    expect(b.msg.id).toBe(2);
    expect(b.msg.rd).toBe(false);
    expect(b.msg.answer).toEqual(a.msg.answer);
    expect(hits).toEqual(['svc.ns.svc.cluster.local. 0 kubernetes']);
  });

  it('keys on the exact spelling: another case is asked afresh and echoed', async () => {
    const token = { t: { valid: true } };
    const calls = { n: 0 };
    const handlers = [answering(token, calls)];
    const cache = new WireCache(handlers);
    await serve(handlers, cache, 'SVC.ns.svc.cluster.local.', 1);
    const lower = await serve(handlers, cache, 'svc.ns.svc.cluster.local.', 2);
    expect(lower.cached).toBe(false);
    expect(lower.msg.answer[0]!.name).toBe('svc.ns.svc.cluster.local.');
    expect(lower.msg.question[0]!.name).toBe('svc.ns.svc.cluster.local.');
  });

  it('drops a reply once its token is invalidated (the zone changed)', async () => {
    const token = { t: { valid: true } };
    const calls = { n: 0 };
    const handlers = [answering(token, calls)];
    const cache = new WireCache(handlers);
    await serve(handlers, cache, 'a.cluster.local.', 1);
    token.t.valid = false;
    token.t = { valid: true };
    const again = await serve(handlers, cache, 'a.cluster.local.', 2);
    expect(again.cached).toBe(false);
    expect(calls.n).toBe(2);
  });

  it('keeps nothing when a plugin before the answering one is not transparent', async () => {
    const token = { t: { valid: true } };
    const calls = { n: 0 };
    const handlers = [counter(false, []), answering(token, calls)];
    const cache = new WireCache(handlers);
    await serve(handlers, cache, 'a.cluster.local.', 1);
    expect((await serve(handlers, cache, 'a.cluster.local.', 2)).cached).toBe(false);
  });

  it('keeps nothing a plugin marks uncacheable, nor unvouched replies', async () => {
    const calls = { n: 0 };
    const token = { t: { valid: true } };
    const shuffler: Handler = { name: 'loadbalance', transparent: () => true, cacheable: () => false, serveDNS: (r, n) => n(r) };
    const h1 = [shuffler, answering(token, calls)];
    const c1 = new WireCache(h1);
    await serve(h1, c1, 'a.cluster.local.', 1);
    expect((await serve(h1, c1, 'a.cluster.local.', 2)).cached).toBe(false);
    const plain: Handler = { name: 'kubernetes', serveDNS: async (req) => replyTo(req.msg, Rcode.NXDOMAIN) };
    const c2 = new WireCache([plain]);
    await serve([plain], c2, 'b.cluster.local.', 1);
    expect((await serve([plain], c2, 'b.cluster.local.', 2)).cached).toBe(false);
  });
});
