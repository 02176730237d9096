/**
 * Replies kept as bytes, so a repeated question costs a hash of its raw bytes, a map lookup and a
 * copy: nothing is decoded, routed or allocated (a UDP reply is written into a reused buffer). The key is the query's question as
 * sent (exact bytes, so the spelling is the kept reply's own), whether it had an OPT and its DO bit,
 * and the reply size it allows; the ID, RD and CD are patched in.
 *
 * Only queries of the plainest shape take this path (one question, no compression, nothing but an
 * optional OPT of version 0 after it, no trailing bytes); anything else goes the full way, through
 * the guard layer. Only replies whose answering plugin vouches for them with a WireToken are kept,
 * and only when every plugin before it says it would have let the query through untouched. That
 * answer may depend only on the key (name, type, DO, size) and the config, so it is asked once,
 * when the reply is kept, not on every hit.
 *
 * One cache per port (its router): the name decides the server block, so the key does too. Bounded
 * by bytes in two generations: when the young one is full the old one is dropped, and entries asked
 * for again are carried over (a flood of new names cannot grow it, and what is in use survives).
 * An NXDOMAIN is kept the second time its question is asked, not the first: names asked once (a
 * pod's search-path expansions, a flood of random names) never take a slot or push out what is in
 * use. Other replies are kept at once: names that exist are bounded by the cluster, and an extra
 * miss for each of them measurably cost CPU and p99 latency (bench/RESULTS.md).
 */
import { MAX_TCP_SIZE, MAX_UDP_SIZE, MIN_UDP_SIZE, Rcode } from '../dns/constants.js';
import type { Msg } from '../dns/message.js';
import type { Handler, HitInfo, Proto, Request, WireToken } from '../plugin/handler.js';

/**
 * What entries answered by the same chain and plugin share: who answered, who observes hits, and
 * the request facts that come from the config (one object per combination, not per entry).
 */
interface Origin {
  readonly observers: readonly Handler[];
  readonly responder: string;
  readonly zone: string;
  readonly server: string;
  readonly proto: Proto;
}

/** One kept reply: nine fields (a Map slot, the reply's bytes in a chunk and its name besides). */
class Entry {
  /** Next entry whose key hashes alike. */
  next: Entry | undefined = undefined;

  constructor(
    readonly chunk: Buffer,
    readonly off: number,
    /** Reply length << 9 | question length (name + type + class, at offset 12 of query and reply; < 512). */
    readonly lens: number,
    /** size * 4 + (no OPT 0 | OPT 1 | OPT with DO 2). */
    readonly optKey: number,
    readonly token: WireToken,
    /** rcode << 16 | qtype. */
    readonly rt: number,
    readonly origin: Origin,
    readonly qname: string,
  ) {}

  get len(): number {
    return this.lens >>> 9;
  }

  get qlen(): number {
    return this.lens & 511;
  }
}

/** The HitInfo observers get: one per cache, filled in for each hit (observers keep nothing). */
class Hit implements HitInfo {
  zone = '';
  server = '';
  qname = '';
  qtype = 0;
  do = false;
  proto: Proto = 'udp';
  family: 1 | 2 = 1;
  requestBytes = 0;
  /** A double from the start, so each hit's store updates it in place. */
  seconds = 0.5;
}

/** Origins by chain, then by the responder's index, zone, server and proto. */
const origins = new WeakMap<readonly Handler[], Map<string, Origin>>();
/** The Origin of a reply that `handlers[at]` answered; its observers are the handlers before it that observe hits. */
function originOf(handlers: readonly Handler[], at: number, zone: string, server: string, proto: Proto): Origin {
  let byKey = origins.get(handlers);
  if (!byKey) origins.set(handlers, (byKey = new Map()));
  const key = `${at} ${zone} ${server} ${proto}`;
  let o = byKey.get(key);
  if (!o) {
    const observers = handlers.slice(0, at).filter((x) => typeof x.fastHit === 'function');
    byKey.set(key, (o = { observers, responder: handlers[at]!.name, zone, server, proto }));
  }
  return o;
}

