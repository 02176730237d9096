/**
 * Field selectors as k8s.io/apimachinery/pkg/fields parses them: comma-separated AND of `f=v`, `f==v`,
 * `f!=v`, with `\,` `\=` `\\` escapes. Which fields may be used depends on the resource (resources.ts).
 */
import type { FieldGetter } from './resources.ts';
import { SelectorError } from './label-selector.ts';

/** One parsed term. */
export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

function splitUnescaped(text: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      cur += c + text[i + 1];
      i++;
    } else if (c === sep) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

function unescape(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '\\') out += c;
    else {
      const n = text[++i];
      if (n !== '\\' && n !== ',' && n !== '=') throw new SelectorError(`invalid field selector: invalid escape sequence in '${text}'`);
      out += n;
    }
  }
  return out;
}

/** Parses a selector, checking each field against the resource's field labels. Throws SelectorError. */
export function parseFieldSelector(text: string, fields: Record<string, FieldGetter>): FieldRequirement[] {
  if (text.trim() === '') return [];
  const out: FieldRequirement[] = [];
  for (const term of splitUnescaped(text, ',')) {
    let found: FieldRequirement | undefined;
    for (let i = 0; i < term.length && !found; i++) {
      if (term[i] === '\\') {
        i++;
        continue;
      }
      for (const op of ['!=', '==', '='] as const) {
        if (term.startsWith(op, i)) {
          found = { field: term.slice(0, i).trim(), op: op === '!=' ? '!=' : '=', value: unescape(term.slice(i + op.length)) };
          break;
        }
      }
    }
    if (!found) throw new SelectorError(`invalid selector: '${text}'; can't understand '${term}'`);
    if (!Object.hasOwn(fields, found.field)) throw new SelectorError(`field label not supported: ${found.field}`);
    out.push(found);
  }
  return out;
}

/** True when the object satisfies every term. */
export function matchFields(reqs: readonly FieldRequirement[], fields: Record<string, FieldGetter>, obj: unknown): boolean {
  for (const r of reqs) {
    const v = fields[r.field]!(obj);
    if ((v === r.value) !== (r.op === '=')) return false;
  }
  return true;
}
