import { describe, expect, it } from 'vitest';
import { accept } from '../dns/accept.js';
import { Rcode, Type } from '../dns/constants.js';
import { decode } from '../dns/decode.js';
import { encode } from '../dns/encode.js';
import { newQuery, replyTo, type Msg, type Opt } from '../dns/message.js';
import type { Handler, HitInfo, Next, Request, WireToken } from '../plugin/handler.js';
import { compose } from './chain.js';
import { finish } from './router.js';
import { newRequest } from './request.js';
import { lastShape, shape, WireCache } from './wire-cache.js';
import { clientSize } from '../dns/accept.js';

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
    fastHit: (h: HitInfo, rcode, responder, bytes) => hits.push(`${h.qname} ${h.qtype} ${h.zone} ${h.server} ${h.proto} ${h.do} ${h.family} ${h.requestBytes} ${rcode} ${responder} ${bytes}`),
    serveDNS: (req: Request, next: Next) => next(req),
  };
}

interface Ask {
  id?: number;
  rd?: boolean;
  cd?: boolean;
  opt?: Partial<Opt>;
  family?: 1 | 2;
  /** Query type (default A). */
  type?: number;
  /** Ask as a new question, not asked before: an NXDOMAIN is then only noted (default: as if asked once before). */
  fresh?: boolean;
}

/**
 * The router's path in small: the cache first, else the chain, the reply finished and offered to
 * the cache. An NXDOMAIN is kept the second time its question is asked; unless `ask.fresh`, the
 * reply is offered twice, as if the question had been asked once before (that rule has its own test).
 */
async function serve(handlers: Handler[], cache: WireCache, name: string, ask: Ask = {}): Promise<{ msg: Msg; bytes: Buffer; cached: boolean }> {
  const opt = ask.opt ? { udpSize: 1232, version: 0, do: false, extendedRcode: 0, options: [], ...ask.opt } : undefined;
  const wire = encode(newQuery(name, ask.type ?? Type.A, { id: ask.id ?? 1, rd: ask.rd ?? true, cd: ask.cd ?? false, opt }));
  const hit = cache.get(wire, false, ask.family ?? 1);
  if (hit) return { msg: decode(hit), bytes: hit, cached: true };
  const v = accept(wire, false);
  if (v.kind !== 'serve') throw new Error('not served');
  const req = newRequest(v.msg, v.size, { ...peer, family: ask.family ?? 1 }, '.', 'dns://:53');
  const reply = await compose(handlers)(req);
  const out = finish(v.msg, reply, v.size);
  if (!ask.fresh) cache.put(wire, req, handlers, reply, out);
  cache.put(wire, req, handlers, reply, out);
  return { msg: decode(out), bytes: out, cached: false };
}

