import { describe, expect, test } from 'vitest';
import { ConfigError } from './config-error.js';
import { parseCorefile } from './parser.js';
import type { Directive, ServerBlock } from './types.js';

/** Blocks as indented lines: `keys @line`, then `name args @line`, sub-blocks indented further. */
function render(blocks: ServerBlock[]): string[] {
  const out: string[] = [];
  const dir = (d: Directive, indent: string): void => {
    out.push(`${indent}${[d.name, ...d.args.map((a) => (/[\s"]|^$/.test(a) ? JSON.stringify(a) : a))].join(' ')} @${d.line}${d.block ? ' {' : ''}`);
    for (const s of d.block ?? []) dir(s, `${indent}  `);
  };
  for (const b of blocks) {
    out.push(`${b.keys.join(' | ')} @${b.line}`);
    for (const d of b.directives) dir(d, '  ');
  }
  return out;
}

function parse(src: string, env: NodeJS.ProcessEnv = {}): string[] {
  return render(parseCorefile(src, 'Corefile', { env }));
}

/** The ConfigError message thrown by `fn` (fails the test when nothing or something else is thrown). */
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('parseCorefile: structure', () => {
  test.each<[string, string, string[]]>([
    ['empty file', '', []],
    ['comments only', '# a\n\n# b\n', []],
    ['one block', '.:53 {\n  whoami\n  log\n}', ['.:53 @1', '  whoami @2', '  log @3']],
    [
      'kubeadm default',
      [
        '.:53 {',
        '    errors',
        '    health {',
        '       lameduck 5s',
        '    }',
        '    ready',
        '    kubernetes cluster.local in-addr.arpa ip6.arpa {',
        '       pods insecure',
        '       fallthrough in-addr.arpa ip6.arpa',
        '       ttl 30',
        '    }',
        '    prometheus :9153',
        '    forward . /etc/resolv.conf {',
        '       max_concurrent 1000',
        '    }',
        '    cache 30',
        '    loop',
        '    reload',
        '    loadbalance',
        '}',
      ].join('\n'),
      [
        '.:53 @1',
        '  errors @2',
        '  health @3 {',
        '    lameduck 5s @4',
        '  ready @6',
        '  kubernetes cluster.local in-addr.arpa ip6.arpa @7 {',
        '    pods insecure @8',
        '    fallthrough in-addr.arpa ip6.arpa @9',
        '    ttl 30 @10',
        '  prometheus :9153 @12',
        '  forward . /etc/resolv.conf @13 {',
        '    max_concurrent 1000 @14',
        '  cache 30 @16',
        '  loop @17',
        '  reload @18',
        '  loadbalance @19',
      ],
    ],
    [
      'several blocks, keys by space and comma',
      'a.org b.org {\n whoami\n}\nc.org,d.org:1053 {\n log\n}\ndns://.:53, e.org {\n}',
      ['a.org | b.org @1', '  whoami @2', 'c.org | d.org:1053 @4', '  log @5', 'dns://.:53 | e.org @7'],
    ],
    ['trailing comma continues the keys on the next line', 'a.org,\n  b.org, c.org\n{\n whoami\n}', ['a.org | b.org | c.org @1', '  whoami @4']],
    ['lone comma token', 'a.org , b.org {\n}', ['a.org | b.org @1']],
    ['brace on the line after the keys', '.:53\n{\n  whoami\n}', ['.:53 @1', '  whoami @3']],
    ['single block without braces', '.:53\nwhoami\nlog stdout', ['.:53 @1', '  whoami @2', '  log stdout @3']],
    ['keys only', 'example.org:1053', ['example.org:1053 @1']],
    ['empty block then another', 'a.org {\n}\nb.org {\n  whoami\n}', ['a.org @1', 'b.org @3', '  whoami @4']],
    [
      'nesting deeper than one level is kept',
      'a {\n p x {\n  q y {\n   r z\n  }\n  s\n }\n}',
      ['a @1', '  p x @2 {', '    q y @3 {', '      r z @4', '    s @6'],
    ],
    ['one-line blocks', '. { whoami }\nb. {\n cache 30 { success 1000 }\n}', ['. @1', '  whoami @1', 'b. @2', '  cache 30 @3 {', '    success 1000 @3']],
    ['closing braces on one line', 'a {\n p {\n  q\n } }\nb {\n}', ['a @1', '  p @2 {', '    q @3', 'b @5']],
    ['empty sub-block', 'a {\n p {\n }\n}', ['a @1', '  p @2 {']],
    ['quoted args keep spaces, quoted braces are words', 'a {\n p "x y" "" "{" "}"\n}', ['a @1', '  p "x y" "" { } @2']],
    ['multi-line quoted arg stays on its directive', 'a {\n p "x\ny" z\n q\n}', ['a @1', '  p "x\\ny" z @2', '  q @4']],
    ['backslash-newline continuation', 'a {\n forward . \\\n   1.1.1.1 \\\n   8.8.8.8\n log\n}', ['a @1', '  forward . 1.1.1.1 8.8.8.8 @2', '  log @5']],
    ['comments everywhere', '# top\na { # after brace\n p 1 # tail\n # alone\n}', ['a @2', '  p 1 @3']],
  ])('%s', (_name, src, want) => {
    expect(parse(src)).toEqual(want);
  });
});

