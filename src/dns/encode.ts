/**
 * Msg -> wire, with name compression and truncation at RRset boundaries (RFC 2181 §9).
 * Hand-written for the query path (dns2's writer pushes one array element per bit).
 */
import { Type } from './constants.js';
import type { Msg, Opt, RR } from './message.js';
import { labelToBytes, splitLabels, ipv6ToBytes, lower } from './name.js';

/**
 * A name split for writing: its uncompressed wire form (labels with their length bytes, no final
 * 0), where each label starts in it, and the lower-cased key of each suffix (compression targets).
 */
interface NameInfo {
  wire: Uint8Array;
  starts: number[];
  keys: string[];
  lower: string;
}

const nameCache = new Map<string, NameInfo>();
/**
 * Names kept parsed. The wire cache replays repeated replies, so encode runs for first answers only;
 * this only needs the names of one reply and the zone's repeats, and is small so that it never
 * weighs (it held 50k names, ~35 MiB, under a 10k-Service query mix).
 */
const NAME_CACHE_MAX = 2048;

/** Parses a presentation name once; zone names repeat, so this is a cache hit on the hot path. */
function nameInfo(name: string): NameInfo {
  let info = nameCache.get(name);
  if (info) return info;
  const parts = splitLabels(name);
  const labels = parts.map((l) => labelToBytes(l));
  const wire = new Uint8Array(labels.reduce((n, l) => n + 1 + l.length, 0));
  const starts: number[] = [];
  let at = 0;
  for (const l of labels) {
    starts.push(at);
    wire[at] = l.length;
    wire.set(l, at + 1);
    at += 1 + l.length;
  }
  const lowerParts = parts.map((l) => lower(l));
  const keys = lowerParts.map((_, i) => lowerParts.slice(i).join('.'));
  info = { wire, starts, keys, lower: lower(name) };
  // Bounded: a flood of random names must not grow memory without limit.
  if (nameCache.size >= NAME_CACHE_MAX) nameCache.clear();
  nameCache.set(name, info);
  return info;
}

/** A byte writer over one shared scratch buffer (encode is synchronous), with a compression table. */
class Writer {
  static scratch = Buffer.allocUnsafe(65536 + 4096);
  buf = Writer.scratch;
  len = 0;
  private readonly names = new Map<string, number>();

  reset(): void {
    this.len = 0;
    this.names.clear();
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
    const { wire, starts, keys } = nameInfo(name);
    for (let i = 0; i < starts.length; i++) {
      if (compress) {
        const at = this.names.get(keys[i]!);
        if (at !== undefined) {
          this.u16(0xc000 | at);
          return;
        }
        if (this.len < 0x4000) this.names.set(keys[i]!, this.len);
      }
      const from = starts[i]!;
      const n = wire[from]! + 1;
      this.ensure(n);
      for (let k = 0; k < n; k++) this.buf[this.len + k] = wire[from + k]!;
      this.len += n;
    }
    this.u8(0);
  }

  /** Forgets compression targets at or beyond `len` (after rolling back a record that did not fit). */
  rollback(len: number): void {
    this.len = len;
    for (const [k, v] of this.names) if (v >= len) this.names.delete(k);
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

/** Index just past the RRset that starts at `i` (same owner, type and class, adjacent). */
function rrsetEnd(rrs: readonly RR[], i: number): number {
  const first = rrs[i]!;
  let j = i + 1;
  while (j < rrs.length && rrs[j]!.type === first.type && rrs[j]!.class === first.class && (rrs[j]!.name === first.name || nameInfo(rrs[j]!.name).lower === nameInfo(first.name).lower)) j++;
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
