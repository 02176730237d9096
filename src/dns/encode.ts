/**
 * Msg -> wire, with name compression and truncation at RRset boundaries (RFC 2181 §9).
 * Hand-written for the query path (dns2's writer pushes one array element per bit).
 */
import { Type } from './constants.js';
import type { Msg, Opt, RR } from './message.js';
import { escapedByteAt, ipv6ToBytes, lower } from './name.js';

/** Slots of the compression table (a power of two), and the targets it takes at most (half). */
const SLOTS = 4096;
const MAX_TARGETS = SLOTS / 2;
/** Labels a name may have (a wire name of 255 bytes has at most 127). */
const MAX_LABELS = 256;

/** ASCII letters fold to lower case (DNS case-insensitivity is ASCII-only, RFC 4343). */
function fold(b: number): number {
  return b >= 65 && b <= 90 ? b + 32 : b;
}

/**
 * A byte writer over one shared scratch buffer (encode is synchronous), with a compression table.
 * Nothing is allocated per name: a name is written from its presentation form straight into the
 * buffer, and the table holds the offsets of the labels written so far, found by a hash of the
 * (case-folded) name from that label on and confirmed against the bytes already written. (It used
 * to parse each name into arrays and suffix strings kept in a map: garbage V8 promoted while the
 * wire cache filled, ~7 MB per 10k-Service query mix; bench/RESULTS.md.)
 */
class Writer {
  static scratch = Buffer.allocUnsafe(65536 + 4096);
  buf = Writer.scratch;
  len = 0;
  /** Compression table: open addressing; a slot is in use when its generation is the message's. */
  private readonly slotGen = new Uint32Array(SLOTS);
  private readonly slotHash = new Int32Array(SLOTS);
  /** Offset of the label a slot points to; -1 once rolled back. */
  private readonly slotAt = new Int32Array(SLOTS);
  private gen = 0;
  private targets = 0;
  /** The name being written: where each label starts and the hash of the name from it on. */
  private readonly starts = new Int32Array(MAX_LABELS);
  private readonly hashes = new Int32Array(MAX_LABELS + 1);

