/** `rewrite [continue|stop] FIELD ARGS...` or `rewrite [continue|stop] { FIELD ARGS... }`, any number of lines. */
import { ConfigError } from '../../corefile/config-error.js';
import type { Directive } from '../../corefile/types.js';
import { argError } from '../../plugin/args.js';
import type { Plugin } from '../../plugin/setup.js';
import { RewriteHandler } from './rewrite.js';
import type { Rule } from './rule.js';
import { newRule } from './rules.js';

const NAME = 'rewrite';

/** The words of one rewrite line: its arguments, or (with fewer than two) those plus its block's, flattened. */
function words(d: Directive): string[] {
  const block = d.block ?? [];
  if (d.args.length >= 2) {
    if (block.length > 0) throw argError(NAME, block[0]!, 'unexpected block after a complete rewrite rule');
    return d.args;
  }
  return [...d.args, ...block.flatMap((sub) => [sub.name, ...sub.args])];
}

/** Parses every `rewrite` line of a block, in written order. */
export function parseRewrite(directives: readonly Directive[]): Rule[] {
  return directives.map((d) => {
    try {
      return newRule(words(d));
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw argError(NAME, d, (err as Error).message);
    }
  });
}

/** The `rewrite` plugin. */
export const plugin: Plugin = {
  name: NAME,
  setup(directives) {
    return new RewriteHandler(parseRewrite(directives));
  },
};
