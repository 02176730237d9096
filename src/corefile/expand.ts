/**
 * Corefile token expansion: `(snippet) { ... }` definitions are taken out of the stream and every
 * `import NAME|PATH|GLOB` line is replaced by the snippet's or files' tokens, recursively, as Caddy
 * does while parsing. Imported tokens keep their own file and line, so errors point into them.
 */
import { readFileSync, globSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError } from './config-error.js';
import { substituteEnv } from './env.js';
import { isBrace, lex, type Token } from './lexer.js';

/** A token tagged with the expansion it came from: tokens of different units never share a line. */
export interface UnitToken extends Token {
  unit: number;
}

/** How imports reach the file system (injectable for tests). */
export interface ImportOptions {
  env?: NodeJS.ProcessEnv;
  /** Reads a file as text; throws (with `code` ENOENT/EISDIR as node does) when it cannot. */
  readFile?: (path: string) => string;
  /** Expands an absolute glob pattern to matching paths. */
  glob?: (pattern: string) => string[];
  /** Receives `No files matching import glob pattern: ...` warnings. */
  warn?: (msg: string) => void;
}

/** True when `b` continues the logical line of `a`. */
export function sameLine(a: UnitToken, b: UnitToken): boolean {
  return a.unit === b.unit && a.file === b.file && a.logical === b.logical;
}

// Caddy caps expansions to stop snippet bombs; cycles are caught earlier by the import stack.
const MAX_EXPANSIONS = 10_000;
const MAX_TOKENS = 1_000_000;

/** Expands imports and snippets of the tokens of `file`; the result holds no snippet definitions. */
export function expandImports(tokens: readonly Token[], file: string, opts: ImportOptions = {}): UnitToken[] {
  const x = new Expander(opts, file);
  x.walk(tokens.map((t) => ({ ...t, unit: 0 })));
  return x.out;
}

