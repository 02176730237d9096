/**
 * Label selectors as k8s.io/apimachinery/pkg/labels parses them: `a=b`, `a==b`, `a!=b`, `a in (x,y)`,
 * `a notin (x)`, `a` (exists), `!a` (does not exist), `a>1`, `a<1`; a comma means AND.
 * `!=` and `notin` match objects that lack the label, as upstream does.
 */

/** One parsed requirement. */
export interface LabelRequirement {
  key: string;
  op: '=' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';
  values: string[];
}

/** A selector that failed to parse; the message goes into a 400 Status. */
export class SelectorError extends Error {
  override name = 'SelectorError';
}

const SPECIAL = new Set([' ', '\t', '\n', ',', '=', '!', '(', ')', '<', '>']);
const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function tokenize(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n') i++;
    else if (c === '!' && text[i + 1] === '=') (out.push('!='), (i += 2));
    else if (c === '=' && text[i + 1] === '=') (out.push('=='), (i += 2));
    else if (SPECIAL.has(c)) (out.push(c), i++);
    else {
      let j = i;
      while (j < text.length && !SPECIAL.has(text[j]!)) j++;
      out.push(text.slice(i, j));
      i = j;
    }
  }
  return out;
}

function checkKey(key: string): void {
  const slash = key.indexOf('/');
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const prefix = slash >= 0 ? key.slice(0, slash) : '';
  if (slash >= 0 && (!prefix || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    throw new SelectorError(`unable to parse requirement: invalid label key "${key}": prefix part must be a DNS-1123 subdomain`);
  }
  if (!name || name.length > 63 || !NAME.test(name)) {
    throw new SelectorError(`unable to parse requirement: invalid label key "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  }
}

function checkValue(value: string): void {
  if (value !== '' && (value.length > 63 || !NAME.test(value))) {
    throw new SelectorError(`unable to parse requirement: invalid label value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  }
}

const isIdent = (t: string | undefined): t is string => t !== undefined && !SPECIAL.has(t) && t !== '!=' && t !== '==';

/** Parses a selector; '' selects everything. Throws SelectorError. */
export function parseLabelSelector(text: string): LabelRequirement[] {
  const toks = tokenize(text);
  const reqs: LabelRequirement[] = [];
  let i = 0;
  const expectIdent = (what: string): string => {
    const t = toks[i];
    if (!isIdent(t)) throw new SelectorError(`found '${t ?? 'EOF'}', expected: ${what}`);
    i++;
    return t;
  };
  while (i < toks.length) {
    if (toks[i] === '!') {
      i++;
      const key = expectIdent('identifier after \'!\'');
      checkKey(key);
      reqs.push({ key, op: '!', values: [] });
    } else {
      const key = expectIdent('identifier');
      checkKey(key);
      const op = toks[i];
      if (op === undefined || op === ',') reqs.push({ key, op: 'exists', values: [] });
      else if (op === '=' || op === '==' || op === '!=') {
        i++;
        const v = isIdent(toks[i]) ? toks[i++]! : '';
        checkValue(v);
        reqs.push({ key, op: op === '!=' ? '!=' : '=', values: [v] });
      } else if (op === 'in' || op === 'notin') {
        i++;
        if (toks[i] !== '(') throw new SelectorError(`found '${toks[i] ?? 'EOF'}', expected: '('`);
        i++;
        const values = new Set<string>();
        for (let guard = 0; guard <= toks.length; guard++) {
          if (toks[i] === ')') break;
          const v = isIdent(toks[i]) ? toks[i++]! : '';
          checkValue(v);
          values.add(v);
          if (toks[i] === ',') i++;
          else if (toks[i] !== ')') throw new SelectorError(`found '${toks[i] ?? 'EOF'}', expected: ',' or ')'`);
        }
        i++;
        if (values.size === 0) throw new SelectorError(`unable to parse requirement: for 'in', 'notin' operators, values set can't be empty`);
        reqs.push({ key, op, values: [...values].sort() });
      } else if (op === '>' || op === '<') {
        i++;
        const v = expectIdent('integer value');
        if (!/^-?\d+$/.test(v)) throw new SelectorError(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`);
        reqs.push({ key, op: op === '>' ? 'gt' : 'lt', values: [v] });
      } else throw new SelectorError(`found '${op}', expected: '=', '!=', '==', 'in', notin'`);
    }
    if (i < toks.length) {
      if (toks[i] !== ',') throw new SelectorError(`found '${toks[i]}', expected: ','`);
      i++;
      if (i >= toks.length) throw new SelectorError(`found 'EOF', expected: identifier`);
    }
  }
  return reqs;
}

/** True when labels satisfy every requirement. */
export function matchLabels(reqs: readonly LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const r of reqs) {
    const has = Object.hasOwn(l, r.key);
    const v = has ? String(l[r.key]) : undefined;
    switch (r.op) {
      case '=':
      case 'in':
        if (!has || !r.values.includes(v!)) return false;
        break;
      case '!=':
      case 'notin':
        if (has && r.values.includes(v!)) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case '!':
        if (has) return false;
        break;
      case 'gt':
      case 'lt': {
        if (!has || !/^-?\d+$/.test(v!)) return false;
        const n = Number(v);
        const bound = Number(r.values[0]);
        if (r.op === 'gt' ? !(n > bound) : !(n < bound)) return false;
        break;
      }
    }
  }
  return true;
}
