import { describe, expect, test } from 'vitest';
import { ConfigError } from './config-error.js';
import { parseCorefile } from './parser.js';
import { validateDirectives } from './validate.js';

const KNOWN = ['errors', 'log', 'kubernetes', 'forward', 'cache', 'whoami'] as const;

function check(src: string): string | undefined {
  try {
    validateDirectives(parseCorefile(src, 'Corefile', { env: {} }), KNOWN);
    return undefined;
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
}

describe('validateDirectives', () => {
  test.each<[string, string, string | undefined]>([
    ['all known', '.:53 {\n errors\n kubernetes cluster.local {\n  pods insecure\n }\n}', undefined],
    ['sub-directives are the plugin\'s business', 'a {\n forward . 1.1.1.1 {\n  anything goes\n }\n}', undefined],
    ['no blocks at all', '', undefined],
    ['unknown at top level', '.:53 {\n errors\n\n bogus 1 2\n}', "Corefile:4 - Error during parsing: Unknown directive 'bogus'"],
    ['the first unknown in file order wins', 'a {\n log\n}\nb {\n x\n y\n}', "Corefile:5 - Error during parsing: Unknown directive 'x'"],
    ['names are case-sensitive', 'a {\n Log\n}', "Corefile:2 - Error during parsing: Unknown directive 'Log'"],
    ['a server block mistaken for a directive in a brace-less block', '.:53\nwhoami\nexample.org {\n log\n}', "Corefile:3 - Error during parsing: Unknown directive 'example.org'"],
    ['a name emptied by the environment', 'a {\n {$NOPE} x\n}', "Corefile:2 - Error during parsing: Unknown directive ''"],
  ])('%s', (_name, src, want) => {
    expect(check(src)).toBe(want);
  });
});
