/** `errors [stdout] { stacktrace ; consolidate DURATION REGEXP [LEVEL] [show_first] }` */
import type { Directive } from '../../corefile/types.js';
import { argError, durationArg, single, wrongArgCount } from '../../plugin/args.js';
import type { Plugin } from '../../plugin/setup.js';
import { compileGoRegexp } from '../../plugin/go-regexp.js';
import type { Emit, Level, PatternConfig } from './consolidate.js';
import { ErrorsHandler, type ErrorsConfig } from './errors.js';

const NAME = 'errors';
const LEVELS: readonly Level[] = ['warning', 'error', 'info', 'debug'];

/** Parses the `errors` directive of one server block. */
export function parseErrors(directives: readonly Directive[]): ErrorsConfig {
  const d = single(NAME, directives);
  if (d.args.length > 1) throw wrongArgCount(NAME, d);
  if (d.args.length === 1 && d.args[0] !== 'stdout') throw argError(NAME, d, `invalid log file: ${d.args[0]}`);
  let stacktrace = false;
  const patterns: PatternConfig[] = [];
  for (const sub of d.block ?? []) {
    if (sub.name === 'stacktrace') {
      if (sub.args.length > 0) throw wrongArgCount(NAME, sub);
      stacktrace = true;
    } else if (sub.name === 'consolidate') {
      patterns.push(parseConsolidate(sub));
    } else {
      throw argError(NAME, sub, `Unknown field ${sub.name}`);
    }
  }
  return Object.freeze({ stacktrace, patterns: Object.freeze(patterns) });
}

function parseConsolidate(d: Directive): PatternConfig {
  if (d.args.length < 2 || d.args.length > 4) throw wrongArgCount(NAME, d);
  const periodMs = durationArg(NAME, d, d.args[0]);
  const pattern = d.args[1]!;
  let regexp: RegExp;
  try {
    regexp = compileGoRegexp(pattern);
  } catch (err) {
    throw argError(NAME, d, (err as Error).message);
  }
  let level: Level | undefined;
  let showFirst = false;
  for (const opt of d.args.slice(2)) {
    if ((LEVELS as readonly string[]).includes(opt)) {
      if (level) throw argError(NAME, d, 'multiple log levels specified in consolidate');
      if (showFirst) throw argError(NAME, d, 'log level must come before show_first in consolidate');
      level = opt as Level;
    } else if (opt === 'show_first') {
      showFirst = true;
    } else {
      throw argError(NAME, d, `unknown option in consolidate: ${opt}`);
    }
  }
  return Object.freeze({ periodMs, pattern, regexp, level: level ?? 'error', showFirst });
}

/** The `errors` plugin. */
export const plugin: Plugin = {
  name: NAME,
  setup(directives, ctx) {
    const config = parseErrors(directives);
    const log = ctx.log(NAME);
    const emit: Emit = (level, line) => {
      if (level === 'warning') log.warn(line);
      else log[level](line);
    };
    const handler = new ErrorsHandler(config, emit);
    ctx.onShutdown(() => handler.stop());
    return handler;
  },
};