/** Bytes an entry costs besides its reply: entry object (96 B), name string (~60), map slots (~74), as measured in a heap snapshot. */
const ENTRY_OVERHEAD = 230;
/** Reply bytes are packed into chunks of this size. */
const CHUNK = 64 * 1024;
/** Default bound for both generations together. */
export const DEFAULT_MAX_BYTES = 24 * 1024 * 1024;
/** Slots of the table of NXDOMAIN questions asked once (a tag per slot, 4 bytes each). */
const SEEN_SLOTS = 1 << 16;

/** Set by shape(): the question's length and the OPT key of the message last shaped. */
let shapedQlen = 0;
let shapedOptKey = 0;

/**
 * Hash of a query of the plain shape (see the file comment), or -1. Sets shapedQlen and shapedOptKey.
 * Must agree with the guard layer: every message it shapes is one accept() would serve as is.
 */
export function shape(buf: Uint8Array, tcp: boolean): number {
  const n = buf.length;
  // QR=0 and opcode QUERY; QDCOUNT 1; ANCOUNT and NSCOUNT 0; ARCOUNT 0 or 1.
  if (n < 17 || (buf[2]! & 0xf8) !== 0 || buf[4] !== 0 || buf[5] !== 1) return -1;
  if (buf[6] !== 0 || buf[7] !== 0 || buf[8] !== 0 || buf[9] !== 0 || buf[10] !== 0) return -1;
  const arcount = buf[11]!;
  if (arcount > 1) return -1;
  let h = 0x811c9dc5;
  let p = 12;
  for (;;) {
    const l = buf[p];
    if (l === undefined || l > 63) return -1;
    if (l === 0) break;
    const end = p + 1 + l;
    if (end - 12 > 254) return -1;
    for (; p < end; p++) h = Math.imul(h ^ buf[p]!, 0x01000193);
    if (p >= n) return -1;
  }
  h = Math.imul(h ^ 0, 0x01000193);
  p++;
  const qend = p + 4;
  // Class IN only (others get REFUSED from the guard layer).
  if (qend > n || buf[p + 2] !== 0 || buf[p + 3] !== 1) return -1;
  for (; p < qend; p++) h = Math.imul(h ^ buf[p]!, 0x01000193);
  let optKey: number;
  if (arcount === 0) {
    if (qend !== n) return -1;
    optKey = (tcp ? MAX_TCP_SIZE : MIN_UDP_SIZE) * 4;
  } else {
    // OPT: root owner, type 41, class = UDP size, TTL = ext-rcode, version, flags; RDLENGTH; options.
    if (qend + 11 > n || buf[qend] !== 0 || buf[qend + 1] !== 0 || buf[qend + 2] !== 41) return -1;
    if (buf[qend + 6] !== 0) return -1; // EDNS version > 0 gets BADVERS from the guard layer
    const rdlen = (buf[qend + 9]! << 8) | buf[qend + 10]!;
    let o = qend + 11;
    if (o + rdlen !== n) return -1;
    while (o < n) {
      if (o + 4 > n) return -1;
      o += 4 + ((buf[o + 2]! << 8) | buf[o + 3]!);
    }
    if (o !== n) return -1;
    const asked = (buf[qend + 3]! << 8) | buf[qend + 4]!;
    const size = tcp ? MAX_TCP_SIZE : Math.min(Math.max(asked, MIN_UDP_SIZE), MAX_UDP_SIZE);
    optKey = size * 4 + ((buf[qend + 7]! & 0x80) !== 0 ? 2 : 1);
  }
  shapedQlen = qend - 12;
  shapedOptKey = optKey;
  h = Math.imul(h ^ optKey, 0x01000193);
  return (h ^ (h >>> 15)) & 0x3fffffff;
}

