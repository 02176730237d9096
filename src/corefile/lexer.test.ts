import { describe, expect, test } from 'vitest';
import { ConfigError } from './config-error.js';
import { lex } from './lexer.js';

/** Tokens as `text@line` (`text@line/logical` when the logical line differs). */
function show(src: string): string[] {
  return lex(src, 'Corefile').map((t) => `${t.quoted ? `"${t.text}"` : t.text}@${t.line}${t.logical === t.line ? '' : `/${t.logical}`}`);
}

describe('lex', () => {
  test.each<[string, string, string[]]>([
    ['words and lines', '.:53 {\n  whoami\n}\n', ['.:53@1', '{@1', 'whoami@2', '}@3']],
    ['tabs, CRLF and blank lines', 'a\tb\r\n\r\n  c\r\n', ['a@1', 'b@1', 'c@3']],
    ['byte order mark dropped', '\ufeffa b', ['a@1', 'b@1']],
    ['comment to end of line', 'a # b c\nd', ['a@1', 'd@2']],
    ['comment starts inside a word', 'foo#bar baz\nqux', ['foo@1', 'qux@2']],
    ['comment-only file', '# nothing\n   # here\n', []],
    ['braces are words when glued', '{$ZONE} {env.X}{', ['{$ZONE}@1', '{env.X}{@1']],
    ['quoted string keeps spaces', 'a "b c" d', ['a@1', '"b c"@1', 'd@1']],
    ['empty quoted string', 'a ""', ['a@1', '""@1']],
    ['escaped quote', String.raw`"say \"hi\""`, ['"say "hi""@1']],
    ['other escapes are kept', String.raw`"a\.b\\c"`, [String.raw`"a\.b\\c"@1`]],
    ['hash inside quotes', '"a # b" c', ['"a # b"@1', 'c@1']],
    ['quote inside a word is literal', 'a"b" c', ['a"b"@1', 'c@1']],
    ['quote ends a token', '"a"b', ['"a"@1', 'b@1']],
    ['quoted braces', '"{" "}"', ['"{"@1', '"}"@1']],
    ['multi-line quote keeps its logical line', 'x "a\nb" y\nz', ['x@1', '"a\nb"@1', 'y@2/1', 'z@3/2']],
    ['CRLF inside quotes reads as LF', '"a\r\nb"', ['"a\nb"@1']],
    ['backslash-newline continues the line', 'forward . \\\n  1.1.1.1\nnext', ['forward@1', '.@1', '1.1.1.1@2/1', 'next@3/2']],
    ['backslash-CRLF continues too', 'a\\\r\nb', ['a@1', 'b@2/1']],
    ['backslash elsewhere is literal', 'a\\b \\ c', ['a\\b@1', '\\@1', 'c@1']],
    ['comment ends before a continuation', 'a # x \\\nb', ['a@1', 'b@2']],
  ])('%s', (_name, src, want) => {
    expect(show(src)).toEqual(want);
  });

  test('tokens carry their file', () => {
    expect(lex('a', 'conf.d/x.conf')[0]).toMatchObject({ file: 'conf.d/x.conf', line: 1 });
  });

  test('unterminated quote names the line it opened on', () => {
    const err = (() => {
      try {
        lex('a\nb "open\nmore', 'Corefile');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe('Corefile:2 - Error during parsing: Unterminated quoted string');
  });
});
