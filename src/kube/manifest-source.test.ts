import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clusterIPsOf } from './objects.js';
import { ManifestSource } from './manifest-source.js';
import type { ClusterEvent } from './source.js';
import { captureLog, waitFor } from './testing.js';

const svc = (name: string, ip: string, ns = 'default') =>
  `apiVersion: v1\nkind: Service\nmetadata: { name: ${name}, namespace: ${ns} }\nspec: { clusterIP: ${ip} }\n`;

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'manifests-'));
  cleanup.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

function source(path: string, opts: { pollMs?: number; watch?: boolean; labelSelector?: string; namespaceLabelSelector?: string } = {}) {
  const log = captureLog();
  const src = new ManifestSource({ path, debounceMs: 20, pollMs: 0, log: log.logger, ...opts });
  const events: ClusterEvent[] = [];
  src.subscribe((e) => events.push(e));
  cleanup.push(() => src.stop());
  src.start();
  const ips = (): Record<string, string> =>
    Object.fromEntries([...src.snapshot().services].map(([k, s]) => [k, clusterIPsOf(s).join(',')]));
  return { src, log, events, ips };
}

describe('ManifestSource', () => {
  it('applies the labels / namespace_labels selectors and the pod phase filter as an API server would', async () => {
    const file = join(tempDir(), 'c.yaml');
    writeFileSync(file, [
      'apiVersion: v1\nkind: Service\nmetadata: { name: shop, namespace: a, labels: { tier: web } }\nspec: { clusterIP: 10.0.0.1 }\n',
      'apiVersion: v1\nkind: Service\nmetadata: { name: other, namespace: a, labels: { tier: db } }\nspec: { clusterIP: 10.0.0.2 }\n',
      'apiVersion: v1\nkind: Namespace\nmetadata: { name: a, labels: { dns: "on" } }\n',
      'apiVersion: v1\nkind: Namespace\nmetadata: { name: b }\n',
      'apiVersion: v1\nkind: Pod\nmetadata: { name: run, namespace: a, labels: { tier: web } }\nstatus: { phase: Running, podIP: 10.1.0.1 }\n',
      'apiVersion: v1\nkind: Pod\nmetadata: { name: done, namespace: a, labels: { tier: web } }\nstatus: { phase: Succeeded, podIP: 10.1.0.2 }\n',
    ].join('---\n'));
    const s = source(file, { labelSelector: 'tier=web', namespaceLabelSelector: 'dns=on' });
    await s.src.whenSynced();
    const snap = s.src.snapshot();
    expect([...snap.services.keys()]).toEqual(['a/shop']);
    expect([...snap.namespaces.keys()]).toEqual(['a']);
    expect([...snap.pods.keys()]).toEqual(['a/run']);
  });

  it('reads a multi-document file, syncs, and follows edits (atomic rename, as editors do)', async () => {
    const dir = tempDir();
    const file = join(dir, 'cluster.yaml');
    writeFileSync(file, `${svc('a', '10.0.0.1')}---\n${svc('b', '10.0.0.2', 'prod')}`);
    const { src, events, ips } = source(file);
    expect(src.synced).toBe(false);
    await src.whenSynced();
    expect(src.synced).toBe(true);
    expect(ips()).toEqual({ 'default/a': '10.0.0.1', 'prod/b': '10.0.0.2' });
    expect(events.filter((e) => e.type === 'upsert')).toHaveLength(2);

    const before = src.lastChange;
    events.length = 0;
    writeFileSync(`${file}.tmp`, `${svc('a', '10.0.0.9')}`);
    renameSync(`${file}.tmp`, file);
    await waitFor(() => ips()['default/a'] === '10.0.0.9' && !ips()['prod/b'], 'the edit to be applied');
    expect(events.map((e) => `${e.type} ${e.obj.name}`).sort()).toEqual(['delete b', 'upsert a']);
    expect(events.find((e) => e.type === 'upsert')!.old).toMatchObject({ clusterIPs: '10.0.0.1' });
    expect(src.lastChange).toBeGreaterThanOrEqual(before);
  });

  it('reads a directory recursively (yaml, yml, json), ignoring other files, hidden entries and unknown kinds', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'sub', 'deeper'), { recursive: true });
    mkdirSync(join(dir, '..data'));
    writeFileSync(join(dir, 'a.yaml'), svc('a', '10.0.0.1'));
    writeFileSync(join(dir, 'sub', 'b.yml'), `${svc('b', '10.0.0.2')}---\napiVersion: apps/v1\nkind: Deployment\nmetadata: { name: d }\n`);
    writeFileSync(join(dir, 'sub', 'deeper', 'ns.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod' } }));
    writeFileSync(join(dir, 'sub', 'notes.txt'), svc('txt', '10.0.0.3'));
    writeFileSync(join(dir, '..data', 'dup.yaml'), svc('hidden', '10.0.0.4'));
    const { src, ips, log } = source(dir);
    await src.whenSynced();
    expect(ips()).toEqual({ 'default/a': '10.0.0.1', 'default/b': '10.0.0.2' });
    expect([...src.snapshot().namespaces.keys()]).toEqual(['prod']);
    expect(log.lines).toEqual([]);

    writeFileSync(join(dir, 'sub', 'c.yaml'), svc('c', '10.0.0.5'));
    await waitFor(() => ips()['default/c'] === '10.0.0.5', 'a new file to be read');
    rmSync(join(dir, 'a.yaml'));
    await waitFor(() => !('default/a' in ips()), 'a removed file to be dropped');
  });

  it('keeps the last good state of a file when an edit breaks it, and logs where', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'good.yaml'), svc('good', '10.0.0.1'));
    writeFileSync(join(dir, 'edit.yaml'), `${svc('x', '10.0.0.2')}---\n${svc('y', '10.0.0.3')}`);
    const { src, ips, log } = source(dir);
    await src.whenSynced();

    writeFileSync(join(dir, 'edit.yaml'), `${svc('x', '10.0.0.8')}---\napiVersion: v1\nkind: Service\nmetadata: { name: y }\nspec: { ports: nope }\n`);
    await waitFor(() => log.matching('edit.yaml').length > 0, 'the error to be logged');
    expect(log.matching('ERROR manifests:')[0]).toMatch(/edit\.yaml: document 2 \(line \d+\): spec\.ports must be a list.*keeping its last good version/);
    // nothing of the broken file was applied, not even its good first document
    expect(ips()).toEqual({ 'default/good': '10.0.0.1', 'default/x': '10.0.0.2', 'default/y': '10.0.0.3' });

    // other files still update while one is broken
    writeFileSync(join(dir, 'good.yaml'), svc('good', '10.0.0.7'));
    await waitFor(() => ips()['default/good'] === '10.0.0.7', 'the other file to update');

    writeFileSync(join(dir, 'edit.yaml'), svc('x', '10.0.0.8'));
    await waitFor(() => ips()['default/x'] === '10.0.0.8' && !('default/y' in ips()), 'the fixed file to be applied');
  });

  it('picks up changes by polling alone', async () => {
    const dir = tempDir();
    const file = join(dir, 'one.yaml');
    writeFileSync(file, svc('a', '10.0.0.1'));
    const { src, ips } = source(file, { watch: false, pollMs: 50 });
    await src.whenSynced();
    writeFileSync(file, svc('a', '10.0.0.2') + '# longer\n');
    await waitFor(() => ips()['default/a'] === '10.0.0.2', 'the poll to see the edit');
  });

  it('syncs empty and logs when the path is missing, then reads it once it appears', async () => {
    const dir = tempDir();
    const file = join(dir, 'later.yaml');
    const { src, ips, log } = source(file, { pollMs: 50 });
    await src.whenSynced();
    expect(ips()).toEqual({});
    expect(log.matching(`ERROR manifests: cannot read ${file}: ENOENT`)).toHaveLength(1);
    writeFileSync(file, svc('a', '10.0.0.1'));
    await waitFor(() => ips()['default/a'] === '10.0.0.1', 'the file to be read');
    expect(log.matching('ENOENT')).toHaveLength(1); // logged once, not every poll
  });
});
