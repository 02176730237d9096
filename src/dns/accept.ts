/**
 * The guard layer: what a raw datagram or TCP frame gets before any plugin sees it.
 * Header first, body only when the header is acceptable (as miekg/dns's acceptfunc does).
 */
import { Class, MAX_TCP_SIZE, MAX_UDP_SIZE, MIN_UDP_SIZE, Opcode, Rcode } from './constants.js';
import { decode } from './decode.js';
import { encode } from './encode.js';
import type { Msg, Opt } from './message.js';
import { WireError } from './wire-error.js';

/** What to do with one incoming message. */
export type Verdict =
  | { kind: 'drop'; reason: string }
  | { kind: 'reply'; reply: Buffer; reason: string; rcode: number }
  | { kind: 'serve'; msg: Msg; size: number };

/** The OPT to put on a reply to a query that carried one (RFC 6891 §6.1.1: echo, our size, DO as asked). */
export function replyOpt(query: Msg, size: number): Opt | undefined {
  if (!query.opt) return undefined;
  return { udpSize: size, version: 0, do: query.opt.do, extendedRcode: 0, options: [] };
}

/** The client's usable reply size: UDP clamped to [512, 1232] from its OPT; TCP 65535. */
export function clientSize(query: Msg, tcp: boolean): number {
  if (tcp) return MAX_TCP_SIZE;
  const asked = query.opt?.udpSize ?? MIN_UDP_SIZE;
  return Math.min(Math.max(asked, MIN_UDP_SIZE), MAX_UDP_SIZE);
}

function errorReply(query: Msg, rcode: number, size: number, withQuestion: boolean): Buffer {
  const reply: Msg = {
    id: query.id, qr: true, opcode: query.opcode, aa: false, tc: false, rd: query.rd, ra: false, ad: false,
    cd: query.cd, rcode, question: withQuestion ? query.question : [], answer: [], ns: [], extra: [],
    opt: replyOpt(query, size),
  };
  return encode(reply, size);
}

/** A FORMERR carrying only the header bytes we could read (ID, opcode, RD). */
function headerOnlyFormerr(buf: Uint8Array): Buffer {
  const out = Buffer.alloc(12);
  out[0] = buf[0]!;
  out[1] = buf[1]!;
  const flags = buf.length >= 4 ? (buf[2]! << 8) | buf[3]! : 0;
  // QR=1, keep opcode and RD, rcode FORMERR.
  out.writeUInt16BE(0x8000 | (flags & 0x7800) | (flags & 0x0100) | Rcode.FORMERR, 2);
  return out;
}

/** Judges one message received over UDP (`tcp` false) or TCP. */
export function accept(buf: Uint8Array, tcp: boolean): Verdict {
  if (buf.length < 12) {
    if (buf.length < 2) return { kind: 'drop', reason: 'shorter than an ID' };
    if (buf.length >= 3 && (buf[2]! & 0x80) !== 0) return { kind: 'drop', reason: 'QR set' };
    return { kind: 'reply', reply: headerOnlyFormerr(buf), reason: 'short header', rcode: Rcode.FORMERR };
  }
  if ((buf[2]! & 0x80) !== 0) return { kind: 'drop', reason: 'QR set (a response, not a query)' };
  const opcode = (buf[2]! >> 3) & 0xf;
  const qdcount = (buf[4]! << 8) | buf[5]!;
  let msg: Msg;
  try {
    msg = decode(buf);
  } catch (e) {
    if (e instanceof WireError) {
      if (opcode !== Opcode.QUERY) return { kind: 'reply', reply: notImp(buf), reason: `opcode ${opcode}`, rcode: Rcode.NOTIMP };
      return { kind: 'reply', reply: headerOnlyFormerr(buf), reason: e.message, rcode: Rcode.FORMERR };
    }
    throw e;
  }
  const size = clientSize(msg, tcp);
  if (opcode !== Opcode.QUERY) {
    return { kind: 'reply', reply: errorReply(msg, Rcode.NOTIMP, size, msg.question.length === 1), reason: `opcode ${opcode}`, rcode: Rcode.NOTIMP };
  }
  if (qdcount !== 1) {
    return { kind: 'reply', reply: errorReply(msg, Rcode.FORMERR, size, false), reason: `${qdcount} questions`, rcode: Rcode.FORMERR };
  }
  if (msg.opt && msg.opt.version > 0) {
    // RFC 6891 §6.1.3: BADVERS with an OPT of the highest version we do (0).
    return { kind: 'reply', reply: errorReply(msg, Rcode.BADVERS, size, true), reason: `EDNS version ${msg.opt.version}`, rcode: Rcode.BADVERS };
  }
  const qclass = msg.question[0]!.class;
  if (qclass !== Class.IN) {
    return { kind: 'reply', reply: errorReply(msg, Rcode.REFUSED, size, true), reason: `class ${qclass}`, rcode: Rcode.REFUSED };
  }
  return { kind: 'serve', msg, size };
}

function notImp(buf: Uint8Array): Buffer {
  const out = headerOnlyFormerr(buf);
  out[3] = (out[3]! & 0xf0) | Rcode.NOTIMP;
  return out;
}

/** A reply with `rcode` to an accepted query (REFUSED for names outside every zone, SERVFAIL...). */
export function rcodeReply(query: Msg, rcode: number, size: number): Buffer {
  return errorReply(query, rcode, size, true);
}
