/** The in-memory DNS message the chain works on. Plain objects: cheap to build, easy to compare. */

/** RDATA shapes, named as dns2 names them so its codecs can encode the rarer types. */
export interface RR {
  /** Owner name, presentation form, with the trailing dot. */
  name: string;
  type: number;
  class: number;
  ttl: number;
  /** A / AAAA */
  address?: string;
  /** CNAME / PTR / DNAME target */
  domain?: string;
  /** NS target */
  ns?: string;
  /** SRV and MX */
  priority?: number;
  weight?: number;
  port?: number;
  target?: string;
  exchange?: string;
  /** SOA */
  primary?: string;
  admin?: string;
  serial?: number;
  refresh?: number;
  retry?: number;
  expiration?: number;
  minimum?: number;
  /** TXT: character strings (split at 255 bytes on the wire); HINFO: [cpu, os] */
  strings?: string[];
  /** Raw RDATA for any other type (RFC 3597), as read off the wire. */
  rdata?: Uint8Array;
}

/** The EDNS0 pseudo-record of a message (RFC 6891). */
export interface Opt {
  udpSize: number;
  version: number;
  do: boolean;
  extendedRcode: number;
  /** Options as [code, data]; we echo none by default. */
  options: Array<[number, Uint8Array]>;
}

/** One question. `name` is presentation form as the client spelled it. */
export interface Question {
  name: string;
  type: number;
  class: number;
  /** The question's wire bytes as received (name + type + class), echoed byte-exact. */
  raw?: Uint8Array;
}

/** A DNS message. */
export interface Msg {
  id: number;
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  ad: boolean;
  cd: boolean;
  /** Full rcode (may exceed 15 when an OPT carries the high bits). */
  rcode: number;
  question: Question[];
  answer: RR[];
  ns: RR[];
  extra: RR[];
  opt?: Opt;
}

/** An empty reply to `query`: same ID, opcode, RD and CD, question copied, QR set. */
export function replyTo(query: Msg, rcode = 0): Msg {
  return {
    id: query.id,
    qr: true,
    opcode: query.opcode,
    aa: false,
    tc: false,
    rd: query.rd,
    ra: false,
    ad: false,
    cd: query.cd,
    rcode,
    question: query.question,
    answer: [],
    ns: [],
    extra: [],
  };
}

/** A fresh query message. */
export function newQuery(name: string, type: number, opts: Partial<Msg> = {}): Msg {
  return {
    id: 0, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, ad: false, cd: false,
    rcode: 0, question: [{ name, type, class: 1 }], answer: [], ns: [], extra: [], ...opts,
  };
}
