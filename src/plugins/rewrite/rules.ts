/** Builds rules from a rewrite line's words: `[continue|stop] FIELD ARGS...`. */
import { typeCode } from '../../dns/constants.js';
import { lower } from '../../dns/name.js';
import { compileGoRegexp } from '../../plugin/go-regexp.js';
import { newNameRule, normalize } from './name-rule.js';
import type { ResponseRule } from './response.js';
import type { Mode, QuestionState, Rule } from './rule.js';

const CLASSES: Record<string, number> = { IN: 1, CS: 2, CH: 3, HS: 4, NONE: 254, ANY: 255 };

const RCODES: Record<string, number> = {
  NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, NOTIMPL: 4, REFUSED: 5, YXDOMAIN: 6,
  YXRRSET: 7, NXRRSET: 8, NOTAUTH: 9, NOTZONE: 10, BADSIG: 16, BADVERS: 16, BADKEY: 17, BADTIME: 18,
  BADMODE: 19, BADNAME: 20, BADALG: 21, BADTRUNC: 22, BADCOOKIE: 23,
};

/** `type FROM TO` / `class FROM TO`: one question field swapped. */
function fieldRule(mode: Mode, field: 'type' | 'class', args: readonly string[]): Rule {
  const parse = (s: string) => (field === 'type' ? typeCode(s) : CLASSES[s.toUpperCase()]);
  const [from, to] = args.map((a) => {
    const v = parse(a);
    if (v === undefined || v === 0) throw new Error(`invalid ${field} "${a.toUpperCase()}"`);
    return v;
  });
  return {
    mode,
    apply(q: QuestionState) {
      if (q[field] !== from) return undefined;
      q[field] = to!;
      return [];
    },
  };
}

/** A name test for `ttl` and `rcode` rules: `[exact|prefix|suffix|substring|regex] NAME`. */
function nameTest(kind: string, pattern: string, rule: string): (lname: string) => boolean {
  const p = normalize(pattern);
  switch (kind.toLowerCase()) {
    case 'exact': return (l) => l === p;
    case 'prefix': return (l) => l.startsWith(p);
    case 'suffix': return (l) => l.endsWith(p);
    case 'substring': return (l) => l.includes(p);
    case 'regex': {
      let re: RegExp;
      try {
        re = compileGoRegexp(pattern);
      } catch (err) {
        throw new Error(`${(err as Error).message.replace(/^invalid regex pattern: .*/, `invalid regex pattern in a ${rule} rule: ${pattern}`)}`);
      }
      return (l) => re.test(l);
    }
    default:
      throw new Error(`${rule} rule supports only exact, prefix, suffix, substring, and regex name matching`);
  }
}

/** A rule that changes only the reply, for names passing `test`. */
function responseOnly(mode: Mode, test: (lname: string) => boolean, response: ResponseRule): Rule {
  return { mode, apply: (q) => (test(lower(q.name)) ? [response] : undefined) };
}

/** `SECONDS`, `MIN-MAX`, `MIN-` or `-MAX`. */
function ttlRange(s: string): [number, number] | undefined {
  const num = (t: string) => (/^\d{1,10}$/.test(t) && Number(t) <= 0xffffffff ? Number(t) : undefined);
  const parts = s.split('-');
  if (parts.length === 1) {
    const n = num(s);
    return n === undefined ? undefined : [n, n];
  }
  if (parts.length !== 2 || s === '-') return undefined;
  const min = parts[0] === '' ? 0 : num(parts[0]!);
  const max = parts[1] === '' ? 2147483647 : num(parts[1]!);
  return min === undefined || max === undefined || min > max ? undefined : [min, max];
}

function ttlRule(mode: Mode, args: readonly string[]): Rule {
  if (args.length < 2) throw new Error(`too few (${args.length}) arguments for a ttl rule`);
  if (args.length > 3) throw new Error('too many arguments for a ttl rule');
  const value = args[args.length - 1]!;
  const range = ttlRange(value);
  if (!range) throw new Error(`invalid TTL '${value}' for a ttl rule`);
  const test = args.length === 3 ? nameTest(args[0]!, args[1]!, 'ttl') : nameTest('exact', args[0]!, 'ttl');
  return responseOnly(mode, test, { kind: 'ttl', min: range[0], max: range[1] });
}

function rcodeValue(s: string): number | undefined {
  if (/^\d+$/.test(s)) return Number(s) <= 23 ? Number(s) : undefined;
  return RCODES[s.toUpperCase()];
}

function rcodeRule(mode: Mode, args: readonly string[]): Rule {
  if (args.length < 3) throw new Error(`too few (${args.length}) arguments for a rcode rule`);
  if (args.length > 4) throw new Error('too many arguments for a rcode rule');
  const [fromText, toText] = args.slice(-2) as [string, string];
  const from = rcodeValue(fromText);
  if (from === undefined) throw new Error(`invalid matching RCODE '${fromText}' for a rcode rule`);
  const to = rcodeValue(toText);
  if (to === undefined) throw new Error(`invalid replacement RCODE '${toText}' for a rcode rule`);
  const test = args.length === 4 ? nameTest(args[0]!, args[1]!, 'rcode') : nameTest('exact', args[0]!, 'rcode');
  return responseOnly(mode, test, { kind: 'rcode', from, to });
}

/** Builds one rule from its words. Throws an Error with CoreDNS's wording when they are wrong. */
export function newRule(words: readonly string[]): Rule {
  if (words.length === 0) throw new Error('no rule type specified for rewrite');
  const first = words[0]!.toLowerCase();
  let mode: Mode = 'stop';
  let rest = words;
  if (first === 'continue' || first === 'stop') {
    if (words.length < 2) throw new Error(`${first} rule must begin with a rule type`);
    mode = first;
    rest = words.slice(1);
  }
  const field = rest[0]!.toLowerCase();
  const args = rest.slice(1);
  switch (field) {
    case 'answer':
      throw new Error('response rewrites must begin with a name rule');
    case 'name':
      return newNameRule(mode, args);
    case 'type':
    case 'class':
      if (args.length !== 2) throw new Error(`${field} rules must have exactly two arguments`);
      return fieldRule(mode, field, args);
    case 'ttl':
      return ttlRule(mode, args);
    case 'rcode':
      return rcodeRule(mode, args);
    case 'edns0':
    case 'cname':
      throw new Error(`${field} rules are not supported by clusterdns`);
    default:
      throw new Error(`invalid rule type "${rest[0]}"`);
  }
}
