/** Reads `node --trace-gc` lines: pause lengths per kind and the bytes allocated between collections. */

/** What the collections in some stretch of --trace-gc output cost. */
export interface GcStats {
  scavenges: number[];
  markCompacts: number[];
  /** MB allocated over the stretch: sum of (heap before a GC - heap after the previous one). */
  allocatedMB: number;
}

const LINE = /: (Scavenge|Minor Mark-Sweep|Mark-Compact|Mark-Sweep)[^\d]*([\d.]+) \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB, (?:pooled: [\d.]+ MB, )?([\d.]+) \/ [\d.]+ ms/;

/** Parses the --trace-gc lines of `text` (other lines are ignored). */
export function parseGcTrace(text: string): GcStats {
  const out: GcStats = { scavenges: [], markCompacts: [], allocatedMB: 0 };
  let lastAfter: number | undefined;
  for (const line of text.split('\n')) {
    const m = line.match(LINE);
    if (!m) continue;
    const before = Number(m[2]);
    const after = Number(m[3]);
    const pause = Number(m[4]);
    if (m[1] === 'Scavenge' || m[1] === 'Minor Mark-Sweep') out.scavenges.push(pause);
    else out.markCompacts.push(pause);
    if (lastAfter !== undefined && before > lastAfter) out.allocatedMB += before - lastAfter;
    lastAfter = after;
  }
  return out;
}
