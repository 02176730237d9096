/**
 * Log-line formats with CoreDNS's placeholders (plugin/pkg/replacer): parsed once at setup into
 * literal and placeholder nodes, rendered per query. Unknown `{x}` stays literal text, as in CoreDNS.
 */
import { className, rcodeName, typeName } from '../../dns/constants.js';
import type { Msg } from '../../dns/message.js';
import type { Request } from '../../plugin/handler.js';
import type { ResponseClass, ResponseType } from '../../plugin/response.js';
import { uncompressedSize } from './wire-size.js';

/** CoreDNS's default Common Log Format. */
export const COMMON_LOG_FORMAT =
  '{remote}:{port} - {>id} "{type} {class} {name} {proto} {size} {>do} {>bufsize}" {rcode} {>rflags} {rsize} {duration}';
/** The Common Log Format plus the query opcode. */
export const COMBINED_LOG_FORMAT = `${COMMON_LOG_FORMAT} "{>opcode}"`;

const LABELS = new Set([
  '{type}', '{name}', '{class}', '{proto}', '{size}', '{remote}', '{port}', '{local}',
  '{>id}', '{>opcode}', '{>do}', '{>bufsize}', '{rcode}', '{rsize}', '{duration}', '{>rflags}',
]);

/** One piece of a parsed format. */
export type FormatNode = { kind: 'literal'; text: string } | { kind: 'label'; label: string } | { kind: 'meta'; key: string };

/** What a log line is rendered from. */
export interface LogEntry {
  readonly req: Request;
  readonly reply: Msg;
  /** `process.hrtime.bigint()` when the query entered the log plugin. */
  readonly start: bigint;
  readonly type: ResponseType;
  readonly class: ResponseClass;
}

/** Splits a format into nodes: find each `}`, then the last `{` before it (so `{ {type} }` works). */
export function parseFormat(format: string): FormatNode[] {
  const out: FormatNode[] = [];
  let s = format;
  while (s.length > 0) {
    const j = s.indexOf('}');
    if (j < 0) break;
    const i = s.lastIndexOf('{', j);
    const val = i < 0 ? '' : s.slice(i, j + 1);
    if (i >= 0 && (LABELS.has(val) || val.startsWith('{/'))) {
      if (i > 0) out.push({ kind: 'literal', text: s.slice(0, i) });
      out.push(LABELS.has(val) ? { kind: 'label', label: val } : { kind: 'meta', key: val.slice(2, -1) });
    } else {
      out.push({ kind: 'literal', text: s.slice(0, j + 1) });
    }
    s = s.slice(j + 1);
  }
  if (s.length > 0) out.push({ kind: 'literal', text: s });
  return out;
}

// miekg/dns names 16 BADSIG (RFC 2845), not BADVERS; CoreDNS logs what miekg prints.
const EXTENDED_RCODES: Record<number, string> = {
  16: 'BADSIG', 17: 'BADKEY', 18: 'BADTIME', 19: 'BADMODE', 20: 'BADNAME', 21: 'BADALG', 22: 'BADTRUNC', 23: 'BADCOOKIE',
};

function rcodeText(rcode: number): string {
  if (rcode <= 10) return rcodeName(rcode);
  return EXTENDED_RCODES[rcode] ?? String(rcode);
}

function flags(m: Msg): string {
  const f: string[] = [];
  if (m.qr) f.push('qr');
  if (m.aa) f.push('aa');
  if (m.tc) f.push('tc');
  if (m.rd) f.push('rd');
  if (m.ra) f.push('ra');
  if (m.ad) f.push('ad');
  if (m.cd) f.push('cd');
  return f.join(',');
}

/** Seconds with as many digits as needed and no exponent (Go's strconv 'f', -1). */
function seconds(ns: bigint): string {
  const whole = ns / 1_000_000_000n;
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${whole}${frac ? `.${frac}` : ''}s`;
}

const bracket = (ip: string): string => (ip.includes(':') ? `[${ip}]` : ip);

function label(l: string, e: LogEntry): string {
  const { req, reply } = e;
  switch (l) {
    case '{type}': return typeName(req.qtype);
    case '{name}': return req.qname;
    case '{class}': return className(req.qclass);
    case '{proto}': return req.proto;
    case '{size}': return String(uncompressedSize(req.msg));
    case '{remote}': return bracket(req.remoteAddress);
    case '{port}': return String(req.remotePort);
    case '{local}': return bracket(req.localAddress);
    case '{>id}': return String(req.msg.id);
    case '{>opcode}': return String(req.msg.opcode);
    case '{>do}': return String(req.do);
    // The client's advertised size, not the clamped one: TCP 65535, UDP at least 512.
    case '{>bufsize}': return String(req.proto === 'tcp' ? 65535 : Math.max(512, req.msg.opt?.udpSize ?? 0));
    case '{rcode}': return rcodeText(reply.rcode);
    // Uncompressed and before truncation, as CoreDNS's recorder measures it.
    case '{rsize}': return String(uncompressedSize(reply));
    case '{duration}': return seconds(process.hrtime.bigint() - e.start);
    case '{>rflags}': return flags(reply);
    default: return '-';
  }
}

/** Renders a parsed format for one query. */
export function render(nodes: readonly FormatNode[], e: LogEntry): string {
  let s = '';
  for (const n of nodes) {
    if (n.kind === 'literal') s += n.text;
    else if (n.kind === 'label') s += label(n.label, e);
    else if (n.key === 'log/type') s += e.type;
    else if (n.key === 'log/class') s += e.class;
    else s += '-';
  }
  return s;
}