describe('wire cache', () => {
  it('replays a vouched reply with the new ID, RD and CD, counted by observers with the query\'s own fields', async () => {
    const token = { t: { valid: true } };
    const calls = { n: 0 };
    const hits: string[] = [];
    const handlers = [counter(true, hits), answering(token, calls)];
    const cache = new WireCache();
    const a = await serve(handlers, cache, 'svc.ns.svc.cluster.local.', { id: 1 });
    const b = await serve(handlers, cache, 'svc.ns.svc.cluster.local.', { id: 2, rd: false, cd: true, family: 2 });
    expect(a.cached).toBe(false);
    expect(b.cached).toBe(true);
    expect(calls.n).toBe(1);
    expect(b.msg.id).toBe(2);
    expect(b.msg.rd).toBe(false);
    expect(b.msg.cd).toBe(true);
    expect(b.msg.answer).toEqual(a.msg.answer);
    // Everything but ID and flags byte-identical to the reply the chain made.
    expect(b.bytes.subarray(4)).toEqual(a.bytes.subarray(4));
    const queryBytes = 12 + 'svc.ns.svc.cluster.local.'.length + 1 + 4;
    expect(hits).toEqual([`svc.ns.svc.cluster.local. 1 . dns://:53 udp false 2 ${queryBytes} 0 kubernetes ${b.bytes.length}`]);
  });

  it('writes a lent reply into one reused buffer, only when told the caller keeps no hold; otherwise a new Buffer', async () => {
    const token = { t: { valid: true } };
    const seconds: number[] = [];
    const timer: Handler = { name: 'prometheus', transparent: () => true, fastHit: (h: HitInfo) => seconds.push(h.seconds), serveDNS: (r, n) => n(r) };
    const handlers = [timer, answering(token, { n: 0 })];
    const cache = new WireCache();
    await serve(handlers, cache, 'svc.ns.svc.cluster.local.');
    const query = (id: number) => encode(newQuery('svc.ns.svc.cluster.local.', Type.A, { id, rd: true }));
    const copy = cache.get(query(7), false, 1)!;
    const lent1 = cache.get(query(8), false, 1, true)!;
    const lent2 = cache.get(query(9), false, 1, true)!;
    // Lent twice: the same memory (no Buffer per hit), holding the last query's reply.
    expect(lent2.buffer).toBe(lent1.buffer);
    expect(lent2.byteOffset).toBe(lent1.byteOffset);
    expect(lent1.readUInt16BE(0)).toBe(9);
    // The copy is the caller's own: later lent hits do not touch it, nor does writing to it (or
    // to the lent buffer) touch what the cache keeps.
    expect(copy.readUInt16BE(0)).toBe(7);
    expect(copy.buffer).not.toBe(lent1.buffer);
    copy.fill(0);
    lent1.fill(0);
    expect(decode(cache.get(query(10), false, 1)!).answer[0]).toMatchObject({ address: '10.0.0.9' });
    expect(decode(cache.get(query(11), false, 1, true)!)).toMatchObject({ id: 11, answer: [{ address: '10.0.0.9' }] });
    // Each hit is timed from its lookup: seconds, not the zero of two clock reads in a row.
    expect(seconds).toHaveLength(5);
    for (const s of seconds) expect(s).toBeGreaterThan(0), expect(s).toBeLessThan(0.5);
  });

  it('keys on the exact spelling: another case is asked afresh and echoed', async () => {
    const token = { t: { valid: true } };
    const calls = { n: 0 };
    const handlers = [answering(token, calls)];
    const cache = new WireCache();
    await serve(handlers, cache, 'SVC.ns.svc.cluster.local.');
    const lower = await serve(handlers, cache, 'svc.ns.svc.cluster.local.', { id: 2 });
    expect(lower.cached).toBe(false);
    expect(lower.msg.answer[0]!.name).toBe('svc.ns.svc.cluster.local.');
    expect(lower.msg.question[0]!.name).toBe('svc.ns.svc.cluster.local.');
    const upper = await serve(handlers, cache, 'SVC.ns.svc.cluster.local.', { id: 3 });
    expect(upper.cached).toBe(true);
    expect(upper.msg.answer[0]!.name).toBe('SVC.ns.svc.cluster.local.');
  });

  it('hands each hit its own entry\'s facts: type, DO, rcode, size (entries share what comes from the config)', async () => {
    const token = { t: { valid: true } };
    const hits: string[] = [];
    const handlers = [counter(true, hits), answering(token, { n: 0 })];
    const cache = new WireCache();
    const asks: Array<[string, Ask]> = [['a.cluster.local.', {}], ['b.cluster.local.', { type: Type.AAAA, opt: { do: true } }]];
    for (const [name, ask] of asks) await serve(handlers, cache, name, ask);
    for (const [name, ask] of [...asks, ...asks]) expect((await serve(handlers, cache, name, { ...ask, id: 5 })).cached).toBe(true);
    const a = hits.filter((h) => h.startsWith('a.'));
    const b = hits.filter((h) => h.startsWith('b.'));
    expect(new Set(a).size).toBe(1);
    expect(new Set(b).size).toBe(1);
    expect(a[0]).toMatch(/^a\.cluster\.local\. 1 \. dns:\/\/:53 udp false 1 \d+ 0 kubernetes \d+$/);
    expect(b[0]).toMatch(new RegExp(`^b\\.cluster\\.local\\. ${Type.AAAA} \\. dns://:53 udp true 1 \\d+ 0 kubernetes \\d+$`));
  });

  it('keys on OPT, DO and the size: each is its own reply', async () => {
    const token = { t: { valid: true } };
    const calls = { n: 0 };
    const handlers = [answering(token, calls)];
    const cache = new WireCache();
    const name = 'a.cluster.local.';
    const asks: Ask[] = [{}, { opt: {} }, { opt: { do: true } }, { opt: { udpSize: 4096 } }, { opt: { udpSize: 600 } }];
    const cached: boolean[] = [];
    for (const ask of asks) cached.push((await serve(handlers, cache, name, ask)).cached);
    // 4096 is clamped to 1232 (the guard layer's bound), so it shares the plain OPT's reply.
    expect(cached).toEqual([false, false, false, true, false]);
    expect(calls.n).toBe(4);
    for (const ask of asks) {
      const again = await serve(handlers, cache, name, { ...ask, id: 9 });
      expect(again.cached).toBe(true);
      expect(again.msg.opt?.do ?? false).toBe(ask.opt?.do ?? false);
      expect(again.msg.opt === undefined).toBe(ask.opt === undefined);
    }
    expect(calls.n).toBe(4);
    // An OPT with options (a cookie) is the same question: its reply is the option-less one's.
    const cookie = await serve(handlers, cache, name, { opt: { options: [[10, new Uint8Array(8)]] } });
    expect(cookie.cached).toBe(true);
    expect(cookie.msg.opt?.options ?? []).toEqual([]);
  });

  it('drops a reply once its token is invalidated (the zone changed)', async () => {
    const token = { t: { valid: true } };
    const calls = { n: 0 };
    const handlers = [answering(token, calls)];
    const cache = new WireCache();
    await serve(handlers, cache, 'a.cluster.local.');
    token.t.valid = false;
    token.t = { valid: true };
    const again = await serve(handlers, cache, 'a.cluster.local.', { id: 2 });
    expect(again.cached).toBe(false);
    expect(calls.n).toBe(2);
    expect((await serve(handlers, cache, 'a.cluster.local.', { id: 3 })).cached).toBe(true);
    expect(cache.size).toBe(1);
  });

  it('keeps nothing when a plugin before the answering one is not transparent', async () => {
    const token = { t: { valid: true } };
    const calls = { n: 0 };
    const handlers = [counter(false, []), answering(token, calls)];
    const cache = new WireCache();
    await serve(handlers, cache, 'a.cluster.local.');
    expect((await serve(handlers, cache, 'a.cluster.local.', { id: 2 })).cached).toBe(false);
  });

  it('keeps nothing a plugin marks uncacheable, nor unvouched replies', async () => {
    const calls = { n: 0 };
    const token = { t: { valid: true } };
    const shuffler: Handler = { name: 'loadbalance', transparent: () => true, cacheable: () => false, serveDNS: (r, n) => n(r) };
    const h1 = [shuffler, answering(token, calls)];
    const c1 = new WireCache();
    await serve(h1, c1, 'a.cluster.local.');
    expect((await serve(h1, c1, 'a.cluster.local.', { id: 2 })).cached).toBe(false);
    const plain: Handler = { name: 'kubernetes', serveDNS: async (req) => replyTo(req.msg, Rcode.NXDOMAIN) };
    const c2 = new WireCache();
    await serve([plain], c2, 'b.cluster.local.');
    expect((await serve([plain], c2, 'b.cluster.local.', { id: 2 })).cached).toBe(false);
  });

  it('keeps an NXDOMAIN the second time its question is asked (names asked once take no slot), other replies at once', async () => {
    const token = { t: { valid: true } };
    const calls = { n: 0 };
    const existing = answering(token, calls);
    // Names under `once` do not exist; the rest answer as the kubernetes stand-in does.
    const handlers: Handler[] = [{
      name: 'kubernetes',
      async serveDNS(req, next) {
        if (!req.qname.startsWith('once')) return existing.serveDNS(req, next);
        calls.n++;
        req.responder = 'kubernetes';
        req.wireToken = token.t;
        return replyTo(req.msg, Rcode.NXDOMAIN);
      },
    }];
    const cache = new WireCache();
    for (let i = 0; i < 1000; i++) await serve(handlers, cache, `once${i}.cluster.local.`, { fresh: true });
    expect(cache.size).toBe(0);
    expect((await serve(handlers, cache, 'there.cluster.local.', { fresh: true })).cached).toBe(false);
    expect((await serve(handlers, cache, 'there.cluster.local.', { fresh: true, id: 2 })).cached).toBe(true);
    expect(cache.size).toBe(1);
    expect((await serve(handlers, cache, 'once7.cluster.local.', { fresh: true, id: 2 })).cached).toBe(false);
    expect(cache.size).toBe(2);
    const hit = await serve(handlers, cache, 'once7.cluster.local.', { fresh: true, id: 3 });
    expect(hit.cached).toBe(true);
    expect(hit.msg.rcode).toBe(Rcode.NXDOMAIN);
    // The same name with another OPT is another question, asked for the first time.
    expect((await serve(handlers, cache, 'once7.cluster.local.', { fresh: true, opt: {} })).cached).toBe(false);
    expect((await serve(handlers, cache, 'once7.cluster.local.', { fresh: true, opt: {} })).cached).toBe(false);
    expect((await serve(handlers, cache, 'once7.cluster.local.', { fresh: true, opt: {} })).cached).toBe(true);
    // The chain ran for 1,000 first asks, `there` once, `once7`'s second ask, and its OPT form twice.
    expect(calls.n).toBe(1004);
  });

  it('stays within its byte bound under a flood of names, and keeps what is asked again', async () => {
    const token = { t: { valid: true } };
    const calls = { n: 0 };
    const handlers = [answering(token, calls)];
    const cache = new WireCache(64 * 1024);
    for (let i = 0; i < 2000; i++) {
      await serve(handlers, cache, `n${i}.cluster.local.`);
      // One name asked all along survives every rotation.
      if (i % 50 === 0) await serve(handlers, cache, 'hot.cluster.local.');
    }
    // ~260 bytes an entry (reply + overhead) in 64 KiB: a few hundred at most.
    expect(cache.size).toBeLessThan(300);
    expect(cache.size).toBeGreaterThan(50);
    const before = calls.n;
    expect((await serve(handlers, cache, 'hot.cluster.local.', { id: 7 })).cached).toBe(true);
    expect((await serve(handlers, cache, 'n1999.cluster.local.', { id: 7 })).cached).toBe(true);
    expect((await serve(handlers, cache, 'n0.cluster.local.', { id: 7 })).cached).toBe(false);
    expect(calls.n).toBe(before + 1);
  });
});

