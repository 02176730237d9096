/**
 * Precomputed replies for the raw-dgram ceiling: every distinct question of a query file asked
 * once of a real server (Knot), kept as bytes keyed by the question section.
 */
import type { QueryLine } from './queries.ts';
import { Asker, QType, query } from './wire.ts';

/** Asks `port` each distinct question of `lines`; returns the serialized map (see readReplies). */
export async function captureReplies(port: number, lines: readonly QueryLine[]): Promise<Buffer> {
  const asker = new Asker(port);
  const seen = new Map<string, Buffer>();
  const parts: Buffer[] = [];
  try {
    for (const l of lines) {
      const q = query(0, l.name, QType[l.type]);
      const key = q.toString('latin1', 12);
      if (seen.has(key)) continue;
      let r: Buffer | null = null;
      for (let attempt = 0; attempt < 3 && !r; attempt++) r = await asker.ask(l.name, QType[l.type], 1000);
      if (!r) throw new Error(`no reply for ${l.name} ${l.type}`);
      seen.set(key, r);
      const k = Buffer.from(key, 'latin1');
      const len = Buffer.alloc(4);
      len.writeUInt16BE(k.length, 0);
      len.writeUInt16BE(r.length, 2);
      parts.push(len, k, r);
    }
  } finally {
    asker.close();
  }
  return Buffer.concat(parts);
}

/** Reads what captureReplies wrote: question section (latin1) -> reply bytes. */
export function readReplies(b: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let i = 0;
  while (i + 4 <= b.length) {
    const kl = b.readUInt16BE(i);
    const rl = b.readUInt16BE(i + 2);
    if (i + 4 + kl + rl > b.length) throw new Error(`replies file cut short at byte ${i}`);
    out.set(b.toString('latin1', i + 4, i + 4 + kl), b.subarray(i + 4 + kl, i + 4 + kl + rl));
    i += 4 + kl + rl;
  }
  return out;
}
