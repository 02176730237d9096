/**
 * Kubernetes label selectors (`a=b,c in (d,e),!f`), parsed as CoreDNS's meta.ParseToLabelSelector
 * accepts them (=, ==, !=, in, notin, exists, !exists; no > or <). Used to reject a bad `labels` /
 * `namespace_labels` at setup, and to filter namespaces client-side (manifests have no API server).
 */

/** One requirement of a selector. */
interface Requirement {
  key: string;
  op: 'in' | 'notin' | 'exists' | '!exists';
  values: string[];
}

/** A parsed selector. */
export interface LabelSelector {
  /** The selector as written (what the API gets). */
  readonly text: string;
  /** True when `labels` satisfy every requirement. */
  matches(labels: Readonly<Record<string, string>>): boolean;
}

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function checkKey(key: string): void {
  const slash = key.indexOf('/');
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (slash >= 0) {
    const prefix = key.slice(0, slash);
    if (!prefix || prefix.length > 253 || !PREFIX.test(prefix)) throw new Error(`invalid label key prefix '${prefix}'`);
  }
  if (!NAME.test(name)) throw new Error(`invalid label key '${key}'`);
}

function checkValue(v: string): void {
  if (v !== '' && !NAME.test(v)) throw new Error(`invalid label value '${v}'`);
}

/** Splits at commas that are not inside parentheses. */
function splitTop(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
    if (depth < 0) throw new Error('unbalanced parentheses');
  }
  if (depth !== 0) throw new Error('unbalanced parentheses');
  out.push(text.slice(start));
  return out.map((s) => s.trim());
}

function parseRequirement(part: string): Requirement {
  if (part === '') throw new Error('empty requirement');
  let m = /^!\s*(\S+)$/.exec(part);
  if (m) {
    checkKey(m[1]!);
    return { key: m[1]!, op: '!exists', values: [] };
  }
  m = /^(\S+?)\s+(in|notin)\s*\((.*)\)$/.exec(part);
  if (m) {
    checkKey(m[1]!);
    const values = m[3]!.split(',').map((v) => v.trim());
    values.forEach(checkValue);
    return { key: m[1]!, op: m[2] as 'in' | 'notin', values };
  }
  m = /^([^=!<>\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
  if (m) {
    checkKey(m[1]!);
    checkValue(m[3]!);
    return { key: m[1]!, op: m[2] === '!=' ? 'notin' : 'in', values: [m[3]!] };
  }
  if (/[<>]/.test(part)) throw new Error(`'${part}': operators > and < are not valid in a label selector`);
  if (/^\S+$/.test(part)) {
    checkKey(part);
    return { key: part, op: 'exists', values: [] };
  }
  throw new Error(`cannot parse requirement '${part}'`);
}

/** Parses `text`; throws an Error saying what is wrong. An empty selector matches everything. */
export function parseLabelSelector(text: string): LabelSelector {
  const trimmed = text.trim();
  const reqs = trimmed === '' ? [] : splitTop(trimmed).map(parseRequirement);
  return {
    text: trimmed,
    matches(labels) {
      for (const r of reqs) {
        const has = Object.prototype.hasOwnProperty.call(labels, r.key);
        const v = has ? labels[r.key]! : undefined;
        if (r.op === 'exists' && !has) return false;
        if (r.op === '!exists' && has) return false;
        if (r.op === 'in' && (v === undefined || !r.values.includes(v))) return false;
        if (r.op === 'notin' && v !== undefined && r.values.includes(v)) return false;
      }
      return true;
    },
  };
}
