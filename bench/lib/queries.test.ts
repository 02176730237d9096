import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { queryMix } from './queries.ts';
import { writeZoneFile } from './zone-file.ts';

describe('query mix', () => {
  const lines = queryMix(1000, 20_000);

  it('has the issue mix: 70% A hits, 10% AAAA, 10% SRV, 10% NXDOMAIN (within 1.5 points)', () => {
    const share = (f: (l: (typeof lines)[0]) => boolean): number => lines.filter(f).length / lines.length;
    expect(share((l) => l.type === 'A' && l.expect === 'hit')).toBeCloseTo(0.7, 1);
    expect(Math.abs(share((l) => l.type === 'AAAA') - 0.1)).toBeLessThan(0.015);
    expect(Math.abs(share((l) => l.type === 'SRV') - 0.1)).toBeLessThan(0.015);
    expect(Math.abs(share((l) => l.expect === 'nxdomain') - 0.1)).toBeLessThan(0.015);
  });

  it('is the same for the same arguments', () => {
    expect(queryMix(1000, 500)).toEqual(queryMix(1000, 500));
  });

  it('asks hits that are in the zone file and NXDOMAIN names that are not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-test-'));
    writeZoneFile(join(dir, 'z'), 1000);
    const owners = new Map<string, Set<string>>();
    for (const line of readFileSync(join(dir, 'z'), 'utf8').split('\n')) {
      const m = line.match(/^(\S+)\s+(?:\d+\s+)?IN\s+(\S+)/);
      if (!m || m[1] === '@') continue;
      const fq = `${m[1]}.cluster.local`;
      if (!owners.has(fq)) owners.set(fq, new Set());
      owners.get(fq)!.add(m[2]!);
    }
    const wrong: string[] = [];
    const all = [...owners.keys()];
    for (const l of lines.slice(0, 2000)) {
      const types = owners.get(l.name);
      if (l.expect === 'hit' && !types?.has(l.type)) wrong.push(`${l.name} ${l.type} missing`);
      if (l.expect === 'nodata' && (!types || types.has(l.type))) wrong.push(`${l.name} ${l.type} not NODATA`);
      // NXDOMAIN: no owner at or below the name, for Knot and the kubernetes plugin alike.
      if (l.expect === 'nxdomain' && all.some((o) => o === l.name || o.endsWith(`.${l.name}`))) wrong.push(`${l.name} exists`);
    }
    expect(wrong).toEqual([]);
    expect(lines.slice(0, 2000).some((l) => l.expect === 'nxdomain')).toBe(true);
  });
});
