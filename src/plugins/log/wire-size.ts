/**
 * A message's size on the wire without name compression. CoreDNS logs `{size}` and `{rsize}` as
 * miekg's Msg.Len() of messages that are not yet marked for compression, i.e. uncompressed:
 * the familiar `"A IN kubernetes.default.svc.cluster.local. udp 54 ..." NOERROR ... 106`.
 */
import { Type } from '../../dns/constants.js';
import type { Msg, RR } from '../../dns/message.js';
import { wireLength } from '../../dns/name.js';

const nameLen = (name: string | undefined): number => Math.max(wireLength(name ?? '.'), 1);

function stringsLen(strings: readonly string[] | undefined): number {
  let n = 0;
  for (const s of strings ?? ['']) {
    const bytes = Buffer.byteLength(s, 'latin1');
    // Long strings go out as several 255-byte character-strings (as encode.ts writes them).
    n += bytes === 0 ? 1 : bytes + Math.ceil(bytes / 255);
  }
  return n;
}

function rdataLen(rr: RR): number {
  switch (rr.type) {
    case Type.A: return 4;
    case Type.AAAA: return 16;
    case Type.CNAME:
    case Type.PTR: return nameLen(rr.domain);
    case Type.NS: return nameLen(rr.ns);
    case Type.MX: return 2 + nameLen(rr.exchange);
    case Type.SRV: return 6 + nameLen(rr.target);
    case Type.SOA: return nameLen(rr.primary) + nameLen(rr.admin) + 20;
    case Type.TXT:
    case Type.HINFO: return stringsLen(rr.strings);
    default: return rr.rdata?.length ?? 0;
  }
}

/** Uncompressed wire length of `msg`, OPT included. */
export function uncompressedSize(msg: Msg): number {
  let n = 12;
  for (const q of msg.question) n += q.raw ? q.raw.length : nameLen(q.name) + 4;
  for (const section of [msg.answer, msg.ns, msg.extra]) {
    for (const rr of section) n += nameLen(rr.name) + 10 + rdataLen(rr);
  }
  if (msg.opt) n += 11 + msg.opt.options.reduce((sum, [, data]) => sum + 4 + data.length, 0);
  return n;
}