describe('parseCorefile: environment', () => {
  const env = { ZONE: 'cluster.local', PORT: '1053', UP: '1.1.1.1', EMPTY: '' };
  test.each<[string, string, string[]]>([
    ['{$VAR} in keys, names and args', '{$ZONE}:{$PORT} {\n forward . {$UP}\n}', ['cluster.local:1053 @1', '  forward . 1.1.1.1 @2']],
    ['{env.VAR} form', 'a {\n forward . {env.UP}\n}', ['a @1', '  forward . 1.1.1.1 @2']],
    ['{%VAR%} form', 'a {\n forward . {%UP%}\n}', ['a @1', '  forward . 1.1.1.1 @2']],
    ['unset is empty', 'a {\n p x{$NOPE}y {env.NOPE}\n}', ['a @1', '  p xy "" @2']],
    ['inside a quoted string, in sub-blocks', 'a {\n p {\n  q "at {$ZONE}"\n }\n}', ['a @1', '  p @2 {', '    q "at cluster.local" @3']],
    ['an emptied key is dropped', 'a.org {$EMPTY} {\n}', ['a.org @1']],
    ['a value is not re-expanded', 'a {\n p {$X}\n}', ['a @1', '  p {$ZONE} @2']],
  ])('%s', (_name, src, want) => {
    expect(parse(src, { ...env, X: '{$ZONE}' })).toEqual(want);
  });

  test('uses process.env by default', () => {
    process.env.CLUSTERDNS_PARSER_TEST = 'from-process';
    try {
      expect(render(parseCorefile('a {\n p {$CLUSTERDNS_PARSER_TEST}\n}', 'Corefile'))).toEqual(['a @1', '  p from-process @2']);
    } finally {
      delete process.env.CLUSTERDNS_PARSER_TEST;
    }
  });
});

describe('parseCorefile: snippets', () => {
  test.each<[string, string, string[]]>([
    ['defined then imported', '(common) {\n errors\n log\n}\na {\n import common\n whoami\n}', ['a @5', '  errors @2', '  log @3', '  whoami @7']],
    ['imported twice in a row stays two lines each', '(s) {\n log\n}\na {\n import s\n import s\n}', ['a @4', '  log @2', '  log @2']],
    ['inside a sub-block', '(k) {\n pods insecure\n}\na {\n kubernetes x {\n  import k\n  ttl 5\n }\n}', ['a @4', '  kubernetes x @5 {', '    pods insecure @2', '    ttl 5 @7']],
    ['snippet with a block', '(f) {\n forward . 1.1.1.1 {\n  max_fails 2\n }\n}\na {\n import f\n}', ['a @6', '  forward . 1.1.1.1 @2 {', '    max_fails 2 @3']],
    ['snippet importing a snippet', '(a) {\n log\n}\n(b) {\n import a\n errors\n}\nz {\n import b\n}', ['z @8', '  log @2', '  errors @6']],
    ['whole server blocks in a snippet', '(blocks) {\n a {\n  whoami\n }\n}\nimport blocks\nb {\n}', ['a @2', '  whoami @3', 'b @7']],
    ['snippet name from the environment', '(s) {\n log\n}\na {\n import {$SNIP}\n}', ['a @4', '  log @2']],
    ['brace on the next line', '(s)\n{\n log\n}\na {\n import s\n}', ['a @5', '  log @3']],
  ])('%s', (_name, src, want) => {
    expect(parse(src, { SNIP: 's' })).toEqual(want);
  });
});

