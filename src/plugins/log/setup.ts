/** `log [NAMES...] [FORMAT] { class CLASSES... }` */
import { root } from '../../core/log.js';
import type { Directive } from '../../corefile/types.js';
import { fqdn, lower } from '../../dns/name.js';
import { argError, wrongArgCount } from '../../plugin/args.js';
import type { Plugin } from '../../plugin/setup.js';
import { classFromString, ResponseClass } from '../../plugin/response.js';
import { COMBINED_LOG_FORMAT, COMMON_LOG_FORMAT, parseFormat } from './format.js';
import { LogHandler, type LogRule } from './log.js';

const NAME = 'log';

/** Expands the `{common}` / `{combined}` shortcuts. */
function expand(format: string): string {
  return format.replaceAll('{common}', COMMON_LOG_FORMAT).replaceAll('{combined}', COMBINED_LOG_FORMAT);
}

function parseOne(d: Directive): LogRule[] {
  let names = d.args;
  let format = COMMON_LOG_FORMAT;
  // CoreDNS takes a lone argument as a name even when it is `{combined}` (and then never logs);
  // we read any last argument holding a `{` as the format.
  const last = names[names.length - 1];
  if (last !== undefined && last.includes('{')) {
    format = expand(last);
    names = names.slice(0, -1);
  }
  if (names.length === 0) names = ['.'];
  const classes = new Set<ResponseClass>();
  for (const sub of d.block ?? []) {
    if (sub.name !== 'class') throw argError(NAME, sub, `unknown property '${sub.name}'`);
    if (sub.args.length === 0) throw wrongArgCount(NAME, sub);
    for (const a of sub.args) {
      const c = classFromString(a);
      if (!c) throw argError(NAME, sub, `invalid Class: ${a}`);
      classes.add(c);
    }
  }
  if (classes.size === 0) classes.add(ResponseClass.ALL);
  const nodes = Object.freeze(parseFormat(format));
  return names.map((n) => Object.freeze({ scope: lower(fqdn(n)), format, nodes, classes }));
}

/** Parses every `log` line of a block into rules, in written order. */
export function parseLog(directives: readonly Directive[]): LogRule[] {
  return directives.flatMap(parseOne);
}

/** The `log` plugin. */
export const plugin: Plugin = {
  name: NAME,
  setup(directives) {
    // Query lines print as CoreDNS's clog.Info does: `[INFO] 10.0.0.1:53421 - ...`, no plugin prefix.
    return new LogHandler(parseLog(directives), (line) => root.info(line));
  },
};
