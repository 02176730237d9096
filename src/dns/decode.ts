/**
 * Wire -> Msg. Hand-written instead of dns2's parser: dns2 reads bit by bit (slow on the query
 * path) and joins labels with '.', which loses a label that itself holds a dot. Every pointer,
 * length and count is bounds-checked; pointer loops and forward pointers are rejected (RFC 1035 §4.1.4).
 */
import { Type } from './constants.js';
import type { Msg, Opt, Question, RR } from './message.js';
import { bytesToLabel, compressIPv6 } from './name.js';
import { WireError } from './wire-error.js';

/** Reads a (possibly compressed) name at `off`; returns the name and the offset after it. */
export function readName(buf: Uint8Array, off: number): [string, number] {
  let name = '';
  let pos = off;
  let end = -1;
  let total = 1;
  let jumps = 0;
  for (;;) {
    if (pos >= buf.length) throw new WireError('name runs past the end of the message');
    const len = buf[pos]!;
    if (len === 0) {
      pos += 1;
      break;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= buf.length) throw new WireError('truncated compression pointer');
      const target = ((len & 0x3f) << 8) | buf[pos + 1]!;
      // Only backward pointers: this alone rules out loops.
      if (target >= pos) throw new WireError('compression pointer does not point backwards');
      if (++jumps > 127) throw new WireError('too many compression pointers');
      if (end < 0) end = pos + 2;
      pos = target;
      continue;
    }
    if (kind !== 0) throw new WireError(`invalid label type 0x${len.toString(16)}`);
    total += len + 1;
    if (total > 255) throw new WireError('name longer than 255 octets');
    if (pos + 1 + len > buf.length) throw new WireError('label runs past the end of the message');
    name += `${bytesToLabel(buf, pos + 1, pos + 1 + len)}.`;
    pos += 1 + len;
  }
  return [name === '' ? '.' : name, end >= 0 ? end : pos];
}

function u16(buf: Uint8Array, off: number): number {
  if (off + 2 > buf.length) throw new WireError('message truncated');
  return (buf[off]! << 8) | buf[off + 1]!;
}

function u32(buf: Uint8Array, off: number): number {
  if (off + 4 > buf.length) throw new WireError('message truncated');
  return ((buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!) >>> 0;
}

function ipv6(buf: Uint8Array, off: number): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((buf[off + i]! << 8) | buf[off + i + 1]!).toString(16));
  return compressIPv6(groups.join(':'));
}

function characterStrings(buf: Uint8Array, off: number, end: number): string[] {
  const out: string[] = [];
  let p = off;
  while (p < end) {
    const n = buf[p]!;
    if (p + 1 + n > end) throw new WireError('character-string overruns RDATA');
    out.push(Buffer.from(buf.subarray(p + 1, p + 1 + n)).toString('latin1'));
    p += 1 + n;
  }
  return out;
}

function readRR(buf: Uint8Array, off: number): [RR, number] {
  const [name, p] = readName(buf, off);
  const type = u16(buf, p);
  const cls = u16(buf, p + 2);
  const ttl = u32(buf, p + 4);
  const rdlen = u16(buf, p + 8);
  const start = p + 10;
  const end = start + rdlen;
  if (end > buf.length) throw new WireError('RDATA runs past the end of the message');
  const rr: RR = { name, type, class: cls, ttl };
  const need = (n: number) => {
    if (rdlen !== n) throw new WireError(`bad RDLENGTH ${rdlen} for type ${type}`);
  };
  const nameIn = (at: number): [string, number] => {
    const r = readName(buf, at);
    if (r[1] > end) throw new WireError('name overruns RDATA');
    return r;
  };
  switch (type) {
    case Type.A:
      need(4);
      rr.address = `${buf[start]}.${buf[start + 1]}.${buf[start + 2]}.${buf[start + 3]}`;
      break;
    case Type.AAAA:
      need(16);
      rr.address = ipv6(buf, start);
      break;
    case Type.CNAME:
    case Type.PTR:
      rr.domain = nameIn(start)[0];
      break;
    case Type.NS:
      rr.ns = nameIn(start)[0];
      break;
    case Type.MX:
      rr.priority = u16(buf, start);
      rr.exchange = nameIn(start + 2)[0];
      break;
    case Type.SRV:
      rr.priority = u16(buf, start);
      rr.weight = u16(buf, start + 2);
      rr.port = u16(buf, start + 4);
      rr.target = nameIn(start + 6)[0];
      break;
    case Type.SOA: {
      const [primary, a] = nameIn(start);
      const [admin, b] = nameIn(a);
      if (b + 20 !== end) throw new WireError('bad SOA RDATA');
      rr.primary = primary;
      rr.admin = admin;
      rr.serial = u32(buf, b);
      rr.refresh = u32(buf, b + 4);
      rr.retry = u32(buf, b + 8);
      rr.expiration = u32(buf, b + 12);
      rr.minimum = u32(buf, b + 16);
      break;
    }
    case Type.TXT:
    case Type.HINFO:
      rr.strings = characterStrings(buf, start, end);
      break;
    default:
      rr.rdata = buf.slice(start, end);
  }
  return [rr, end];
}