describe('parseCorefile: errors name file:line', () => {
  const no = (): never => {
    throw Object.assign(new Error('nope'), { code: 'ENOENT' });
  };
  test.each<[string, string, string]>([
    ['stray } at top level', 'a {\n}\n}', "Corefile:3 - Error during parsing: Unexpected '}' because no matching opening brace"],
    ['} in a brace-less block', '.:53\nwhoami\n}', "Corefile:3 - Error during parsing: Unexpected '}' because no matching opening brace"],
    ['missing } of the block', 'a {\n whoami\n log', "Corefile:3 - Error during parsing: Unexpected EOF: missing '}' for the '{' opened at Corefile:1"],
    ['missing } of a sub-block', 'a {\n p {\n  q\n}', "Corefile:4 - Error during parsing: Unexpected EOF: missing '}' for the '{' opened at Corefile:1"],
    ['block brace on its own line', 'a {\n kubernetes x\n {\n }\n}', "Corefile:3 - Error during parsing: Unexpected '{': a block must open on the same line as its directive"],
    ['no keys', '{\n whoami\n}', 'Corefile:1 - Error during parsing: Expected server block keys (zones) before this point'],
    ['keys emptied by env', '{$NOPE} {\n}', 'Corefile:1 - Error during parsing: Expected server block keys (zones) before this point'],
    ['comma then brace', 'a.org, {\n}', "Corefile:1 - Error during parsing: Expected another address but had '{' - check for extra comma"],
    ['comma then EOF', '\n\na.org,', 'Corefile:3 - Error during parsing: Unexpected EOF: expected another address after the comma'],
    ['unknown snippet', '(s) {\n log\n}\na {\n import t\n}', "Corefile:5 - Error during parsing: File to import not found: t (and no snippet '(t)' is defined before this line)"],
    ['snippet used before its definition', 'a {\n import s\n}\n(s) {\n log\n}', "Corefile:2 - Error during parsing: File to import not found: s (and no snippet '(s)' is defined before this line)"],
    ['import without argument', 'a {\n log\n import\n}', "Corefile:3 - Error during parsing: Wrong argument count or unexpected line ending after 'import'"],
    ['import with two arguments', 'a {\n import x y\n}', 'Corefile:2 - Error during parsing: Import takes only one argument (glob pattern or file)'],
    ['import of an empty name', 'a {\n import {$NOPE}\n}', 'Corefile:2 - Error during parsing: Import requires a non-empty filepath'],
    ['snippet redeclared', '(s) {\n}\n(s) {\n}', 'Corefile:3 - Error during parsing: redeclaration of previously declared snippet s'],
    ['snippet without brace', '(s)\nlog', "Corefile:2 - Error during parsing: Unexpected token 'log', expecting '{' after snippet (s)"],
    ['snippet never closed', '(s) {\n log\n', "Corefile:1 - Error during parsing: Unexpected EOF: '{' of snippet (s) is never closed"],
    ['snippet importing itself', '(s) {\n log\n import s\n}\na {\n import s\n}', 'Corefile:3 - Error during parsing: import cycle detected: (s) -> (s)'],
    ['snippet cycle through another', '(a) {\n import b\n}\n(b) {\n import a\n}\nz {\n import a\n}', 'Corefile:5 - Error during parsing: import cycle detected: (a) -> (b) -> (a)'],
    ['unterminated quote', 'a {\n p "x\n}\n', 'Corefile:2 - Error during parsing: Unterminated quoted string'],
  ])('%s', (_name, src, want) => {
    expect(errorOf(() => parseCorefile(src, 'Corefile', { env: {}, readFile: no }))).toBe(want);
  });

  test('a snippet reached twice without a loop is not a cycle', () => {
    const src = '(base) {\n log\n}\n(x) {\n import base\n}\n(y) {\n import base\n import x\n}\nz {\n import y\n}';
    expect(parse(src)).toEqual(['z @11', '  log @2', '  log @2']);
  });

  test('snippet bombs hit the expansion cap instead of running away', () => {
    const levels = ['(s0) {\n log\n}'];
    for (let i = 1; i <= 20; i++) levels.push(`(s${i}) {\n import s${i - 1}\n import s${i - 1}\n}`);
    const src = `${levels.join('\n')}\na {\n import s20\n}`;
    const started = Date.now();
    expect(errorOf(() => parseCorefile(src, 'Corefile', { env: {} }))).toMatch(/maximum import depth \(10000\) exceeded/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('absurd nesting is refused, not a stack overflow', () => {
    const src = `a {\n${'p {\n'.repeat(500)}${'}\n'.repeat(500)}}`;
    expect(errorOf(() => parseCorefile(src, 'Corefile', { env: {} }))).toMatch(/^Corefile:\d+ - Error during parsing: blocks nested deeper than 100 levels$/);
  });
});

describe('parseCorefile: robustness', () => {
  test('random input gives blocks or a ConfigError, never another exception', () => {
    // Deterministic xorshift so a failure reproduces.
    let seed = 0x2545f491;
    const rand = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const pieces = ['{', '}', '"', '\\', '\n', ' ', '#', ',', 'a.org', '.:53', '(s)', 'import', 's', 'x.conf', '{$V}', 'log', '\r\n', '\\\n'];
    const counts = { ok: 0, config: 0 };
    for (let i = 0; i < 3000; i++) {
      let src = '';
      for (let j = rand(30); j > 0; j--) src += pieces[rand(pieces.length)];
      try {
        parseCorefile(src, 'Corefile', { env: { V: 'v' }, readFile: () => '' });
        counts.ok++;
      } catch (e) {
        if (!(e instanceof ConfigError)) throw new Error(`${String(e)} for input ${JSON.stringify(src)}`);
        expect(e.message).toMatch(/^Corefile:\d+ - Error during parsing: /);
        counts.config++;
      }
    }
    expect(counts.ok).toBeGreaterThan(100);
    expect(counts.config).toBeGreaterThan(100);
  });
});
