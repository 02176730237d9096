/**
 * Reads a V8 .cpuprofile (node --cpu-prof): self and total time per function, mapped back to
 * src/*.ts through dist's source maps, and self time rolled up by file / package.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, relative, resolve } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  /** Microseconds on V8's monotonic clock (CLOCK_MONOTONIC on Linux, as process.hrtime). */
  startTime: number;
  timeDeltas: number[];
}

/** A time window in microseconds of CLOCK_MONOTONIC (`process.hrtime.bigint() / 1000n`). */
export interface Window {
  fromUs: number;
  toUs: number;
}

/** One function's share of the non-idle samples. */
export interface FunctionCost {
  fn: string;
  where: string;
  selfPct: number;
  totalPct: number;
}

/** A summary of a profile. */
export interface ProfileSummary {
  samples: number;
  top: FunctionCost[];
  /** Self time by file (product), package (dependencies) or Node area. */
  byArea: Array<{ area: string; selfPct: number }>;
}

const maps = new Map<string, SourceMap | null>();

function sourceMapFor(file: string): SourceMap | null {
  if (!maps.has(file)) {
    const path = `${file}.map`;
    maps.set(file, existsSync(path) ? new SourceMap(JSON.parse(readFileSync(path, 'utf8'))) : null);
  }
  return maps.get(file)!;
}

/** `src/x.ts:line` for our code (through the source map), a short name for everything else. */
function locate(cf: ProfileNode['callFrame'], root: string): { where: string; area: string } {
  const url = cf.url;
  if (!url) return { where: '(native)', area: cf.functionName.startsWith('(') ? cf.functionName : '(native / V8 builtins)' };
  if (url.startsWith('node:')) return { where: `${url}:${cf.lineNumber + 1}`, area: `node: ${url.replace(/^node:(internal\/)?/, '').split('/')[0]}` };
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  const rel = relative(root, file);
  const pkg = rel.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (pkg) return { where: `${pkg[1]}/${rel.split(`${pkg[1]}/`).pop()}:${cf.lineNumber + 1}`, area: `dependency: ${pkg[1]}` };
  const map = sourceMapFor(file);
  const entry = map?.findEntry(cf.lineNumber, cf.columnNumber);
  if (entry && 'originalSource' in entry && entry.originalSource) {
    const orig = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : resolve(dirname(file), entry.originalSource);
    // A build of another checkout (BENCH_DIST) maps to its own src/: show it as src/ too.
    const src = relative(root, orig).replace(/^.*?\/(src\/)/, '$1');
    return { where: `${src}:${entry.originalLine + 1}`, area: src };
  }
  return { where: `${rel}:${cf.lineNumber + 1}`, area: rel };
}

/**
 * Summarizes the profile at `path` (`root` = the repository, for relative paths); with `window`,
 * only the samples taken inside it count.
 */
export function summarizeProfile(path: string, root: string, topN = 25, window?: Window): ProfileSummary & { windowSamples: number } {
  const p = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const hits = new Map<number, number>();
  let t = p.startTime;
  let inWindow = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    if (window && (t < window.fromUs || t > window.toUs)) continue;
    inWindow++;
    const id = p.samples[i]!;
    hits.set(id, (hits.get(id) ?? 0) + 1);
  }
  const key = (n: ProfileNode): string => `${n.callFrame.functionName}|${n.callFrame.url}|${n.callFrame.lineNumber}|${n.callFrame.columnNumber}`;
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const frames = new Map<string, ProfileNode>();
  let counted = 0;
  // Iterative walk: (node, keys of the functions on the stack above it) -> inclusive hits.
  const rootNode = p.nodes[0]!;
  const subtree = new Map<number, number>();
  const order: ProfileNode[] = [];
  const stack = [rootNode];
  while (stack.length) {
    const n = stack.pop()!;
    order.push(n);
    for (const c of n.children ?? []) stack.push(byId.get(c)!);
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i]!;
    const own = n.callFrame.functionName === '(idle)' ? 0 : (hits.get(n.id) ?? 0);
    subtree.set(n.id, own + (n.children ?? []).reduce((s, c) => s + subtree.get(c)!, 0));
  }
  const walk: Array<{ n: ProfileNode; above: Set<string> }> = [{ n: rootNode, above: new Set() }];
  while (walk.length) {
    const { n, above } = walk.pop()!;
    const k = key(n);
    frames.set(k, n);
    if (n.callFrame.functionName !== '(idle)') {
      const own = hits.get(n.id) ?? 0;
      self.set(k, (self.get(k) ?? 0) + own);
      counted += own;
      if (!above.has(k)) total.set(k, (total.get(k) ?? 0) + subtree.get(n.id)!);
    }
    const next = above.has(k) ? above : new Set([...above, k]);
    for (const c of n.children ?? []) walk.push({ n: byId.get(c)!, above: next });
  }
  const pct = (x: number): number => (counted ? (100 * x) / counted : 0);
  const areas = new Map<string, number>();
  const top: FunctionCost[] = [];
  for (const [k, s] of self) {
    const n = frames.get(k)!;
    const { where, area } = locate(n.callFrame, root);
    areas.set(area, (areas.get(area) ?? 0) + s);
    if (n.callFrame.functionName === '(root)' || s === 0) continue;
    top.push({ fn: n.callFrame.functionName || '(anonymous)', where, selfPct: pct(s), totalPct: pct(total.get(k) ?? 0) });
  }
  top.sort((a, b) => b.selfPct - a.selfPct);
  const byArea = [...areas].map(([area, s]) => ({ area, selfPct: pct(s) })).filter((a) => a.selfPct > 0).sort((a, b) => b.selfPct - a.selfPct);
  return { samples: counted, top: top.slice(0, topN), byArea, windowSamples: inWindow };
}
