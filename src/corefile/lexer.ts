/**
 * Corefile lexer: Caddyfile v1 tokens (words, "quoted strings", braces) with their file and line.
 * Whitespace separates tokens; `#` starts a comment to the end of the line, even inside a word,
 * as Caddy's lexer does. Inside quotes only `\"` is an escape; other backslashes are kept.
 */
import { ConfigError } from './config-error.js';

/** One token of Corefile text. */
export interface Token {
  text: string;
  file: string;
  /** Physical line where the token starts (1-based), for error messages. */
  line: number;
  /**
   * Logical line: a backslash-newline continuation or a newline inside a quoted string does not
   * start a new one, so arguments may span physical lines.
   */
  logical: number;
  /** True when written in double quotes: a quoted `{` or `}` is a word, not a brace. */
  quoted: boolean;
}

/** True when `t` is an unquoted `{` or `}` (as given by `brace`). */
export function isBrace(t: Token | undefined, brace: '{' | '}'): boolean {
  return t !== undefined && !t.quoted && t.text === brace;
}

/** True when `c` separates tokens (Go's unicode.IsSpace, near enough). */
function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\v' || c === '\f' || /\s/.test(c);
}

/** Splits `text` (the contents of `file`) into tokens; throws ConfigError on an unterminated quote. */
export function lex(text: string, file: string): Token[] {
  const out: Token[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // byte order mark
  let line = 1;
  let logical = 1;
  let comment = false;
  let word: Token | null = null;

  const flush = (): void => {
    if (word) out.push(word);
    word = null;
  };

  while (i < n) {
    const c = text[i]!;
    if (c === '\n') {
      flush();
      line++;
      logical++;
      comment = false;
      i++;
      continue;
    }
    if (comment) {
      i++;
      continue;
    }
    if (c === '\\' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) {
      // Line continuation: the next physical line carries on this logical line.
      flush();
      i += text[i + 1] === '\n' ? 2 : 3;
      line++;
      continue;
    }
    if (isSpace(c)) {
      flush();
      i++;
      continue;
    }
    if (c === '#') {
      flush();
      comment = true;
      i++;
      continue;
    }
    if (word === null && c === '"') {
      const q = readQuoted(text, i + 1, file, line);
      out.push({ text: q.text, file, line, logical, quoted: true });
      line += q.newlines;
      i = q.end;
      continue;
    }
    word ??= { text: '', file, line, logical, quoted: false };
    word.text += c;
    i++;
  }
  flush();
  return out;
}

/** Reads a quoted string starting after its opening quote; `end` is the index after the closing quote. */
function readQuoted(text: string, from: number, file: string, line: number): { text: string; end: number; newlines: number } {
  let val = '';
  let newlines = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') return { text: val, end: i + 1, newlines };
    if (c === '\\' && i + 1 < text.length) {
      const next = text[i + 1]!;
      // Only a quote is escaped; the backslash stays before anything else (Caddy v1).
      val += next === '"' ? '"' : `\\${next}`;
      if (next === '\n') newlines++;
      i++;
      continue;
    }
    if (c === '\r' && text[i + 1] === '\n') continue; // CRLF files read like LF files
    if (c === '\n') newlines++;
    val += c;
  }
  throw new ConfigError('Unterminated quoted string', { file, line });
}