/** What the last successful shape() found: question length and OPT key (for tests). */
export function lastShape(): { qlen: number; optKey: number } {
  return { qlen: shapedQlen, optKey: shapedOptKey };
}

function sameQuestion(e: Entry, buf: Uint8Array, qlen: number): boolean {
  const c = e.chunk;
  const base = e.off + 12;
  for (let i = 0; i < qlen; i++) if (c[base + i] !== buf[12 + i]) return false;
  return true;
}

/** One generation: entries by hash, their replies packed into chunks. */
class Generation {
  readonly map = new Map<number, Entry>();
  bytes = 0;
  private chunk = Buffer.allocUnsafeSlow(CHUNK);
  private used = 0;

  find(h: number, buf: Uint8Array, qlen: number, optKey: number): Entry | undefined {
    for (let e = this.map.get(h); e; e = e.next) if (e.optKey === optKey && e.qlen === qlen && sameQuestion(e, buf, qlen)) return e;
    return undefined;
  }

  remove(h: number, e: Entry): void {
    const first = this.map.get(h);
    if (first === e) {
      if (e.next) this.map.set(h, e.next);
      else this.map.delete(h);
      return;
    }
    for (let p = first; p; p = p.next) {
      if (p.next === e) {
        p.next = e.next;
        return;
      }
    }
  }

  /** Copies `bytes` into a chunk: where it lands. */
  store(bytes: Uint8Array): [Buffer, number] {
    if (bytes.length > CHUNK - this.used) {
      this.chunk = Buffer.allocUnsafeSlow(Math.max(CHUNK, bytes.length));
      this.used = 0;
    }
    const at = this.used;
    this.chunk.set(bytes, at);
    this.used += bytes.length;
    return [this.chunk, at];
  }

  add(h: number, e: Entry): void {
    e.next = this.map.get(h);
    this.map.set(h, e);
    this.bytes += e.len + ENTRY_OVERHEAD;
  }
}

/** The wire cache of one port. */
export class WireCache {
  private young = new Generation();
  private old = new Generation();
  /** NXDOMAIN questions asked once: slot (hash & mask) -> hash + 1. A collision only costs a question one more miss. */
  private readonly seen = new Int32Array(SEEN_SLOTS);
  /** The reply handed out when the caller lends it straight to the kernel (see FastFn). */
  private readonly lendBuf = Buffer.allocUnsafeSlow(MAX_UDP_SIZE);
  private readonly lendViews: Array<Buffer | undefined> = [];
  private readonly hit = new Hit();

  constructor(private readonly maxBytes = DEFAULT_MAX_BYTES) {}

  /** Entries kept (both generations). */
  get size(): number {
    let n = 0;
    for (const g of [this.young, this.old]) for (let e of g.map.values()) for (; e; e = e.next as Entry) n++;
    return n;
  }

