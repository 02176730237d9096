/** Starts the raw-dgram ceiling (bench/raw-dgram-server.ts) on replies captured from a reference server. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { captureReplies } from './capture.ts';
import { NODE, ROOT } from './clusterdns.ts';
import { start, type Proc } from './proc.ts';
import type { QueryLine } from './queries.ts';

/** Captures `lines`' replies from `referencePort` into `work`, starts the server on `cpus`; resolves once it listens. */
export async function startRawDgram(work: string, referencePort: number, lines: readonly QueryLine[], cpus: string): Promise<{ proc: Proc; port: number }> {
  const repliesFile = join(work, `raw-replies-${referencePort}.bin`);
  writeFileSync(repliesFile, await captureReplies(referencePort, lines));
  const proc = start('raw-dgram', NODE, [join(ROOT, 'bench', 'raw-dgram-server.ts'), '--replies', repliesFile], { cpus });
  try {
    return { proc, port: Number((await proc.waitFor(/listening on (\d+)/, 30_000))[1]) };
  } catch (err) {
    await proc.stop();
    throw err;
  }
}