describe('shape (the raw fast path agrees with the guard layer)', () => {
  const q = (m: Partial<Msg> = {}) => encode({ ...newQuery('svc.ns.svc.cluster.local.', Type.A, { id: 7 }), ...m });
  const opt = (o: Partial<Opt> = {}): Opt => ({ udpSize: 1232, version: 0, do: false, extendedRcode: 0, options: [], ...o });
  const withBytes = (b: Buffer, f: (b: Buffer) => void) => {
    const c = Buffer.from(b);
    f(c);
    return c;
  };
  const plain: Array<[string, Buffer]> = [
    ['no OPT', q()],
    ['OPT', q({ opt: opt() })],
    ['OPT with DO and a cookie', q({ opt: opt({ do: true, options: [[10, new Uint8Array(8)]] }) })],
    ['RD and CD and AD set', q({ rd: true, cd: true, ad: true })],
    ['a label holding a dot', encode(newQuery('a\\.b.ns.svc.cluster.local.', Type.A))],
  ];
  const other: Array<[string, Buffer]> = [
    ['QR set', q({ qr: true })],
    ['opcode NOTIFY', q({ opcode: 4 })],
    ['two questions', withBytes(q(), (b) => (b[5] = 2))],
    ['an answer record', encode({ ...newQuery('a.', Type.A), answer: [{ name: 'a.', type: Type.A, class: 1, ttl: 1, address: '1.2.3.4' }] })],
    ['EDNS version 1', q({ opt: opt({ version: 1 }) })],
    ['trailing bytes', Buffer.concat([q(), Buffer.from([0, 0])])],
    ['a truncated question', q().subarray(0, 20)],
    ['a compression pointer as the name', Buffer.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1])],
    ['OPT options overrunning', withBytes(q({ opt: opt({ options: [[10, new Uint8Array(8)]] }) }), (b) => (b[b.length - 9] = 20))],
  ];
  it.each(plain)('%s: shaped, and accept() serves it', (_l, b) => {
    expect(shape(b, false)).toBeGreaterThanOrEqual(0);
    expect(accept(b, false).kind).toBe('serve');
  });
  it.each(other)('%s: not shaped (the full path judges it)', (_l, b) => {
    expect(shape(b, false)).toBe(-1);
  });
  it('hashes the ID and flags out, the spelling and OPT in', () => {
    const h = shape(q(), false);
    expect(shape(q({ id: 9, rd: false, cd: true }), false)).toBe(h);
    expect(shape(encode(newQuery('SVC.ns.svc.cluster.local.', Type.A, { id: 7 })), false)).not.toBe(h);
    expect(shape(q({ opt: opt() }), false)).not.toBe(h);
    expect(shape(q(), true)).not.toBe(h);
  });

  it('agrees with the guard layer on 20,000 seeded mutations of real queries', () => {
    let seed = 0x2f6e2b1;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const bases = [q(), q({ opt: opt() }), q({ opt: opt({ do: true, udpSize: 4096 }) }), q({ opt: opt({ options: [[10, new Uint8Array(8)]] }) }), encode(newQuery('_http._tcp.a.b.svc.cluster.local.', Type.SRV))];
    let shaped = 0;
    for (let i = 0; i < 20_000; i++) {
      const b = Buffer.from(bases[i % bases.length]!);
      const flips = 1 + Math.floor(rand() * 3);
      for (let f = 0; f < flips; f++) {
        const at = Math.floor(rand() * b.length);
        // Mostly small changes (counts, lengths, flags), sometimes any byte.
        b[at] = rand() < 0.5 ? b[at]! ^ (1 << Math.floor(rand() * 8)) : Math.floor(rand() * 256);
      }
      const cut = rand() < 0.1 ? b.subarray(0, Math.floor(rand() * b.length)) : b;
      for (const tcp of [false, true]) {
        if (shape(cut, tcp) < 0) continue;
        shaped++;
        const { qlen, optKey } = lastShape();
        const v = accept(cut, tcp);
        expect(v.kind, `shaped but not served: ${cut.toString('hex')}`).toBe('serve');
        if (v.kind !== 'serve') continue;
        expect(v.msg.question[0]!.raw?.length).toBe(qlen);
        expect(optKey >> 2).toBe(clientSize(v.msg, tcp));
        expect(optKey & 3).toBe(v.msg.opt ? (v.msg.opt.do ? 2 : 1) : 0);
      }
    }
    // The mutations must leave plenty of queries of the plain shape, or this proves nothing.
    expect(shaped).toBeGreaterThan(2_000);
  });
});
