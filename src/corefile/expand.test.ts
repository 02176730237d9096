import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConfigError } from './config-error.js';
import { parseCorefile, type ParseOptions } from './parser.js';
import type { ServerBlock } from './types.js';
import { validateDirectives } from './validate.js';

let dir = '';

/** Writes `files` (path relative to the temp dir -> text) and returns the absolute main path. */
function tree(name: string, files: Record<string, string>): string {
  const root = join(dir, name);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

/** A tree whose `Corefile` is `main`; returns its root. */
function setup(name: string, main: string, files: Record<string, string> = {}): string {
  return tree(name, { Corefile: main, ...files });
}

/** Parses `root/Corefile` as read from disk. */
function parseFile(root: string, opts: ParseOptions = {}): ServerBlock[] {
  const main = join(root, 'Corefile');
  return parseCorefile(readFileSync(main, 'utf8'), main, { env: {}, ...opts });
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'clusterdns-corefile-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('import of files', () => {
  test('imported tokens keep their own file and line', () => {
    const root = setup('basic', '.:53 {\n  import common.conf\n  whoami\n}\n', { 'common.conf': '# shared\n\nerrors\nlog {\n  class denial\n}\n' });
    const [block] = parseFile(root);
    const common = join(root, 'common.conf');
    expect(block!.directives.map((d) => [d.name, d.file, d.line])).toEqual([
      ['errors', common, 3],
      ['log', common, 4],
      ['whoami', join(root, 'Corefile'), 3],
    ]);
    expect(block!.directives[1]!.block).toEqual([{ name: 'class', args: ['denial'], block: null, file: common, line: 5 }]);
  });

  test('paths resolve against the importing file, nested', () => {
    const root = setup('nested', 'import conf.d/zones.conf\n', {
      'conf.d/zones.conf': 'a.org {\n  import ../shared/plugins.conf\n}\n',
      'shared/plugins.conf': 'import more.conf\ncache 30\n',
      'shared/more.conf': 'errors\n',
    });
    const blocks = parseFile(root);
    expect(blocks.map((b) => [b.keys, b.file, b.line])).toEqual([[['a.org'], join(root, 'conf.d/zones.conf'), 1]]);
    expect(blocks[0]!.directives.map((d) => `${d.name}@${d.file.slice(root.length)}:${d.line}`)).toEqual(['errors@/shared/more.conf:1', 'cache@/shared/plugins.conf:2']);
  });

  test('a glob imports every match in sorted order', () => {
    const root = setup('glob', 'import custom/*.server\n.:53 {\n  whoami\n}\n', {
      'custom/b.server': 'b.org {\n  log\n}\n',
      'custom/a.server': 'a.org {\n  errors\n}\n',
      'custom/ignored.txt': 'not {\n}\n',
    });
    expect(parseFile(root).map((b) => b.keys[0])).toEqual(['a.org', 'b.org', '.:53']);
  });

  test('a glob with no match only warns', () => {
    const root = setup('noglob', '.:53 {\n  import custom/*.override\n  whoami\n}\n');
    const warnings: string[] = [];
    const blocks = parseFile(root, { warn: (m) => warnings.push(m) });
    expect(blocks[0]!.directives.map((d) => d.name)).toEqual(['whoami']);
    expect(warnings).toEqual(['No files matching import glob pattern: custom/*.override']);
  });

  test('absolute paths and environment variables in the path', () => {
    const root = setup('abs', '.:53 {\n  import {$CONF}/x.conf\n}\n', { 'inc/x.conf': 'log\n' });
    expect(parseFile(root, { env: { CONF: join(root, 'inc') } })[0]!.directives.map((d) => d.name)).toEqual(['log']);
  });

  test('snippets defined in an imported file can be used after the import', () => {
    const root = setup('snipfile', 'import snippets.conf\n.:53 {\n  import common\n}\n', { 'snippets.conf': '(common) {\n  errors\n}\n' });
    const d = parseFile(root)[0]!.directives[0]!;
    expect([d.name, d.file, d.line]).toEqual(['errors', join(root, 'snippets.conf'), 2]);
  });

  test('unknown directives are reported in the imported file', () => {
    const root = setup('unknown', '.:53 {\n  import p.conf\n}\n', { 'p.conf': 'errors\n\nbogus 1\n' });
    const err = errorOf(() => validateDirectives(parseFile(root), ['errors']));
    expect(err.message).toBe(`${join(root, 'p.conf')}:3 - Error during parsing: Unknown directive 'bogus'`);
  });
});

describe('import errors', () => {
  test.each<[string, string, Record<string, string>, (root: string) => string]>([
    ['missing file', '.:53 {\n  log\n  import nope.conf\n}\n', {}, (r) => `${r}/Corefile:3 - Error during parsing: File to import not found: nope.conf`],
    ['a directory', '.:53 {\n  import sub\n}\n', { 'sub/x': '' }, (r) => `${r}/Corefile:2 - Error during parsing: Could not import ${r}/sub: is a directory`],
    ['two wildcards', 'import */*.conf\n', {}, (r) => `${r}/Corefile:1 - Error during parsing: Glob pattern may only contain one wildcard (*), but has others: ${r}/*/*.conf`],
    ['stray brace inside the imported file', '.:53 {\n  import bad.conf\n}\n', { 'bad.conf': 'log\n}\n}\n' }, (r) => `${r}/bad.conf:3 - Error during parsing: Unexpected '}' because no matching opening brace`],
    ['quote left open in the imported file', 'import q.conf\n', { 'q.conf': 'a {\n  p "x\n' }, (r) => `${r}/q.conf:2 - Error during parsing: Unterminated quoted string`],
    [
      'cycle between two files',
      'import a.conf\n',
      { 'a.conf': 'x.org {\n  import b.conf\n}\n', 'b.conf': '# b\nimport a.conf\n' },
      (r) => `${r}/b.conf:2 - Error during parsing: import cycle detected: ${r}/a.conf -> ${r}/b.conf -> ${r}/a.conf`,
    ],
    ['a file importing itself through a glob', '.:53 {\n  whoami\n}\nimport *\n', {}, (r) => `${r}/Corefile:4 - Error during parsing: import cycle detected: ${r}/Corefile -> ${r}/Corefile`],
  ])('%s', (name, main, files, want) => {
    const root = setup(`err-${name.replace(/\W+/g, '-')}`, main, files);
    expect(errorOf(() => parseFile(root)).message).toBe(want(root));
  });

  test('readFile and glob can be injected', () => {
    const files: Record<string, string> = { '/virt/a.conf': 'log\n', '/virt/b.conf': 'errors\n' };
    const blocks = parseCorefile('.:53 {\n  import *.conf\n}\n', '/virt/Corefile', {
      env: {},
      glob: (p) => Object.keys(files).filter((f) => p === '/virt/*.conf' && f.endsWith('.conf')).reverse(),
      readFile: (p) => {
        const text = files[p];
        if (text === undefined) throw Object.assign(new Error('no'), { code: 'ENOENT' });
        return text;
      },
    });
    expect(blocks[0]!.directives.map((d) => `${d.name}@${d.file}:${d.line}`)).toEqual(['log@/virt/a.conf:1', 'errors@/virt/b.conf:1']);
  });

  test('other read failures are reported with their reason', () => {
    const err = errorOf(() =>
      parseCorefile('import x.conf\n', '/virt/Corefile', {
        readFile: () => {
          throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
        },
      }),
    );
    expect(err.message).toBe('/virt/Corefile:1 - Error during parsing: Could not import /virt/x.conf: EACCES: permission denied');
  });
});
