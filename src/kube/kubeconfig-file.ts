/**
 * Loads one kubeconfig file into a client-node KubeConfig, keeping kubectl's `token-file` live.
 * client-node reads a user's `token-file` once, when the file is loaded (and relative to the
 * process's cwd), so a rotated token would be sent stale forever; client-go re-reads it. We take
 * such users over: the path is resolved against the kubeconfig's folder, as kubectl does, and the
 * token is read before every request by TokenFileAuth (the in-cluster authenticator).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { KubeConfig, User } from '@kubernetes/client-node';
import YAML from 'yaml';
import { TOKEN_FILE_PROVIDER, TokenFileAuth } from './token-file-auth.js';

type RawUser = { name?: unknown; user?: Record<string, unknown> | null };

/**
 * Loads `file` into `kc` (replacing its clusters, users and contexts, as `loadFromFile` does) and
 * returns the users whose token comes from a file: name -> absolute token path. Throws on a file
 * that is not a kubeconfig (the caller words the error).
 */
export function loadKubeconfigFile(kc: KubeConfig, file: string): Map<string, string> {
  const text = readFileSync(file, 'utf8');
  const doc = YAML.parse(text) as { users?: RawUser[] } | null;
  const tokenFiles = new Map<string, string>();
  for (const u of Array.isArray(doc?.users) ? doc.users : []) {
    const tokenFile = u?.user?.['token-file'];
    // A user with its own exec/auth-provider plugin is left to client-node.
    if (typeof u?.name !== 'string' || typeof tokenFile !== 'string' || u.user!['exec'] || u.user!['auth-provider']) continue;
    tokenFiles.set(u.name, resolve(dirname(file), tokenFile));
    delete u.user!['token-file'];
  }
  kc.loadFromString(tokenFiles.size ? JSON.stringify(doc) : text);
  kc.makePathsAbsolute(dirname(file));
  return tokenFiles;
}

/** Switches the named users of `kc` to a token read from their file before each request. */
export function useTokenFiles(kc: KubeConfig, tokenFiles: ReadonlyMap<string, string>): void {
  if (tokenFiles.size === 0) return;
  kc.addAuthenticator(new TokenFileAuth());
  kc.users = kc.users.map((u): User => {
    const path = tokenFiles.get(u.name);
    if (path === undefined) return u;
    // client-go: the file's token wins over a `token` set beside it.
    const { token: _ignored, ...rest } = u;
    return { ...rest, authProvider: { name: TOKEN_FILE_PROVIDER, config: { path } } };
  });
}