  /**
   * The reply to `buf` patched from a kept one, or undefined (then serve it the full way). With
   * `lent` (see FastFn) it is written into one buffer the cache reuses for every lent hit (no
   * Buffer per hit); otherwise it is a new Buffer the caller may hold.
   */
  get(buf: Buffer, tcp: boolean, family: 1 | 2, lent = false): Buffer | undefined {
    const start = performance.now();
    const h = shape(buf, tcp);
    if (h < 0) return undefined;
    const qlen = shapedQlen;
    const optKey = shapedOptKey;
    let e = this.young.find(h, buf, qlen, optKey);
    if (!e) {
      e = this.old.find(h, buf, qlen, optKey);
      if (!e) return undefined;
      this.old.remove(h, e);
      if (!e.token.valid) return undefined;
      e = this.carry(h, e);
    }
    if (!e.token.valid) {
      this.young.remove(h, e);
      return undefined;
    }
    const len = e.len;
    let out: Buffer;
    if (lent && len <= MAX_UDP_SIZE) {
      // One buffer lent over and over, a view per reply length: no Buffer per hit, nothing per entry.
      out = this.lendViews[len] ??= this.lendBuf.subarray(0, len);
    } else {
      out = Buffer.allocUnsafe(len);
    }
    e.chunk.copy(out, 0, e.off, e.off + len);
    out[0] = buf[0]!;
    out[1] = buf[1]!;
    // RD and CD come from the query (RFC 1035 §4.1.1, RFC 4035 §3.2.2).
    out[2] = (out[2]! & ~0x01) | (buf[2]! & 0x01);
    out[3] = (out[3]! & ~0x10) | (buf[3]! & 0x10);
    const o = e.origin;
    const observers = o.observers;
    if (observers.length > 0) {
      // Per-hit facts go on the cache's one Hit (one hit at a time): observers get no object of their own.
      const hit = this.hit;
      hit.zone = o.zone;
      hit.server = o.server;
      hit.proto = o.proto;
      hit.qname = e.qname;
      hit.qtype = e.rt & 0xffff;
      hit.do = (e.optKey & 3) === 2;
      hit.family = family;
      hit.requestBytes = buf.length;
      hit.seconds = (performance.now() - start) / 1000;
      const rcode = e.rt >>> 16;
      for (let i = 0; i < observers.length; i++) observers[i]!.fastHit!(hit, rcode, o.responder, len);
    }
    return out;
  }

  /**
   * Keeps `out` (the finished reply to the raw query `buf`, answered by `handlers` as `req`) when
   * the answering plugin vouched for it and the plugins before it are transparent.
   */
  put(buf: Buffer, req: Request, handlers: readonly Handler[], reply: Msg, out: Buffer): void {
    const token = req.wireToken;
    if (!token || !token.valid || !req.responder) return;
    const h = shape(buf, req.proto === 'tcp');
    if (h < 0) return;
    if (reply.rcode === Rcode.NXDOMAIN) {
      const slot = h & (SEEN_SLOTS - 1);
      if (this.seen[slot] !== h + 1) {
        this.seen[slot] = h + 1;
        return;
      }
    }
    const qlen = shapedQlen;
    const optKey = shapedOptKey;
    // The reply must carry the question exactly as asked (it is replayed to the same bytes).
    if (out.length < 12 + qlen) return;
    for (let i = 12; i < 12 + qlen; i++) if (out[i] !== buf[i]) return;
    const at = handlers.findIndex((x) => x.name === req.responder);
    if (at < 0) return;
    for (let i = 0; i < at; i++) if (!handlers[i]!.transparent?.(req)) return;
    for (const x of handlers) if (x.cacheable && !x.cacheable(reply)) return;
    if (out.length > 0xffff || qlen > 511) return;
    const origin = originOf(handlers, at, req.zone, req.server, req.proto);
    this.rotateIfFull(out.length);
    const [chunk, off] = this.young.store(out);
    const e = new Entry(chunk, off, (out.length << 9) | qlen, optKey, token, ((reply.rcode & 0xfff) << 16) | (req.qtype & 0xffff), origin, req.qname);
    for (const g of [this.young, this.old]) {
      const dup = g.find(h, buf, qlen, optKey);
      if (dup) g.remove(h, dup);
    }
    this.young.add(h, e);
  }

  /** Moves an entry asked for again from the old generation to the young one. */
  private carry(h: number, e: Entry): Entry {
    this.rotateIfFull(e.len);
    const [chunk, off] = this.young.store(e.chunk.subarray(e.off, e.off + e.len));
    const moved = new Entry(chunk, off, e.lens, e.optKey, e.token, e.rt, e.origin, e.qname);
    this.young.add(h, moved);
    return moved;
  }

  private rotateIfFull(len: number): void {
    if (this.young.bytes + len + ENTRY_OVERHEAD <= this.maxBytes / 2) return;
    this.old = this.young;
    this.young = new Generation();
  }
}