  reset(): void {
    this.len = 0;
    this.targets = 0;
    if (++this.gen > 0xfffffff0) {
      this.slotGen.fill(0);
      this.gen = 1;
    }
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.len++] = v & 0xff;
  }

  u16(v: number): void {
    this.ensure(2);
    this.buf[this.len++] = (v >> 8) & 0xff;
    this.buf[this.len++] = v & 0xff;
  }

  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.len);
    this.len += 4;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** Writes a name, compressing against names already written (`compress` false for SRV targets). */
  name(name: string, compress = true): void {
    this.ensure(name.length + 2);
    const n = this.labels(name);
    const starts = this.starts;
    const hashes = this.hashes;
    // More labels than a wire name can hold (255 bytes): written as given, never a target.
    if (!compress || n > MAX_LABELS) {
      this.buf[this.len++] = 0;
      return;
    }
    const end = this.len;
    // Suffix hashes, from the root up.
    hashes[n] = 0x2545f491;
    for (let i = n - 1; i >= 0; i--) {
      let h = Math.imul(hashes[i]! ^ Math.imul(hashes[i + 1]!, 0x9e3779b1), 0x85ebca6b);
      hashes[i] = h ^ (h >>> 13);
    }
    for (let i = 0; i < n; i++) {
      const at = this.find(hashes[i]!, starts[i]!, end);
      if (at >= 0) {
        for (let k = 0; k < i; k++) this.remember(hashes[k]!, starts[k]!);
        this.len = starts[i]!;
        this.buf[this.len++] = 0xc0 | (at >> 8);
        this.buf[this.len++] = at & 0xff;
        return;
      }
    }
    for (let k = 0; k < n; k++) this.remember(hashes[k]!, starts[k]!);
    this.buf[this.len++] = 0;
  }

  /**
   * Writes `name`'s labels uncompressed at `len` (no final 0), reading escapes as escapedByteAt does
   * (`\DDD`, `\X`), recording where each starts and (in `hashes`) each label's own hash.
   * Returns how many; the root has none.
   */
  private labels(name: string): number {
    const L = name.length;
    if (L === 0 || (L === 1 && name.charCodeAt(0) === 46)) return 0;
    const buf = this.buf;
    let n = 0;
    let i = 0;
    while (i < L) {
      const start = this.len++;
      let h = 0x811c9dc5;
      while (i < L && name.charCodeAt(i) !== 46) {
        const r = escapedByteAt(name, i, L);
        const c = r & 0xff;
        i += r >> 8;
        buf[this.len++] = c;
        h = Math.imul(h ^ fold(c), 0x01000193);
      }
      const len = this.len - start - 1;
      buf[start] = len;
      if (n < MAX_LABELS) {
        this.starts[n] = start;
        this.hashes[n] = h ^ len;
      }
      n++;
      i++; // the dot
    }
    return n;
  }

  /** Offset of a name written before equal to the one at `[from, end)` (plus the root), or -1. */
  private find(hash: number, from: number, end: number): number {
    const mask = SLOTS - 1;
    for (let slot = hash & mask; this.slotGen[slot] === this.gen; slot = (slot + 1) & mask) {
      const at = this.slotAt[slot]!;
      if (at >= 0 && this.slotHash[slot] === hash && this.sameName(from, end, at)) return at;
    }
    return -1;
  }

  /** Whether the labels at `[a, aEnd)` then the root spell the name written at `b` (ASCII case folded). */
  private sameName(a: number, aEnd: number, b: number): boolean {
    const buf = this.buf;
    for (let hops = 0; ; ) {
      let lb = buf[b]!;
      while ((lb & 0xc0) === 0xc0) {
        if (++hops > 64) return false;
        b = ((lb & 0x3f) << 8) | buf[b + 1]!;
        lb = buf[b]!;
      }
      if (a >= aEnd) return lb === 0;
      const la = buf[a]!;
      if (la !== lb || la === 0) return false;
      for (let k = 1; k <= la; k++) if (fold(buf[a + k]!) !== fold(buf[b + k]!)) return false;
      a += la + 1;
      b += lb + 1;
    }
  }

  /** Makes the name from the label at `at` on a compression target (pointers reach 0x3fff). */
  private remember(hash: number, at: number): void {
    if (at >= 0x4000 || this.targets >= MAX_TARGETS) return;
    const mask = SLOTS - 1;
    let slot = hash & mask;
    while (this.slotGen[slot] === this.gen) slot = (slot + 1) & mask;
    this.slotGen[slot] = this.gen;
    this.slotHash[slot] = hash;
    this.slotAt[slot] = at;
    this.targets++;
  }

  /** Forgets compression targets at or beyond `len` (after rolling back a record that did not fit). */
  rollback(len: number): void {
    this.len = len;
    for (let s = 0; s < SLOTS; s++) if (this.slotGen[s] === this.gen && this.slotAt[s]! >= len) this.slotAt[s] = -1;
  }
}

const writer = new Writer();

function writeStrings(w: Writer, strings: readonly string[]): void {
  for (const s of strings) {
    const b = Buffer.from(s, 'latin1');
    if (b.length === 0) {
      w.u8(0);
      continue;
    }
    // RFC 1035 §3.3: a character-string holds at most 255 bytes; longer text is split.
    for (let i = 0; i < b.length; i += 255) {
      const part = b.subarray(i, i + 255);
      w.u8(part.length);
      w.bytes(part);
    }
  }
}

function writeRdata(w: Writer, rr: RR): void {
  switch (rr.type) {
    case Type.A: {
      const p = (rr.address ?? '').split('.');
      for (let i = 0; i < 4; i++) w.u8(Number(p[i]) || 0);
      return;
    }
    case Type.AAAA: {
      const b = ipv6ToBytes(rr.address ?? '');
      w.bytes(b ?? new Uint8Array(16));
      return;
    }
    case Type.CNAME:
    case Type.PTR:
      w.name(rr.domain ?? '.');
      return;
    case Type.NS:
      w.name(rr.ns ?? '.');
      return;
    case Type.MX:
      w.u16(rr.priority ?? 0);
      w.name(rr.exchange ?? '.');
      return;
    case Type.SRV:
      w.u16(rr.priority ?? 0);
      w.u16(rr.weight ?? 0);
      w.u16(rr.port ?? 0);
      // RFC 2782: the target is not compressed.
      w.name(rr.target ?? '.', false);
      return;
    case Type.SOA:
      w.name(rr.primary ?? '.');
      w.name(rr.admin ?? '.');
      w.u32(rr.serial ?? 0);
      w.u32(rr.refresh ?? 0);
      w.u32(rr.retry ?? 0);
      w.u32(rr.expiration ?? 0);
      w.u32(rr.minimum ?? 0);
      return;
    case Type.TXT:
    case Type.HINFO:
      writeStrings(w, rr.strings ?? ['']);
      return;
    default:
      if (rr.rdata) w.bytes(rr.rdata);
  }
}

