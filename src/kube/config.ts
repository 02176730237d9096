/**
 * The API connection from the kubernetes plugin's options, chosen as CoreDNS's getClientConfig does:
 * `kubeconfig` wins, then `endpoint` (+ `tls`), then in-cluster. Outside a cluster with neither
 * option we also try KUBECONFIG / ~/.kube/config (handy for running next to kubectl).
 * client-node's KubeConfig does the auth and TLS; nothing here talks to the network.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { loadKubeconfigFile, useTokenFiles } from './kubeconfig-file.js';
import { TokenFileAuth, tokenFileUser } from './token-file-auth.js';

/** The connection-related options of the kubernetes plugin block. */
export interface ApiConnectionOptions {
  /** `endpoint URL` (only the first URL counts, as in CoreDNS). http:// is allowed. */
  endpoint?: string;
  /** `tls CERT KEY CACERT`: client certificate, key and CA for `endpoint`. */
  tls?: { cert: string; key: string; ca: string };
  /** `kubeconfig FILE [CONTEXT]`. */
  kubeconfig?: { file: string; context?: string };
}

/** Where and how to reach the API server. */
export interface KubeConnection {
  /** Base URL, no trailing slash. */
  readonly server: string;
  /** Auth and TLS material (applied per request, so rotated tokens are picked up). */
  readonly kubeConfig: KubeConfig;
  /** For logs: `endpoint https://...`, `in-cluster`, `kubeconfig FILE (context X)`. */
  readonly describe: string;
}

/** The pieces of the in-cluster environment (overridable in tests). */
export interface InClusterEnv {
  host: string;
  port: string;
  tokenFile: string;
  caFile?: string;
  /** client-go always uses https; tests against a plain-HTTP simulator pass 'http'. */
  scheme?: 'https' | 'http';
}

