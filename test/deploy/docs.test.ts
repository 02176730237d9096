/** docs/ kept honest: metrics.md lists exactly the metrics the code registers; relative links resolve. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const DOCS = join(ROOT, 'docs');

/** Every non-test .ts file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** `coredns_*` metric names registered in src/ (a name given as a metric's name, not a series suffix). */
function registeredMetrics(): Set<string> {
  const names = new Set<string>();
  for (const file of sources(join(ROOT, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/name:\s*'(coredns_[a-z0-9_]+)'/g)) names.add(m[1]!);
    for (const m of text.matchAll(/new Fast\w+\(\s*'(coredns_[a-z0-9_]+)'/g)) names.add(m[1]!);
  }
  return names;
}

describe('docs/metrics.md', () => {
  const doc = readFileSync(join(DOCS, 'metrics.md'), 'utf8');
  const documented = new Set([...doc.matchAll(/^\| `(coredns_[a-z0-9_]+)` \|/gm)].map((m) => m[1]!));
  const registered = registeredMetrics();

  it('finds metrics in the code (the scan works)', () => {
    expect(registered.has('coredns_dns_requests_total')).toBe(true);
    expect(registered.size).toBeGreaterThan(10);
  });
  it('documents every metric the code registers', () => {
    expect([...registered].filter((n) => !documented.has(n)).sort()).toEqual([]);
  });
  it('documents no metric the code does not register', () => {
    expect([...documented].filter((n) => !registered.has(n)).sort()).toEqual([]);
  });
});

describe('relative links in docs/', () => {
  const files = readdirSync(DOCS).filter((f) => f.endsWith('.md'));
  it.each(files)('%s links only to files that exist', (file) => {
    const text = readFileSync(join(DOCS, file), 'utf8');
    const broken: string[] = [];
    for (const m of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
      const target = m[1]!;
      if (/^[a-z]+:/.test(target)) continue; // http:, https:, mailto:
      const path = join(dirname(join(DOCS, file)), target);
      if (!existsSync(path)) broken.push(relative(ROOT, path));
    }
    expect(broken).toEqual([]);
  });
  it.each(files)('%s in-page anchors name headings of the page', (file) => {
    const text = readFileSync(join(DOCS, file), 'utf8');
    const slug = (h: string) => h.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');
    const anchors = new Set([...text.matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1]!)));
    const used = [...text.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!);
    expect(used.filter((a) => !anchors.has(a))).toEqual([]);
  });
});
