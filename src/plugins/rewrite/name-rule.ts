/** `name [exact|prefix|suffix|substring|regex] FROM TO [answer auto | answer name FROM TO | answer value FROM TO]...` */
import { fqdn, lower } from '../../dns/name.js';
import { compileGoRegexp, groupCount } from '../../plugin/go-regexp.js';
import { fillTemplate, regexRewriter, remapRewriter, suffixRewriter, type ResponseRule } from './response.js';
import type { Mode, QuestionState, Rule } from './rule.js';

/** CoreDNS's plugin.Name(s).Normalize(): lower-case FQDN. Prefix and substring patterns get the dot too. */
export const normalize = (s: string): string => lower(fqdn(s));

/** Fails when `template` uses more `{N}` groups than `re` has (CoreDNS's getSubExprUsage check). */
function checkTemplate(re: RegExp, pattern: string, template: string): void {
  let used = 0;
  for (let i = 0; i <= 100; i++) if (template.includes(`{${i}}`)) used++;
  if (used > groupCount(re)) {
    throw new Error(`the rewrite regex pattern (${template}) uses more subexpressions than its corresponding matching regex pattern (${pattern})`);
  }
}

/** Compiles `pattern` and checks `template` against it. */
export function regexWithTemplate(pattern: string, template: string): RegExp {
  let re: RegExp;
  try {
    re = compileGoRegexp(pattern);
  } catch (err) {
    throw new Error((err as Error).message.replace(/^invalid regex pattern: .*/, `invalid regex matching pattern: ${pattern}`));
  }
  checkTemplate(re, pattern, template);
  return re;
}

interface Answers {
  auto: boolean;
  rules: ResponseRule[];
}

/** The `answer ...` options after a name rule; the keyword `answer` may be left out after the first. */
function parseAnswers(matchType: string, args: readonly string[]): Answers {
  if (args.length < 2) throw new Error(`invalid arguments for ${matchType} rule`);
  let auto = false;
  let nameRules = 0;
  const rules: ResponseRule[] = [];
  for (let i = 0; i < args.length;) {
    if (i === 0 && args[0] !== 'answer') throw new Error(`exceeded the number of arguments for a non-answer rule argument for ${matchType} rule`);
    if (args[i] === 'answer') i++;
    const what = args[i++];
    if (what === undefined) throw new Error(`type missing for answer rule for ${matchType} rule`);
    if (what === 'auto') {
      auto = true;
      continue;
    }
    if (what !== 'name' && what !== 'value') throw new Error(`invalid type "${what}" for answer rule for ${matchType} rule`);
    const [from, to] = [args[i], args[i + 1]];
    if (from === undefined || to === undefined) throw new Error(`${what} answer rule for ${matchType} rule: 2 arguments required`);
    i += 2;
    let re: RegExp;
    try {
      re = regexWithTemplate(from, to);
    } catch (err) {
      throw new Error(`${what} answer rule for ${matchType} rule: ${(err as Error).message}`);
    }
    rules.push({ kind: what, rewrite: regexRewriter(re, normalize(to)) });
    if (what === 'name') nameRules++;
  }
  if (auto && nameRules > 0) throw new Error('auto name answer rule cannot be combined with explicit name answer rules');
  return { auto, rules };
}

/** Builds a name rule from the arguments after `name`. Throws an Error with CoreDNS's wording. */
export function newNameRule(mode: Mode, args: readonly string[]): Rule {
  if (args.length < 2) throw new Error('too few arguments for a name rule');
  const matchType = args.length === 2 ? 'exact' : args[0]!.toLowerCase();
  const [rawFrom, rawTo] = args.length === 2 ? [args[0]!, args[1]!] : [args[1]!, args[2]!];
  const { auto, rules: answers } = args.length > 3 ? parseAnswers(matchType, args.slice(3)) : { auto: false, rules: [] };
  const from = normalize(rawFrom);
  const to = normalize(rawTo);

  /** Response rules for one rewrite from `before` to `after`: `auto` maps the new name back. */
  const responses = (useAuto: boolean) => (before: string, after: string): ResponseRule[] => {
    if (!useAuto) return answers;
    const back = remapRewriter(lower(after), before);
    return [{ kind: 'name', rewrite: back }, { kind: 'value', rewrite: back }, ...answers];
  };

  let rewrite: (lname: string) => string | undefined;
  let respond = responses(auto);
  switch (matchType) {
    case 'exact':
      // Exact rewrites are always mapped back, `answer auto` or not.
      respond = responses(true);
      rewrite = (l) => (l === from ? to : undefined);
      break;
    case 'prefix':
      rewrite = (l) => (l.startsWith(from) ? to + l.slice(from.length) : undefined);
      break;
    case 'suffix': {
      // A suffix maps back best by swapping the suffixes, not by remembering the name.
      const back = suffixRewriter(to, from);
      const fixed: ResponseRule[] = auto ? [{ kind: 'name', rewrite: back }, { kind: 'value', rewrite: back }, ...answers] : answers;
      respond = () => fixed;
      rewrite = (l) => (l.endsWith(from) ? l.slice(0, l.length - from.length) + to : undefined);
      break;
    }
    case 'substring':
      rewrite = (l) => (l.includes(from) ? l.replaceAll(from, to) : undefined);
      break;
    case 'regex': {
      const re = regexWithTemplate(rawFrom, rawTo);
      rewrite = (l) => {
        const m = re.exec(l);
        return m ? fillTemplate(to, m) : undefined;
      };
      break;
    }
    default:
      throw new Error(`name rule supports only exact, prefix, suffix, substring, and regex name matching, received: ${matchType}`);
  }
  return {
    mode,
    apply(q: QuestionState) {
      const before = q.name;
      const after = rewrite(lower(before));
      if (after === undefined) return undefined;
      q.name = after;
      return respond(before, after);
    },
  };
}
