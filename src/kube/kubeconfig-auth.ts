/**
 * Auth and TLS for a kubeconfig connection, by client-node's KubeConfig: it brings kubectl's auth
 * providers (exec plugins, oidc, client certificates, basic auth...). It is imported here, at the
 * first request, and only for kubeconfig users: loading it costs ~85 MB of RSS, which the `endpoint`
 * and in-cluster connections (the deployed case) never pay.
 */
import type https from 'node:https';
import type { KubeConfig, User } from '@kubernetes/client-node';
import type { Kubeconfig } from './kubeconfig-file.js';
import { TOKEN_FILE_PROVIDER, TokenFileAuth } from './token-file-auth.js';

/** Adds auth and TLS to one request's options. */
export type ApplyAuth = (opts: https.RequestOptions) => Promise<void>;

/** Loads client-node and builds the KubeConfig for an already validated kubeconfig. */
export async function loadKubeconfigAuth(cfg: Kubeconfig): Promise<ApplyAuth> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromString(JSON.stringify(cfg.doc));
  kc.setCurrentContext(cfg.context);
  useTokenFiles(kc, cfg.tokenFiles);
  return (opts) => kc.applyToHTTPSOptions(opts);
}

/** Switches the named users of `kc` to a token read from their file before each request. */
function useTokenFiles(kc: KubeConfig, tokenFiles: ReadonlyMap<string, string>): void {
  if (tokenFiles.size === 0) return;
  kc.addAuthenticator(new TokenFileAuth());
  kc.users = kc.users.map((u): User => {
    const path = tokenFiles.get(u.name);
    return path === undefined ? u : { ...u, authProvider: { name: TOKEN_FILE_PROVIDER, config: { path } } };
  });
}