function writeRR(w: Writer, rr: RR): void {
  w.name(rr.name);
  w.u16(rr.type);
  w.u16(rr.class);
  w.u32(Math.min(rr.ttl >>> 0, 0x7fffffff));
  const lenAt = w.len;
  w.u16(0);
  writeRdata(w, rr);
  w.buf.writeUInt16BE(w.len - lenAt - 2, lenAt);
}

function writeOpt(w: Writer, opt: Opt, rcode: number): void {
  w.u8(0);
  w.u16(Type.OPT);
  w.u16(opt.udpSize);
  w.u32((((rcode >> 4) & 0xff) << 24) | ((opt.version & 0xff) << 16) | (opt.do ? 0x8000 : 0));
  let len = 0;
  for (const [, data] of opt.options) len += 4 + data.length;
  w.u16(len);
  for (const [code, data] of opt.options) {
    w.u16(code);
    w.u16(data.length);
    w.bytes(data);
  }
}

/** Whether two owner names are the same name (ASCII case-insensitive). */
function sameOwner(a: string, b: string): boolean {
  return a === b || (a.length === b.length && lower(a) === lower(b));
}

/** Index just past the RRset that starts at `i` (same owner, type and class, adjacent). */
function rrsetEnd(rrs: readonly RR[], i: number): number {
  const first = rrs[i]!;
  let j = i + 1;
  while (j < rrs.length && rrs[j]!.type === first.type && rrs[j]!.class === first.class && sameOwner(rrs[j]!.name, first.name)) j++;
  return j;
}

/**
 * Encodes `msg` into at most `maxSize` bytes. Records that do not fit are dropped a whole RRset
 * at a time; TC is set when answer or authority data was dropped (additional data is optional,
 * RFC 2181 §9). The OPT record is always kept.
 */
export function encode(msg: Msg, maxSize = 65535): Buffer {
  const w = writer;
  w.reset();
  const optLen = msg.opt ? 11 + msg.opt.options.reduce((n, [, d]) => n + 4 + d.length, 0) : 0;
  const budget = maxSize - optLen;
  w.len = 12;
  w.buf.fill(0, 0, 12);
  for (const q of msg.question) {
    if (q.raw) w.bytes(q.raw);
    else {
      w.name(q.name);
      w.u16(q.type);
      w.u16(q.class);
    }
  }
  let tc = msg.tc;
  const counts = [0, 0, 0];
  const sections = [msg.answer, msg.ns, msg.extra];
  let full = false;
  for (let s = 0; s < 3 && !full; s++) {
    const rrs = sections[s]!;
    for (let i = 0; i < rrs.length;) {
      const end = rrsetEnd(rrs, i);
      const mark = w.len;
      for (let j = i; j < end; j++) writeRR(w, rrs[j]!);
      if (w.len > budget) {
        w.rollback(mark);
        if (s < 2) tc = true;
        full = true;
        break;
      }
      counts[s]! += end - i;
      i = end;
    }
  }
  let arcount = counts[2]!;
  if (msg.opt) {
    writeOpt(w, msg.opt, msg.rcode);
    arcount++;
  }
  const b = w.buf;
  if (b !== Writer.scratch) Writer.scratch = b;
  b.writeUInt16BE(msg.id & 0xffff, 0);
  const flags =
    (msg.qr ? 0x8000 : 0) | ((msg.opcode & 0xf) << 11) | (msg.aa ? 0x0400 : 0) | (tc ? 0x0200 : 0) |
    (msg.rd ? 0x0100 : 0) | (msg.ra ? 0x0080 : 0) | (msg.ad ? 0x0020 : 0) | (msg.cd ? 0x0010 : 0) |
    (msg.rcode & 0xf);
  b.writeUInt16BE(flags, 2);
  b.writeUInt16BE(msg.question.length, 4);
  b.writeUInt16BE(counts[0]!, 6);
  b.writeUInt16BE(counts[1]!, 8);
  b.writeUInt16BE(arcount, 10);
  const out = Buffer.allocUnsafe(w.len);
  b.copy(out, 0, 0, w.len);
  return out;
}