/** Parses the OPT pseudo-RR (already decoded as a raw RR). */
function toOpt(rr: RR): Opt {
  const options: Array<[number, Uint8Array]> = [];
  const d = rr.rdata ?? new Uint8Array();
  let p = 0;
  while (p + 4 <= d.length) {
    const code = (d[p]! << 8) | d[p + 1]!;
    const len = (d[p + 2]! << 8) | d[p + 3]!;
    if (p + 4 + len > d.length) throw new WireError('EDNS option overruns OPT RDATA');
    options.push([code, d.slice(p + 4, p + 4 + len)]);
    p += 4 + len;
  }
  if (p !== d.length) throw new WireError('trailing bytes in OPT RDATA');
  return {
    udpSize: rr.class,
    extendedRcode: rr.ttl >>> 24,
    version: (rr.ttl >>> 16) & 0xff,
    do: (rr.ttl & 0x8000) !== 0,
    options,
  };
}

/** True when the (already validated) name at `off` uses a compression pointer. */
function hasPointer(buf: Uint8Array, off: number): boolean {
  for (let len = buf[off]!; len !== 0; len = buf[off]!) {
    if ((len & 0xc0) !== 0) return true;
    off += len + 1;
  }
  return false;
}

/** Decodes a whole message. Throws WireError (with the ID when the header was readable). */
export function decode(buf: Uint8Array): Msg {
  if (buf.length < 12) throw new WireError('message shorter than the 12-byte header');
  const id = (buf[0]! << 8) | buf[1]!;
  const flags = (buf[2]! << 8) | buf[3]!;
  const counts = [u16(buf, 4), u16(buf, 6), u16(buf, 8), u16(buf, 10)] as const;
  const msg: Msg = {
    id,
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    ad: (flags & 0x0020) !== 0,
    cd: (flags & 0x0010) !== 0,
    rcode: flags & 0xf,
    question: [],
    answer: [],
    ns: [],
    extra: [],
  };
  try {
    let p = 12;
    for (let i = 0; i < counts[0]; i++) {
      const start = p;
      const [name, q] = readName(buf, p);
      const question: Question = { name, type: u16(buf, q), class: u16(buf, q + 2) };
      p = q + 4;
      // Echoed byte for byte, but only when self-contained: a compression pointer in it points
      // into *this* message and would point at garbage (or the header) in the reply.
      if (!hasPointer(buf, start)) question.raw = buf.slice(start, p);
      msg.question.push(question);
    }
    const sections = [msg.answer, msg.ns, msg.extra];
    for (let s = 0; s < 3; s++) {
      for (let i = 0; i < counts[s + 1]!; i++) {
        const [rr, q] = readRR(buf, p);
        p = q;
        if (rr.type === Type.OPT) {
          if (s !== 2) throw new WireError('OPT outside the additional section');
          if (msg.opt) throw new WireError('more than one OPT record');
          if (rr.name !== '.') throw new WireError('OPT owner is not the root');
          msg.opt = toOpt(rr);
          msg.rcode |= msg.opt.extendedRcode << 4;
          continue;
        }
        sections[s]!.push(rr);
      }
    }
  } catch (e) {
    if (e instanceof WireError) throw new WireError(e.message, id);
    throw e;
  }
  return msg;
}
