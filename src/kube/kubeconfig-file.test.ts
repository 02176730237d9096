import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KubeConnectionError } from './connection-checks.js';
import { readKubeconfigs } from './kubeconfig-file.js';

const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

const BASE = `apiVersion: v1
kind: Config
current-context: one
clusters:
- name: c1
  cluster: { server: "https://one.example:6443/", certificate-authority: pki/ca.crt }
users:
- name: u1
  user: { client-certificate: pki/u1.crt, client-key: /abs/u1.key }
- name: u2
  user: { token: beside, token-file: tok }
- name: u3
  user: { token-file: tok, exec: { command: get-token } }
contexts:
- name: one
  context: { cluster: c1, user: u1 }
- name: two
  context: { cluster: c1, user: u2 }
`;

describe('readKubeconfigs', () => {
  it('resolves relative paths against the file\'s folder and takes over plain token-file users', () => {
    const cfg = file('a/config', BASE.replace('client-key: /abs/u1.key', 'client-key: pki/u1.key'));
    for (const f of ['a/pki/ca.crt', 'a/pki/u1.crt', 'a/pki/u1.key', 'a/tok']) file(f, 'x');
    const k = readKubeconfigs([cfg]);
    expect(k.server).toBe('https://one.example:6443');
    expect(k.context).toBe('one');
    expect(k.doc.clusters[0]!.cluster['certificate-authority']).toBe(join(dir, 'a/pki/ca.crt'));
    expect(k.doc.users[0]!.user).toEqual({ 'client-certificate': join(dir, 'a/pki/u1.crt'), 'client-key': join(dir, 'a/pki/u1.key') });
    // u2's token comes from the file (client-go: the file wins over `token`); u3 has its own exec plugin.
    expect([...k.tokenFiles]).toEqual([['u2', join(dir, 'a/tok')]]);
    expect(k.doc.users[1]!.user).toEqual({});
    expect(k.doc.users[2]!.user['token-file']).toBe(join(dir, 'a/tok'));
  });

  it('merges files first-wins, each file\'s paths against its own folder', () => {
    const first = file('m1/config', BASE.replace('current-context: one\n', '').replace(/certificate-authority: pki\/ca.crt/, 'insecure-skip-tls-verify: true'));
    const second = file('m2/config', BASE.replace('current-context: one', 'current-context: two').replace('server: "https://one.example:6443/"', 'server: "https://two.example"'));
    file('m1/tok', 't');
    const k = readKubeconfigs([first, second]);
    expect(k.context).toBe('two'); // the first file sets none
    expect(k.server).toBe('https://one.example:6443'); // c1 from the first file wins
    expect(k.doc.clusters).toHaveLength(1);
    expect(k.tokenFiles.get('u2')).toBe(join(dir, 'm1/tok')); // u2 of the first file, path from its folder
  });

  it('marks a plain-HTTP cluster insecure (nothing to verify), leaves https alone', () => {
    const cfg = file('h/config', BASE.replace('"https://one.example:6443/", certificate-authority: pki/ca.crt', '"http://127.0.0.1:8001"'));
    file('h/tok', 't');
    const k = readKubeconfigs([cfg], 'two');
    expect(k.server).toBe('http://127.0.0.1:8001');
    expect(k.doc.clusters[0]!.cluster['insecure-skip-tls-verify']).toBe(true);
  });

  it('checks at setup what client-node would reject later, with the file named', () => {
    const bad = (name: string, text: string) => () => readKubeconfigs([file(name, text)]);
    expect(bad('b1', 'clusters: [')).toThrow(/^invalid kubeconfig .*b1: /);
    expect(bad('b2', '- a list')).toThrow(/b2: not a kubeconfig \(expected a mapping\)/);
    expect(bad('b3', 'clusters: [{ name: c, cluster: {} }]')).toThrow(/b3: clusters\[0\]\.cluster\.server is missing/);
    expect(bad('b4', 'users: [{ user: {} }]')).toThrow(/b4: users\[0\]\.name is missing/);
    expect(bad('b5', 'contexts: [{ name: x, context: { user: u } }]')).toThrow(/b5: contexts\[0\]\.context\.cluster is missing/);
    expect(bad('b6', 'clusters: [{ name: c, cluster: { server: "ftp://x" } }]\ncontexts: [{ name: x, context: { cluster: c } }]\ncurrent-context: x')).toThrow(
      /kubeconfig server: URL scheme must be http or https/,
    );
    expect(bad('b7', 'contexts: [{ name: x, context: { cluster: nope } }]\ncurrent-context: x')).toThrow(/context 'x' has no cluster \(cluster 'nope' is not defined\)/);
    expect(bad('b8', 'kind: Config')).toThrow(/no current-context set and no context named/);
    expect(bad('b9', 'current-context: ghost')).toThrow(/current context 'ghost' is not defined/);
  });

  it('reports an unknown context and unreadable files of the chosen user and cluster', () => {
    const cfg = file('u/config', BASE);
    expect(() => readKubeconfigs([cfg], 'three')).toThrow(KubeConnectionError);
    expect(() => readKubeconfigs([cfg], 'three')).toThrow(`context 'three' not found in kubeconfig ${cfg}`);
    expect(() => readKubeconfigs([cfg, join(dir, 'none')])).toThrow(`kubeconfig: cannot read ${join(dir, 'none')}: ENOENT`);
    expect(() => readKubeconfigs([cfg])).toThrow(`kubeconfig cluster 'c1' certificate-authority: cannot read ${join(dir, 'u/pki/ca.crt')}: ENOENT`);
    file('u/pki/ca.crt', 'x');
    expect(() => readKubeconfigs([cfg])).toThrow(`kubeconfig user 'u1' client-certificate: cannot read ${join(dir, 'u/pki/u1.crt')}`);
    expect(() => readKubeconfigs([cfg], 'two')).toThrow(`kubeconfig user 'u2' token-file: cannot read ${join(dir, 'u/tok')}`);
    file('u/tok', 't');
    expect(readKubeconfigs([cfg], 'two').context).toBe('two');
    expect(readKubeconfigs([cfg, cfg], 'two').doc.users).toHaveLength(3);
  });
});
