/**
 * Compares a reply with a conformance case, by the rules in README.md: rcode always; sections
 * given as exact multisets (absent = not checked, [] = empty); `soa` shorthand; serials never
 * compared; owner names case-insensitive except in `case` cases; TTLs ignored in `upstream` cases;
 * `{any}` RDATA; TC when given; AA on answers the plugin produced.
 */
import { rcodeName, Type, typeCode, typeName } from '../../src/dns/constants.js';
import type { Msg, RR } from '../../src/dns/message.js';
import { compressIPv6 } from '../../src/dns/name.js';
import type { ConformanceCase } from './cases.js';

interface Norm {
  owner: string;
  ttl: string;
  type: string;
  rdata: string;
}

/** Splits zone-file text into tokens, keeping "quoted strings" whole. */
function tokens(text: string): string[] {
  return [...text.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => (m[1] !== undefined ? `"${m[1]}"` : m[2]!));
}

function name(n: string, exact: boolean): string {
  const f = n.endsWith('.') ? n : `${n}.`;
  return exact ? f : f.toLowerCase();
}

function rdataOf(type: string, fields: string[], exact: boolean): string {
  switch (type) {
    case 'A':
      return fields[0]!;
    case 'AAAA':
      return compressIPv6(fields[0]!.toLowerCase());
    case 'CNAME':
    case 'PTR':
    case 'NS':
      return name(fields[0]!, exact);
    case 'SRV':
      return `${fields[0]} ${fields[1]} ${fields[2]} ${name(fields[3]!, exact)}`;
    case 'SOA':
      // mname rname [serial skipped] refresh retry expire minimum
      return `${name(fields[0]!, exact)} ${name(fields[1]!, exact)} ${fields.slice(3).join(' ')}`;
    case 'TXT':
      return fields.map((f) => f.replace(/^"|"$/g, '')).join(' ');
    default:
      return fields.join(' ');
  }
}

/** The expected record for a zone-file line (or the `soa` shorthand). */
export function parseExpected(line: string, c: ConformanceCase): Norm {
  const text = line === 'soa'
    ? `${c.zone}. ${Math.min(c.ttl, 300)} IN SOA ns.dns.${c.zone}. hostmaster.${c.zone}. 0 7200 1800 86400 ${c.ttl}`
    : line;
  const exact = c.tags.includes('case');
  const [owner, ttl, cls, type, ...rest] = tokens(text);
  if (cls !== 'IN' || !type || typeCode(type) === undefined) throw new Error(`case ${c.id}: cannot parse record '${line}'`);
  const rdata = rest.length === 1 && rest[0] === '{any}' ? '{any}' : rdataOf(type, rest, exact);
  return { owner: name(owner!, exact), ttl: c.upstream ? '*' : ttl!, type, rdata };
}

/** A reply record in the same normal form. */
export function normalize(rr: RR, c: ConformanceCase): Norm {
  const exact = c.tags.includes('case');
  const type = typeName(rr.type);
  let fields: string[];
  switch (rr.type) {
    case Type.A:
    case Type.AAAA:
      fields = [rr.address ?? ''];
      break;
    case Type.CNAME:
    case Type.PTR:
      fields = [rr.domain ?? ''];
      break;
    case Type.NS:
      fields = [rr.ns ?? ''];
      break;
    case Type.SRV:
      fields = [String(rr.priority), String(rr.weight), String(rr.port), rr.target ?? ''];
      break;
    case Type.SOA:
      fields = [rr.primary ?? '', rr.admin ?? '', String(rr.serial), String(rr.refresh), String(rr.retry), String(rr.expiration), String(rr.minimum)];
      break;
    case Type.TXT:
      fields = rr.strings ?? [];
      break;
    default:
      fields = [JSON.stringify(rr)];
  }
  return { owner: name(rr.name, exact), ttl: c.upstream ? '*' : String(rr.ttl), type, rdata: rdataOf(type, fields, exact) };
}

const show = (n: Norm): string => `${n.owner} ${n.ttl} IN ${n.type} ${n.rdata}`;

/** Differences between an expected section and the records of a reply section. */
function compareSection(label: string, expected: string[] | undefined, got: RR[], c: ConformanceCase): string[] {
  if (expected === undefined) return [];
  const actual = got.filter((rr) => rr.type !== Type.OPT).map((rr) => normalize(rr, c));
  const wants = expected.map((line) => parseExpected(line, c));
  const left = [...actual];
  const problems: string[] = [];
  for (const w of wants.filter((x) => x.rdata !== '{any}')) {
    const i = left.findIndex((a) => show(a) === show(w));
    if (i < 0) problems.push(`${label}: missing ${show(w)}`);
    else left.splice(i, 1);
  }
  for (const w of wants.filter((x) => x.rdata === '{any}')) {
    const same = (a: Norm) => a.owner === w.owner && a.type === w.type && (w.ttl === '*' || a.ttl === w.ttl);
    if (!left.some(same)) problems.push(`${label}: missing ${show(w)}`);
    for (let i = left.length - 1; i >= 0; i--) if (same(left[i]!)) left.splice(i, 1);
  }
  for (const a of left) problems.push(`${label}: unexpected ${show(a)}`);
  return problems;
}

/** Every way `reply` differs from what `c` expects; empty when it conforms. */
export function compareCase(c: ConformanceCase, reply: Msg): string[] {
  const problems: string[] = [];
  if (rcodeName(reply.rcode) !== c.rcode) problems.push(`rcode: want ${c.rcode}, got ${rcodeName(reply.rcode)}`);
  if (c.tc !== undefined && reply.tc !== c.tc) problems.push(`tc: want ${c.tc}, got ${reply.tc}`);
  if (!c.upstream && !reply.aa) problems.push('aa: want the authoritative flag set');
  problems.push(...compareSection('answer', c.answer, reply.answer, c));
  problems.push(...compareSection('authority', c.authority, reply.ns, c));
  problems.push(...compareSection('additional', c.additional, reply.extra, c));
  return problems;
}
