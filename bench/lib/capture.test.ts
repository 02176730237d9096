import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStubUpstream, type StubUpstream } from '../stub-upstream.ts';
import { captureReplies, readReplies } from './capture.ts';
import { start, type Proc } from './proc.ts';
import { Asker, head, query, QType } from './wire.ts';

let stub: StubUpstream;
beforeAll(async () => {
  stub = await startStubUpstream();
});
afterAll(async () => {
  await stub.close();
});

describe('precomputed replies and the raw dgram server', () => {
  const lines = [
    { name: 'a.example', type: 'A' as const, expect: 'nxdomain' as const },
    { name: 'a.example', type: 'A' as const, expect: 'nxdomain' as const },
    { name: '_x._tcp.b.example', type: 'SRV' as const, expect: 'nxdomain' as const },
  ];

  it('asks each distinct question once and keys the reply by the question section', async () => {
    const before = stub.queries();
    const map = readReplies(await captureReplies(Number(stub.addr.split(':')[1]), lines));
    expect(stub.queries() - before).toBe(2);
    expect(map.size).toBe(2);
    const r = map.get(query(0, 'a.example', QType.A).toString('latin1', 12))!;
    expect(head(r).rcode).toBe(3);
  });

  it('rejects a replies file cut short', () => {
    const b = Buffer.from([0, 4, 0, 9, 1, 2, 3, 4, 5]);
    expect(() => readReplies(b)).toThrow(/cut short/);
  });

  it('serves the captured bytes with the query ID patched in, and stays silent for unknown questions', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bench-raw-')), 'replies.bin');
    writeFileSync(file, await captureReplies(Number(stub.addr.split(':')[1]), lines));
    const raw: Proc = start('raw', process.execPath, [resolve(import.meta.dirname, '..', 'raw-dgram-server.ts'), '--replies', file]);
    try {
      const port = Number((await raw.waitFor(/listening on (\d+) \((\d+) replies\)/, 10_000))[1]);
      const asker = new Asker(port);
      try {
        const r = await asker.ask('a.example', QType.A, 2000);
        expect(r).not.toBeNull();
        expect(head(r!).rcode).toBe(3);
        expect(r!.readUInt16BE(0)).toBe(1); // the Asker's first ID
        expect(await asker.ask('unknown.example', QType.A, 300)).toBeNull();
      } finally {
        asker.close();
      }
    } finally {
      await raw.stop();
    }
    expect(raw.output()).toMatch(/misses 1/);
  });
});
