/**
 * Go (RE2) regular expressions, as written in Corefiles, compiled to JS RegExps. The common
 * syntax is the same; the two Go-only spellings people use are translated: a leading `(?i)`-style
 * flag group becomes JS flags, and `(?P<name>` becomes `(?<name>`.
 */

/** CoreDNS's cap on a pattern's length (guards regexp compilation against hostile input). */
export const MAX_REGEXP_LEN = 10000;

/** Compiles `text`; throws an Error with a one-line reason when it is too long or invalid. */
export function compileGoRegexp(text: string): RegExp {
  if (text.length > MAX_REGEXP_LEN) throw new Error(`regex pattern too long: ${text.length} > ${MAX_REGEXP_LEN}`);
  let source = text;
  let flags = '';
  const lead = /^\(\?([a-zA-Z]+)\)/.exec(source);
  if (lead) {
    for (const f of lead[1]!) {
      if (f !== 'i' && f !== 'm' && f !== 's') throw new Error(`invalid regex pattern: unsupported flag '${f}' in ${text}`);
      if (!flags.includes(f)) flags += f;
    }
    source = source.slice(lead[0].length);
  }
  source = source.replace(/\(\?P</g, '(?<');
  try {
    return new RegExp(source, flags);
  } catch {
    throw new Error(`invalid regex pattern: ${text}`);
  }
}

/** Number of capture groups in `re` (Go's NumSubexp). */
export function groupCount(re: RegExp): number {
  // An empty alternative always matches, and exec returns one slot per group.
  return new RegExp(`${re.source}|`, re.flags).exec('')!.length - 1;
}
