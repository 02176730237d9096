/**
 * Corefile parser: text -> server blocks of directives (Caddyfile v1 syntax, as CoreDNS reads it).
 * Keys come first (`.:53`, `a.org b.org`, `a.org, b.org`; a trailing comma continues on the next
 * line), then `{ directives }`. The last block may omit its braces (Caddy's single-server form).
 * A directive's `{ ... }` becomes its `block` of sub-directive lines, recursively.
 */
import { ConfigError } from './config-error.js';
import { substituteEnv } from './env.js';
import { expandImports, sameLine, type ImportOptions, type UnitToken } from './expand.js';
import { isBrace, lex } from './lexer.js';
import type { Directive, Pos, ServerBlock } from './types.js';

/** Options of parseCorefile: environment for `{$VAR}` and file access for `import`. */
export type ParseOptions = ImportOptions;

// Deep nesting is never meaningful in a Corefile; the cap keeps recursion far from the stack limit.
const MAX_NESTING = 100;

/** Parses Corefile `text` read from `file` (the name errors show and imports resolve against). */
export function parseCorefile(text: string, file: string, opts: ParseOptions = {}): ServerBlock[] {
  const tokens = expandImports(lex(text, file), file, opts);
  return new Parser(tokens, opts.env ?? process.env).all();
}

class Parser {
  private pos = 0;

  constructor(
    private readonly tokens: readonly UnitToken[],
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  all(): ServerBlock[] {
    const blocks: ServerBlock[] = [];
    while (this.pos < this.tokens.length) blocks.push(this.serverBlock());
    return blocks;
  }

  private serverBlock(): ServerBlock {
    const first = this.tokens[this.pos]!;
    const keys = this.keys();
    if (keys.length === 0) throw new ConfigError('Expected server block keys (zones) before this point', first);
    const block: ServerBlock = { keys, directives: [], file: first.file, line: first.line };
    const open = this.tokens[this.pos];
    if (isBrace(open, '{')) {
      this.pos++;
      block.directives = this.body(open!, 1);
    } else {
      block.directives = this.body(null, 0);
    }
    return block;
  }

  /** Reads the keys line; stops before its `{` (which may be on the next line) or at end of line. */
  private keys(): string[] {
    const keys: string[] = [];
    let expectingAnother = false;
    for (;;) {
      const t = this.tokens[this.pos]!;
      if (isBrace(t, '{')) {
        if (expectingAnother) throw new ConfigError("Expected another address but had '{' - check for extra comma", t);
        return keys;
      }
      if (isBrace(t, '}')) throw unexpectedClose(t);
      const text = substituteEnv(t.text, this.env);
      keys.push(...text.split(',').filter((k) => k !== ''));
      expectingAnother = text.endsWith(',');
      this.pos++;
      const next = this.tokens[this.pos];
      if (!next) {
        if (expectingAnother) throw new ConfigError('Unexpected EOF: expected another address after the comma', t);
        return keys;
      }
      if (!expectingAnother && !sameLine(t, next)) return keys;
    }
  }

  /** Directive lines until the `}` matching `open` (consumed), or EOF when there is no `open`. */
  private body(open: UnitToken | null, depth: number): Directive[] {
    if (depth > MAX_NESTING) throw new ConfigError(`blocks nested deeper than ${MAX_NESTING} levels`, open ?? undefined);
    const out: Directive[] = [];
    while (this.pos < this.tokens.length) {
      const t = this.tokens[this.pos]!;
      if (isBrace(t, '}')) {
        if (!open) throw unexpectedClose(t);
        this.pos++;
        return out;
      }
      if (isBrace(t, '{')) throw new ConfigError("Unexpected '{': a block must open on the same line as its directive", t);
      out.push(this.directive(depth));
    }
    if (open) throw missingClose(open, this.tokens[this.tokens.length - 1]!);
    return out;
  }

  /** One directive line: name, arguments up to end of line, and its `{ ... }` when present. */
  private directive(depth: number): Directive {
    const t = this.tokens[this.pos++]!;
    const d: Directive = { name: substituteEnv(t.text, this.env), args: [], block: null, file: t.file, line: t.line };
    let prev = t;
    while (this.pos < this.tokens.length && sameLine(prev, this.tokens[this.pos]!)) {
      const u = this.tokens[this.pos]!;
      if (isBrace(u, '}')) break; // closes the enclosing block: `cache 30 { success 1000 }`
      this.pos++;
      if (isBrace(u, '{')) {
        d.block = this.body(u, depth + 1);
        break;
      }
      d.args.push(substituteEnv(u.text, this.env));
      prev = u;
    }
    return d;
  }
}

function unexpectedClose(t: Pos): ConfigError {
  return new ConfigError("Unexpected '}' because no matching opening brace", t);
}

function missingClose(open: UnitToken, last: UnitToken): ConfigError {
  return new ConfigError(`Unexpected EOF: missing '}' for the '{' opened at ${open.file}:${open.line}`, last);
}