class Expander {
  readonly out: UnitToken[] = [];
  private depth = 0;
  private units = 0;
  private expansions = 0;
  private readonly snippets = new Map<string, UnitToken[]>();
  private readonly stack: string[];
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly opts: ImportOptions, file: string) {
    this.env = opts.env ?? process.env;
    this.stack = [`file:${resolve(file)}`];
  }

  walk(src: readonly UnitToken[]): void {
    let i = 0;
    while (i < src.length) {
      const t = src[i]!;
      const lineStart = i === 0 || !sameLine(src[i - 1]!, t);
      if (lineStart && !t.quoted && t.text === 'import') {
        i = this.importAt(src, i);
      } else if (lineStart && this.depth === 0 && isSnippetKey(src, i)) {
        i = this.defineSnippet(src, i);
      } else {
        if (isBrace(t, '{')) this.depth++;
        else if (isBrace(t, '}') && this.depth > 0) this.depth--;
        if (this.out.length >= MAX_TOKENS) throw new ConfigError(`Corefile expands to more than ${MAX_TOKENS} tokens`, t);
        this.out.push(t);
        i++;
      }
    }
  }

  /** Stores `(name) { ... }` starting at src[i]; returns the index after its closing brace. */
  private defineSnippet(src: readonly UnitToken[], i: number): number {
    const key = src[i]!;
    const name = key.text.slice(1, -1);
    if (this.snippets.has(name)) throw new ConfigError(`redeclaration of previously declared snippet ${name}`, key);
    const open = src[i + 1];
    if (!isBrace(open, '{')) {
      throw new ConfigError(`Unexpected token '${open?.text ?? 'EOF'}', expecting '{' after snippet ${key.text}`, open ?? key);
    }
    let nesting = 1;
    for (let j = i + 2; j < src.length; j++) {
      const t = src[j]!;
      if (isBrace(t, '{')) nesting++;
      else if (isBrace(t, '}') && --nesting === 0) {
        this.snippets.set(name, src.slice(i + 2, j));
        return j + 1;
      }
    }
    throw new ConfigError(`Unexpected EOF: '{' of snippet ${key.text} is never closed`, open);
  }

  /** Replaces the `import ARG` line at src[i]; returns the index after it. */
  private importAt(src: readonly UnitToken[], i: number): number {
    const t = src[i]!;
    const args: UnitToken[] = [];
    for (let j = i + 1; j < src.length && sameLine(src[j - 1]!, src[j]!); j++) args.push(src[j]!);
    if (args.length === 0) throw new ConfigError("Wrong argument count or unexpected line ending after 'import'", t);
    if (args.length > 1) throw new ConfigError('Import takes only one argument (glob pattern or file)', t);
    const pattern = substituteEnv(args[0]!.text, this.env);
    if (pattern === '') throw new ConfigError('Import requires a non-empty filepath', t);
    if (++this.expansions > MAX_EXPANSIONS) throw new ConfigError(`maximum import depth (${MAX_EXPANSIONS}) exceeded`, t);

    const snippet = this.snippets.get(pattern);
    if (snippet) {
      this.nested(`snippet:${pattern}`, t, () => snippet.map((s) => ({ ...s, unit: this.units })));
    } else {
      for (const path of this.resolveImport(pattern, t)) {
        this.nested(`file:${path}`, t, () => lex(this.read(path, pattern, t), path).map((s) => ({ ...s, unit: this.units })));
      }
    }
    return i + 2;
  }

  /** Walks the tokens `load` gives under `id` on the import stack, refusing cycles. */
  private nested(id: string, at: Token, load: () => UnitToken[]): void {
    if (this.stack.includes(id)) {
      const chain = [...this.stack.slice(this.stack.indexOf(id)), id].map(display).join(' -> ');
      throw new ConfigError(`import cycle detected: ${chain}`, at);
    }
    this.units++;
    const tokens = load();
    this.stack.push(id);
    this.walk(tokens);
    this.stack.pop();
  }

  /** The files an import pattern names, relative to the importing token's file. */
  private resolveImport(pattern: string, t: Token): string[] {
    const abs = isAbsolute(pattern) ? pattern : resolve(dirname(t.file), pattern);
    if (!/[*?[]/.test(abs)) return [abs];
    // As Caddy (issue #2096): patterns with many wildcards can take too long to expand.
    if (count(abs, '*') > 1 || count(abs, '?') > 1 || (abs.includes('[') && abs.includes(']'))) {
      throw new ConfigError(`Glob pattern may only contain one wildcard (*), but has others: ${abs}`, t);
    }
    const matches = [...(this.opts.glob ?? globSync)(abs)].sort();
    if (matches.length === 0) (this.opts.warn ?? defaultWarn)(`No files matching import glob pattern: ${pattern}`);
    return matches.map((m) => resolve(m));
  }

  private read(path: string, pattern: string, t: Token): string {
    try {
      return (this.opts.readFile ?? ((p: string) => readFileSync(p, 'utf8')))(path);
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (code === 'ENOENT') {
        const hint = /[/\\.]/.test(pattern) ? '' : ` (and no snippet '(${pattern})' is defined before this line)`;
        throw new ConfigError(`File to import not found: ${pattern}${hint}`, t);
      }
      if (code === 'EISDIR') throw new ConfigError(`Could not import ${path}: is a directory`, t);
      throw new ConfigError(`Could not import ${path}: ${(e as Error).message}`, t);
    }
  }
}

/** A lone `(name)` on its line followed by `{`: a snippet definition (Caddy allows only that form). */
function isSnippetKey(src: readonly UnitToken[], i: number): boolean {
  const t = src[i]!;
  if (t.quoted || t.text.length < 3 || !t.text.startsWith('(') || !t.text.endsWith(')')) return false;
  const next = src[i + 1];
  return next === undefined || isBrace(next, '{') || !sameLine(t, next);
}

function count(s: string, c: string): number {
  return s.split(c).length - 1;
}

function display(id: string): string {
  return id.startsWith('snippet:') ? `(${id.slice(8)})` : id.slice(5);
}

function defaultWarn(msg: string): void {
  process.stderr.write(`[WARNING] ${msg}\n`);
}
