/** Both servers must give the same answers to the mix: RCODE and answer count compared question by question. */
import type { QueryLine } from './queries.ts';
import { Asker, head, QType } from './wire.ts';

/** The first `limit` questions of `lines` asked of both ports; returns the disagreements (empty = same answers). */
export async function crossCheck(portA: number, portB: number, lines: readonly QueryLine[], limit = 500): Promise<string[]> {
  const a = new Asker(portA);
  const b = new Asker(portB);
  const out: string[] = [];
  try {
    for (const l of lines.slice(0, limit)) {
      const [ra, rb] = await Promise.all([a.ask(l.name, QType[l.type], 2000), b.ask(l.name, QType[l.type], 2000)]);
      const show = (r: Buffer | null): string => (r ? `rcode ${head(r).rcode}, ${head(r).answers} answers` : 'no reply');
      if (!ra || !rb || head(ra).rcode !== head(rb).rcode || head(ra).answers !== head(rb).answers) out.push(`${l.name} ${l.type}: ${show(ra)} vs ${show(rb)}`);
    }
  } finally {
    a.close();
    b.close();
  }
  return out;
}