/** A connection that cannot be built: bad URL, missing file, unknown context. */
export class KubeConnectionError extends Error {
  override name = 'KubeConnectionError';
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Resolves the options (and the environment) into a connection, or throws KubeConnectionError. */
export function resolveConnection(opts: ApiConnectionOptions, env: NodeJS.ProcessEnv = process.env): KubeConnection {
  if (opts.kubeconfig) return kubeconfigConnection([opts.kubeconfig.file], opts.kubeconfig.context);
  if (opts.endpoint) return endpointConnection(opts.endpoint, opts.tls);
  if (env.KUBERNETES_SERVICE_HOST) {
    const port = env.KUBERNETES_SERVICE_PORT;
    if (!port) throw new KubeConnectionError('KUBERNETES_SERVICE_HOST is set but KUBERNETES_SERVICE_PORT is not');
    return inClusterConnection({ host: env.KUBERNETES_SERVICE_HOST, port, tokenFile: `${SA_DIR}/token`, caFile: `${SA_DIR}/ca.crt` });
  }
  const files = env.KUBECONFIG ? env.KUBECONFIG.split(delimiter).filter(Boolean) : [];
  if (!files.length && env.HOME && existsSync(join(env.HOME, '.kube', 'config'))) files.push(join(env.HOME, '.kube', 'config'));
  if (!files.length) {
    throw new KubeConnectionError('no Kubernetes API to connect to: not in a cluster (KUBERNETES_SERVICE_HOST unset), no endpoint, no kubeconfig');
  }
  return kubeconfigConnection(files);
}

/** `endpoint URL` with optional client TLS. */
export function endpointConnection(endpoint: string, tls?: ApiConnectionOptions['tls']): KubeConnection {
  const server = checkServer(endpoint, 'endpoint');
  if (tls) for (const f of [tls.cert, tls.key, tls.ca]) mustRead(f, 'tls');
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser(
    { name: 'endpoint', server, skipTLSVerify: server.startsWith('http:'), ...(tls ? { caFile: tls.ca } : {}) },
    { name: 'endpoint', ...(tls ? { certFile: tls.cert, keyFile: tls.key } : {}) },
  );
  return { server, kubeConfig: kc, describe: `endpoint ${server}` };
}

/** The pod's service account: token re-read before each request, the cluster CA when present. */
export function inClusterConnection(env: InClusterEnv): KubeConnection {
  const host = isIPv6(env.host) ? `[${env.host}]` : env.host;
  const server = checkServer(`${env.scheme ?? 'https'}://${host}:${env.port}`, 'in-cluster API address');
  mustRead(env.tokenFile, 'in-cluster service account token');
  const ca = env.caFile && existsSync(env.caFile) ? { caFile: env.caFile } : {};
  const kc = new KubeConfig();
  kc.addAuthenticator(new TokenFileAuth());
  kc.loadFromClusterAndUser(
    { name: 'in-cluster', server, skipTLSVerify: server.startsWith('http:'), ...ca },
    tokenFileUser('in-cluster', env.tokenFile),
  );
  return { server, kubeConfig: kc, describe: 'in-cluster' };
}

/** Kubeconfig files (merged as kubectl does: the first to define a name wins) and an optional context. */
export function kubeconfigConnection(files: string[], context?: string): KubeConnection {
  const kc = new KubeConfig();
  const tokenFiles = new Map<string, string>();
  files.forEach((file, i) => {
    mustRead(file, 'kubeconfig');
    try {
      const known = new Set(kc.users.map((u) => u.name));
      const fromFile = i === 0 ? loadKubeconfigFile(kc, file) : mergeFirstWins(kc, file);
      for (const [user, path] of fromFile) if (!known.has(user)) tokenFiles.set(user, path);
    } catch (err) {
      throw new KubeConnectionError(`invalid kubeconfig ${file}: ${(err as Error).message}`);
    }
  });
  if (context !== undefined) {
    if (!kc.getContextObject(context)) throw new KubeConnectionError(`context '${context}' not found in kubeconfig ${files.join(delimiter)}`);
    kc.setCurrentContext(context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new KubeConnectionError(`kubeconfig ${files.join(delimiter)}: current context '${kc.getCurrentContext()}' has no cluster`);
  const server = checkServer(cluster.server, 'kubeconfig server');
  if (server.startsWith('http:') && !cluster.skipTLSVerify) {
    // client-node refuses http:// unless skipTLSVerify; plain HTTP has nothing to verify (kubectl proxy).
    kc.clusters = kc.clusters.map((c) => (c === cluster ? { ...c, skipTLSVerify: true } : c));
  }
  const user = kc.getCurrentUser()?.name;
  const tokenFile = user === undefined ? undefined : tokenFiles.get(user);
  if (tokenFile !== undefined) mustRead(tokenFile, `kubeconfig user '${user}' token-file`);
  useTokenFiles(kc, tokenFiles);
  const ctx = context ?? kc.getCurrentContext();
  return { server, kubeConfig: kc, describe: `kubeconfig ${files.join(delimiter)} (context ${ctx})` };
}

function mergeFirstWins(kc: KubeConfig, file: string): Map<string, string> {
  // client-node's mergeConfig throws on a duplicate name; kubectl keeps the first definition.
  const more = new KubeConfig();
  const tokenFiles = loadKubeconfigFile(more, file);
  const add = <T extends { name: string }>(have: T[], extra: T[]): T[] => [...have, ...extra.filter((x) => !have.some((h) => h.name === x.name))];
  kc.clusters = add(kc.clusters, more.clusters);
  kc.users = add(kc.users, more.users);
  kc.contexts = add(kc.contexts, more.contexts);
  if (!kc.currentContext) kc.currentContext = more.currentContext;
  return tokenFiles;
}

function checkServer(text: string, what: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new KubeConnectionError(`${what}: invalid URL '${text}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new KubeConnectionError(`${what}: URL scheme must be http or https, got '${url.protocol}' in '${text}'`);
  }
  if (url.search || url.hash) throw new KubeConnectionError(`${what}: URL must not have a query or fragment: '${text}'`);
  return url.toString().replace(/\/+$/, '');
}

function mustRead(file: string, what: string): void {
  try {
    accessSync(file, constants.R_OK);
  } catch (err) {
    throw new KubeConnectionError(`${what}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
