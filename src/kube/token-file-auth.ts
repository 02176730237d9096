/**
 * A bearer token read from a file before every request. The kubelet rotates projected service
 * account tokens in place; client-node's own FileAuth re-reads only every 60 s, so after a rotation
 * the API server would answer 401 for up to a minute. Reading a tiny file once per list/watch is cheap.
 */
import { readFile } from 'node:fs/promises';
import type { User } from '@kubernetes/client-node';

/** The auth-provider name that selects TokenFileAuth in a client-node KubeConfig user. */
export const TOKEN_FILE_PROVIDER = 'clusterdns-token-file';

interface HeaderOptions {
  headers?: Record<string, unknown> | unknown;
}

/** Reads the token in `path` now (trimmed); throws a clear Error when it is missing or empty. */
export async function readBearerToken(path: string): Promise<string> {
  let token: string;
  try {
    token = (await readFile(path, 'utf8')).trim();
  } catch (err) {
    throw new Error(`cannot read service account token ${path}: ${(err as Error).message}`);
  }
  if (!token) throw new Error(`service account token file ${path} is empty`);
  return token;
}

/**
 * A client-node authenticator (structural: the interface is not exported) for `TOKEN_FILE_PROVIDER`
 * users, so kubeconfig users with a `token-file` get the same live token. Only the type of client-node
 * is used here: this file does not load it.
 */
export class TokenFileAuth {
  isAuthProvider(user: User): boolean {
    return (user.authProvider as { name?: string } | undefined)?.name === TOKEN_FILE_PROVIDER;
  }

  async applyAuthentication(user: User, opts: HeaderOptions): Promise<void> {
    const path = (user.authProvider as { config?: { path?: string } }).config?.path;
    if (!path) throw new Error('token file authenticator: no path configured');
    const token = await readBearerToken(path);
    const headers = (opts.headers ??= {}) as Record<string, string>;
    headers['Authorization'] = `Bearer ${token}`;
  }
}
