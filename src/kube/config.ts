/**
 * The API connection from the kubernetes plugin's options, chosen as CoreDNS's getClientConfig does:
 * `kubeconfig` wins, then `endpoint` (+ `tls`), then in-cluster. Outside a cluster with neither
 * option we also try KUBECONFIG / ~/.kube/config (handy for running next to kubectl).
 * Everything is checked here, synchronously (bad URL, unreadable file, unknown context); nothing
 * talks to the network. `endpoint` and in-cluster build their TLS/token options themselves; only
 * kubeconfig loads client-node, at the first request (see kubeconfig-auth.ts for why).
 */
import { existsSync } from 'node:fs';
import type https from 'node:https';
import { isIPv6 } from 'node:net';
import { delimiter, join } from 'node:path';
import { KubeConnectionError, checkCaBundle, checkClientTls, checkServer, mustRead } from './connection-checks.js';
import { type ApplyAuth, loadKubeconfigAuth } from './kubeconfig-auth.js';
import { readKubeconfigs } from './kubeconfig-file.js';
import { applyAuthFiles } from './request-auth.js';

export { KubeConnectionError } from './connection-checks.js';

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
  /** Adds auth and TLS to one request's options; called per request, so rotated tokens are picked up. */
  applyTo(opts: https.RequestOptions): Promise<void>;
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
  if (tls) {
    for (const f of [tls.cert, tls.key, tls.ca]) mustRead(f, 'tls');
    checkClientTls(tls);
  }
  const files = tls ? { ca: tls.ca, cert: tls.cert, key: tls.key } : {};
  return { server, applyTo: (opts) => applyAuthFiles(files, opts), describe: `endpoint ${server}` };
}

/** The pod's service account: token re-read before each request, the cluster CA when present. */
export function inClusterConnection(env: InClusterEnv): KubeConnection {
  const host = isIPv6(env.host) ? `[${env.host}]` : env.host;
  const server = checkServer(`${env.scheme ?? 'https'}://${host}:${env.port}`, 'in-cluster API address');
  mustRead(env.tokenFile, 'in-cluster service account token');
  const files = { tokenFile: env.tokenFile, ...(env.caFile && existsSync(env.caFile) && { ca: env.caFile }) };
  if (files.ca) checkCaBundle(files.ca, 'in-cluster CA certificate');
  return { server, applyTo: (opts) => applyAuthFiles(files, opts), describe: 'in-cluster' };
}

/** Kubeconfig files (merged as kubectl does: the first to define a name wins) and an optional context. */
export function kubeconfigConnection(files: string[], context?: string): KubeConnection {
  const cfg = readKubeconfigs(files, context);
  let auth: Promise<ApplyAuth> | undefined;
  return {
    server: cfg.server,
    describe: `kubeconfig ${files.join(delimiter)} (context ${cfg.context})`,
    async applyTo(opts) {
      // Loaded once; a failure (say, client-node rejecting an entry) is retried at the next request.
      auth ??= loadKubeconfigAuth(cfg).catch((err: unknown) => {
        auth = undefined;
        throw err;
      });
      await (await auth)(opts);
    },
  };
}
