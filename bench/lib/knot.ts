/** Knot DNS (Debian's `knot`) serving the generated cluster zone: the reference server. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, start, sleep, type Proc } from './proc.ts';
import { writeZoneFile } from './zone-file.ts';
import { Asker, head, QType } from './wire.ts';
import { serviceAt, ZONE } from './cluster.ts';

/** A running knotd. */
export interface Knot {
  proc: Proc;
  port: number;
  dir: string;
}

/**
 * Starts knotd on 127.0.0.1 with one UDP worker (the fair match for one Node thread) for a
 * cluster of `services`; resolves once it answers a Service name.
 */
export async function startKnot(services: number, opts: { cpus?: string; udpWorkers?: number } = {}): Promise<Knot> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-knot-'));
  const port = await freePort();
  writeZoneFile(join(dir, `${ZONE}.zone`), services);
  const conf = [
    'server:',
    `    rundir: "${dir}"`,
    `    listen: 127.0.0.1@${port}`,
    `    udp-workers: ${opts.udpWorkers ?? 1}`,
    '    tcp-workers: 1',
    '    background-workers: 1',
    'database:',
    `    storage: "${dir}"`,
    'log:',
    '  - target: stderr',
    '    any: warning',
    'template:',
    '  - id: default',
    '    semantic-checks: off',
    '    journal-content: none',
    '    zonefile-sync: -1',
    'zone:',
    `  - domain: ${ZONE}`,
    `    file: "${join(dir, `${ZONE}.zone`)}"`,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'knot.conf'), conf);
  const proc = start('knotd', 'knotd', ['-c', join(dir, 'knot.conf')], { cpus: opts.cpus });
  const asker = new Asker(port);
  try {
    const probe = serviceAt(0).fqdn;
    const end = Date.now() + 30_000;
    for (;;) {
      const r = await asker.ask(probe, QType.A, 200);
      if (r && head(r).rcode === 0 && head(r).answers > 0) break;
      if (proc.child.exitCode !== null) throw new Error(`knotd exited:\n${proc.output()}`);
      if (Date.now() > end) throw new Error(`knotd did not answer ${probe} within 30 s:\n${proc.output()}`);
      await sleep(50);
    }
  } catch (err) {
    await proc.stop();
    throw err;
  } finally {
    asker.close();
  }
  return { proc, port, dir };
}
