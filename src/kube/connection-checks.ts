/**
 * The setup-time checks shared by every way of reaching the API server (endpoint, in-cluster,
 * kubeconfig): they run synchronously when the Corefile is loaded, so a typo is a config error
 * naming the file, not a reflector retrying forever.
 */
import { accessSync, constants, readFileSync } from 'node:fs';

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

/** `tls CERT KEY CACERT` checked when the Corefile is loaded, as client-go does when the client is made. */
export function checkClientTls(files: { cert: string; key: string; ca: string }): void {
  checkCaBundle(files.ca, 'tls: CA certificate');
  try {
    process.getBuiltinModule('node:tls').createSecureContext({ cert: readFileSync(files.cert), key: readFileSync(files.key) });
  } catch (err) {
    throw new KubeConnectionError(`tls: client certificate ${files.cert} and key ${files.key}: ${reason(err)}`);
  }
}

/** Throws unless `file` holds at least one PEM certificate and every one parses (Node's TLS would skip a bad CA silently). */
export function checkCaBundle(file: string, what: string): void {
  let text: string;
  try {
    text = readFileSync(file, 'latin1');
  } catch (err) {
    throw new KubeConnectionError(`${what}: cannot read ${file}: ${reason(err)}`);
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new KubeConnectionError(`${what} ${file}: no PEM certificate in it`);
  const { X509Certificate } = process.getBuiltinModule('node:crypto');
  blocks.forEach((pem, i) => {
    try {
      new X509Certificate(pem);
    } catch (err) {
      throw new KubeConnectionError(`${what} ${file}: certificate ${i + 1} does not parse: ${reason(err)}`);
    }
  });
}

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code && !e.message.includes(e.code) ? `${e.code}: ${e.message}` : e.message;
}
