/**
 * The setup-time checks shared by every way of reaching the API server (endpoint, in-cluster,
 * kubeconfig): they run synchronously when the Corefile is loaded, so a typo is a config error
 * naming the file, not a reflector retrying forever.
 */
import { accessSync, constants } from 'node:fs';

/** A connection that cannot be built: bad URL, missing file, unknown context. */
export class KubeConnectionError extends Error {
  override name = 'KubeConnectionError';
}

/** Validates an API server URL (http or https, no query or fragment); returns it without trailing slashes. */
export function checkServer(text: string, what: string): string {
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

/** Throws KubeConnectionError unless `file` is readable now. */
export function mustRead(file: string, what: string): void {
  try {
    accessSync(file, constants.R_OK);
  } catch (err) {
    throw new KubeConnectionError(`${what}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
