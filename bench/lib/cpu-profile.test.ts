import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { summarizeProfile } from './cpu-profile.ts';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 0, scriptId: '0' });

/** root -> serve -> (encode, serve(recursive) -> encode), plus (idle) and (garbage collector). */
function write(): string {
  const nodes = [
    { id: 1, callFrame: frame('(root)'), children: [2, 5, 6] },
    { id: 2, callFrame: frame('serve', 'node:dgram', 10), children: [3, 4] },
    { id: 3, callFrame: frame('encode', 'node:buffer', 20), children: [] },
    { id: 4, callFrame: frame('serve', 'node:dgram', 10), children: [7] },
    { id: 5, callFrame: frame('(idle)'), children: [] },
    { id: 6, callFrame: frame('(garbage collector)'), children: [] },
    { id: 7, callFrame: frame('encode', 'node:buffer', 20), children: [] },
  ];
  // 10 samples, 1 ms apart: serve self 2, encode 4 (2 + 2 under the recursion), idle 2, gc 2.
  const samples = [2, 2, 3, 3, 7, 7, 5, 5, 6, 6];
  const dir = mkdtempSync(join(tmpdir(), 'bench-prof-'));
  const path = join(dir, 'p.cpuprofile');
  writeFileSync(path, JSON.stringify({ nodes, startTime: 1_000_000, endTime: 1_010_000, samples, timeDeltas: samples.map(() => 1000) }));
  return path;
}

describe('cpu profile summary', () => {
  it('gives self and total shares of the non-idle samples, counting recursion once', () => {
    const s = summarizeProfile(write(), '/');
    expect(s.samples).toBe(8);
    const serve = s.top.find((f) => f.fn === 'serve')!;
    const encode = s.top.find((f) => f.fn === 'encode')!;
    expect(serve.selfPct).toBeCloseTo(25);
    expect(serve.totalPct).toBeCloseTo(75);
    expect(encode.selfPct).toBeCloseTo(50);
    expect(encode.totalPct).toBeCloseTo(50);
    expect(s.top[0]!.fn).toBe('encode');
    expect(s.top.some((f) => f.fn === '(idle)')).toBe(false);
    expect(s.byArea.find((a) => a.area === 'node: buffer')!.selfPct).toBeCloseTo(50);
    expect(s.byArea.find((a) => a.area === '(garbage collector)')!.selfPct).toBeCloseTo(25);
  });

  it('keeps only the samples inside a time window', () => {
    // Samples are at 1,001,000 .. 1,010,000 us; the window holds the 3rd to the 6th (encode only).
    const s = summarizeProfile(write(), '/', 10, { fromUs: 1_002_500, toUs: 1_006_500 });
    expect(s.windowSamples).toBe(4);
    expect(s.top.map((f) => [f.fn, Math.round(f.selfPct)])).toEqual([['encode', 100]]);
  });
});
