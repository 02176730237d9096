/** Test-file hooks around test-certs.ts (kept apart from it: the benchmarks import test-certs.ts without vitest). */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { makeTestCerts, type TestCerts } from './test-certs.ts';

/** Two PKIs, filled in before the file's tests and removed after them. */
export interface Pkis {
  /** The cluster's: its CA signed the simulator's serving certificate and the accepted client certificate. */
  pki: TestCerts;
  /** An unrelated one: its CA signed nothing the simulator trusts or serves. */
  other: TestCerts;
}

/** Registers the hooks that make (and remove) the two PKIs of a test file. */
export function usePkis(): Pkis {
  const pkis = {} as Pkis;
  beforeAll(async () => {
    [pkis.pki, pkis.other] = await Promise.all([makeTestCerts(), makeTestCerts(undefined, { caName: 'unrelated-ca' })]);
  });
  afterAll(() => {
    for (const p of [pkis.pki, pkis.other]) if (p) rmSync(p.dir, { recursive: true, force: true });
  });
  return pkis;
}
