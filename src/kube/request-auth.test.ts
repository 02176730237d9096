import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyAuthFiles } from './request-auth.js';

const dir = mkdtempSync(join(tmpdir(), 'request-auth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function applied(files: Parameters<typeof applyAuthFiles>[0], opts: https.RequestOptions = {}): Promise<https.RequestOptions> {
  await applyAuthFiles(files, opts);
  return opts;
}

describe('applyAuthFiles', () => {
  it('sets nothing without files', async () => {
    const o = await applied({}, { headers: { Accept: 'application/json' } });
    expect(o).toEqual({ headers: { Accept: 'application/json' } });
  });

  it('puts the CA, client certificate and key in the options, read again at each request', async () => {
    const files = { ca: file('ca.pem', 'CA-1'), cert: file('tls.crt', 'CERT-1'), key: file('tls.key', 'KEY-1') };
    const first = await applied(files);
    expect([String(first.ca), String(first.cert), String(first.key)]).toEqual(['CA-1', 'CERT-1', 'KEY-1']);
    expect(first.headers).toBeUndefined();
    // cert-manager renews the pair in place: the next request uses the new one.
    writeFileSync(files.cert, 'CERT-2');
    writeFileSync(files.key, 'KEY-2');
    const second = await applied(files);
    expect([String(second.ca), String(second.cert), String(second.key)]).toEqual(['CA-1', 'CERT-2', 'KEY-2']);
  });

  it('adds a bearer token, re-read after a rotation, keeping the other headers', async () => {
    const tokenFile = file('token', 'tok-1\n');
    const o = await applied({ tokenFile }, { headers: { Accept: 'application/json', 'User-Agent': 'clusterdns' } });
    expect(o.headers).toEqual({ Accept: 'application/json', 'User-Agent': 'clusterdns', Authorization: 'Bearer tok-1' });
    writeFileSync(tokenFile, 'tok-2');
    expect((await applied({ tokenFile }, { headers: {} })).headers).toEqual({ Authorization: 'Bearer tok-2' });
    // Raw header arrays (['name', 'value', ...]) are extended, not replaced.
    expect((await applied({ tokenFile }, { headers: ['Accept', 'application/json'] })).headers).toEqual([
      'Accept',
      'application/json',
      'Authorization',
      'Bearer tok-2',
    ]);
  });

  it('fails the request with a clear error when a file went missing or the token is empty', async () => {
    const gone = join(dir, 'gone.pem');
    await expect(applied({ ca: gone })).rejects.toThrow(`cannot read CA certificate ${gone}: ENOENT`);
    await expect(applied({ cert: file('c', 'C'), key: gone })).rejects.toThrow(`cannot read client key ${gone}: ENOENT`);
    await expect(applied({ tokenFile: gone })).rejects.toThrow(/cannot read service account token .*gone\.pem/);
    await expect(applied({ tokenFile: file('empty', ' \n') })).rejects.toThrow(/is empty/);
  });
});
