/**
 * Kubeconfig files -> the merged config, the context to use and its server, read with `yaml` alone:
 * a bad file or an unknown context is an error at setup, while client-node (the auth providers:
 * exec, oidc...) is loaded only at the first request, by kubeconfig-auth.ts.
 * Files merge as kubectl does (the first to define a name wins, the first current-context wins);
 * relative paths are resolved against the folder of the file that names them. kubectl's `token-file`
 * is taken over: client-node would read it once, relative to the cwd, and send a rotated token stale
 * forever (client-go re-reads it), so such users get TokenFileAuth instead.
 */
import { readFileSync } from 'node:fs';
import { delimiter, dirname, resolve } from 'node:path';
import { KubeConnectionError, checkServer, mustRead } from './connection-checks.js';
import { yaml } from './lazy-yaml.js';

type Section = Record<string, unknown>;

/** A kubeconfig as client-node's loadFromString reads it (JSON is YAML). */
export interface RawKubeconfig {
  clusters: { name: string; cluster: Section }[];
  users: { name: string; user: Section }[];
  contexts: { name: string; context: Section }[];
  'current-context'?: string;
}

/** The outcome of reading the files: what the connection and the lazy auth need. */
export interface Kubeconfig {
  /** The merged config: paths absolute, taken-over `token-file`s removed. */
  readonly doc: RawKubeconfig;
  /** The context in use. */
  readonly context: string;
  /** Its cluster's server URL, checked, without trailing slash. */
  readonly server: string;
  /** Users whose token is read from a file before each request: name -> absolute path. */
  readonly tokenFiles: ReadonlyMap<string, string>;
}

/** Reads and merges `files`, selects `context` (else the current one); throws KubeConnectionError. */
export function readKubeconfigs(files: readonly string[], context?: string): Kubeconfig {
  const list = files.join(delimiter);
  const doc: RawKubeconfig = { clusters: [], users: [], contexts: [] };
  const tokenFiles = new Map<string, string>();
  for (const file of files) {
    mustRead(file, 'kubeconfig');
    let one: ReturnType<typeof parseKubeconfig>;
    try {
      one = parseKubeconfig(file, readFileSync(file, 'utf8'));
    } catch (err) {
      throw new KubeConnectionError(`invalid kubeconfig ${file}: ${(err as Error).message.split('\n')[0]}`);
    }
    for (const u of one.doc.users) {
      const path = one.tokenFiles.get(u.name);
      if (path !== undefined && !doc.users.some((have) => have.name === u.name) && !tokenFiles.has(u.name)) tokenFiles.set(u.name, path);
    }
    doc.clusters = firstWins(doc.clusters, one.doc.clusters);
    doc.users = firstWins(doc.users, one.doc.users);
    doc.contexts = firstWins(doc.contexts, one.doc.contexts);
    doc['current-context'] ??= one.doc['current-context'];
  }
  if (context !== undefined && !doc.contexts.some((c) => c.name === context)) {
    throw new KubeConnectionError(`context '${context}' not found in kubeconfig ${list}`);
  }
  const name = context ?? doc['current-context'];
  if (!name) throw new KubeConnectionError(`kubeconfig ${list}: no current-context set and no context named`);
  const ctx = doc.contexts.find((c) => c.name === name);
  if (!ctx) throw new KubeConnectionError(`kubeconfig ${list}: current context '${name}' is not defined`);
  const cluster = doc.clusters.find((c) => c.name === ctx.context['cluster']);
  if (!cluster) throw new KubeConnectionError(`kubeconfig ${list}: context '${name}' has no cluster (cluster '${String(ctx.context['cluster'])}' is not defined)`);
  const server = checkServer(String(cluster.cluster['server']), 'kubeconfig server');
  if (server.startsWith('http:') && cluster.cluster['insecure-skip-tls-verify'] !== true) {
    // client-node refuses http:// unless insecure; plain HTTP has nothing to verify (kubectl proxy).
    cluster.cluster = { ...cluster.cluster, 'insecure-skip-tls-verify': true };
  }
  mustReadPath(cluster.cluster['certificate-authority'], `kubeconfig cluster '${cluster.name}' certificate-authority`);
  const user = doc.users.find((u) => u.name === ctx.context['user']);
  if (user) {
    mustReadPath(user.user['client-certificate'], `kubeconfig user '${user.name}' client-certificate`);
    mustReadPath(user.user['client-key'], `kubeconfig user '${user.name}' client-key`);
    mustReadPath(tokenFiles.get(user.name), `kubeconfig user '${user.name}' token-file`);
  }
  return { doc, context: name, server, tokenFiles };
}

/** One file's text -> its entries (checked as client-node checks them) and its `token-file` users. */
function parseKubeconfig(file: string, text: string): { doc: RawKubeconfig; tokenFiles: Map<string, string> } {
  const raw: unknown = yaml().parse(text);
  if (!isSection(raw)) throw new Error('not a kubeconfig (expected a mapping)');
  const dir = dirname(file);
  const abs = (s: Section, key: string): Section => (typeof s[key] === 'string' && s[key] ? { ...s, [key]: resolve(dir, s[key]) } : s);
  const tokenFiles = new Map<string, string>();
  const clusters = entries(raw['clusters'], 'clusters', 'cluster').map(({ name, body }, i) => {
    if (typeof body['server'] !== 'string' || !body['server']) throw new Error(`clusters[${i}].cluster.server is missing`);
    return { name, cluster: abs(body, 'certificate-authority') };
  });
  const users = entries(raw['users'], 'users', 'user', false).map(({ name, body }) => {
    let user = abs(abs(abs(body, 'client-certificate'), 'client-key'), 'token-file');
    const tokenFile = user['token-file'];
    // A user with its own exec/auth-provider plugin is left to client-node.
    if (typeof tokenFile === 'string' && tokenFile && !user['exec'] && !user['auth-provider']) {
      if (!tokenFiles.has(name)) tokenFiles.set(name, tokenFile);
      const { 'token-file': _taken, token: _ignored, ...rest } = user; // client-go: the file wins over `token`
      user = rest;
    }
    return { name, user };
  });
  const contexts = entries(raw['contexts'], 'contexts', 'context').map(({ name, body }, i) => {
    if (!body['cluster']) throw new Error(`contexts[${i}].context.cluster is missing`);
    return { name, context: body };
  });
  const current = raw['current-context'];
  return { doc: { clusters, users, contexts, ...(typeof current === 'string' && current && { 'current-context': current }) }, tokenFiles };
}

/** A named list (`clusters`, `users`, `contexts`); not a list counts as empty, as in client-node. */
function entries(list: unknown, what: string, key: string, bodyRequired = true): { name: string; body: Section }[] {
  if (!Array.isArray(list)) return [];
  return list.map((e: unknown, i) => {
    const name = isSection(e) ? e['name'] : undefined;
    if (typeof name !== 'string' || !name) throw new Error(`${what}[${i}].name is missing`);
    const body = (e as Section)[key];
    if (body != null && !isSection(body)) throw new Error(`${what}[${i}].${key} must be a mapping`);
    if (body == null && bodyRequired) throw new Error(`${what}[${i}].${key} is missing`);
    return { name, body: body ?? {} };
  });
}

function firstWins<T extends { name: string }>(have: T[], more: T[]): T[] {
  const out = [...have];
  for (const x of more) if (!out.some((h) => h.name === x.name)) out.push(x);
  return out;
}

function isSection(v: unknown): v is Section {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function mustReadPath(path: unknown, what: string): void {
  if (typeof path === 'string' && path) mustRead(path, what);
}
