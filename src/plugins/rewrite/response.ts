/**
 * Response rules: what a matched rewrite rule asks to change in the reply so the client sees
 * names that fit its question. Applied to every record of every section, in the reverse order
 * of the rules that produced them (the last request rewrite is undone first).
 */
import { Type } from '../../dns/constants.js';
import type { Msg, Question, RR } from '../../dns/message.js';
import { lower } from '../../dns/name.js';

/** Maps one name to another (returns it unchanged when it does not apply). */
export type StringRewriter = (name: string) => string;

/** One change to make in a reply. */
export type ResponseRule =
  | { readonly kind: 'name'; readonly rewrite: StringRewriter }
  | { readonly kind: 'value'; readonly rewrite: StringRewriter }
  | { readonly kind: 'ttl'; readonly min: number; readonly max: number }
  | { readonly kind: 'rcode'; readonly from: number; readonly to: number };

/** `answer name|value FROM TO`: when the regexp matches, the whole name becomes TO with `{N}` filled in. */
export function regexRewriter(re: RegExp, template: string): StringRewriter {
  return (name) => {
    const m = re.exec(name);
    return m ? fillTemplate(template, m) : name;
  };
}

/** Replaces `{0}`, `{1}`... in `template` by the match groups (a group that did not take part is ''). */
export function fillTemplate(template: string, m: RegExpExecArray): string {
  let s = template;
  for (let i = 0; i < m.length; i++) s = s.replaceAll(`{${i}}`, m[i] ?? '');
  return s;
}

/** Maps `from` and names below it back to `to` (`answer auto` for exact, prefix, substring, regex). */
export function remapRewriter(from: string, to: string): StringRewriter {
  return (name) => {
    const l = lower(name);
    if (l === from) return to;
    const cut = l.length - from.length;
    if (cut > 0 && l.endsWith(from) && l[cut - 1] === '.') return name.slice(0, cut) + to;
    return name;
  };
}

/** Swaps a trailing `from` for `to` (`answer auto` of a suffix rule, run backwards). */
export function suffixRewriter(from: string, to: string): StringRewriter {
  return (name) => (lower(name).endsWith(from) ? name.slice(0, name.length - from.length) + to : name);
}

/** The name-valued RDATA fields `answer value` rewrites, by type. */
const VALUE_FIELD: Partial<Record<number, 'domain' | 'target' | 'exchange' | 'ns' | 'primary'>> = {
  [Type.CNAME]: 'domain', [Type.PTR]: 'domain', 39 /* DNAME */: 'domain',
  [Type.SRV]: 'target', [Type.MX]: 'exchange', [Type.NS]: 'ns', [Type.SOA]: 'primary',
};

function rewriteRR(rr: RR, rules: readonly ResponseRule[]): RR {
  const out = { ...rr };
  for (let i = rules.length - 1; i >= 0; i--) {
    const r = rules[i]!;
    if (r.kind === 'name') out.name = r.rewrite(out.name);
    else if (r.kind === 'value') {
      const field = VALUE_FIELD[out.type];
      const value = field ? out[field] : undefined;
      if (field && value) out[field] = r.rewrite(value);
    } else if (r.kind === 'ttl') out.ttl = Math.min(Math.max(out.ttl, r.min), r.max);
  }
  return out;
}

/**
 * The reply the client gets: its own question back, then every rule applied. A copy: `reply`
 * may be shared (a cache entry) and is left as it was.
 */
export function revert(reply: Msg, question: Question[], rules: readonly ResponseRule[]): Msg {
  const out: Msg = { ...reply, question };
  if (rules.length === 0) return out;
  out.answer = reply.answer.map((rr) => rewriteRR(rr, rules));
  out.ns = reply.ns.map((rr) => rewriteRR(rr, rules));
  out.extra = reply.extra.map((rr) => rewriteRR(rr, rules));
  for (let i = rules.length - 1; i >= 0; i--) {
    const r = rules[i]!;
    if (r.kind === 'rcode' && out.rcode === r.from) out.rcode = r.to;
  }
  return out;
}
