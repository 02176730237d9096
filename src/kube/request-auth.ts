/**
 * Auth and TLS for the `endpoint` (+ `tls`) and in-cluster connections, built by hand: client-node
 * would do the same from a KubeConfig, but importing it costs ~85 MB of RSS (it loads every generated
 * API module), and the deployed case needs nothing more than a CA, a client pair or a bearer token.
 * The files are read before every request (a list page or a watch: rare), so a rotated service
 * account token or a renewed certificate is used at the next request, as client-go does.
 */
import { readFile } from 'node:fs/promises';
import type https from 'node:https';
import { readBearerToken } from './token-file-auth.js';

/** The files a connection authenticates with; each is optional. */
export interface AuthFiles {
  /** PEM CA bundle to verify the server with (instead of the system's). */
  readonly ca?: string;
  /** PEM client certificate and its key (`tls CERT KEY CACERT`). */
  readonly cert?: string;
  readonly key?: string;
  /** A file holding a bearer token (the service account token). */
  readonly tokenFile?: string;
}

/** Adds the files' contents to the options of one request: `ca`, `cert`, `key`, `Authorization: Bearer`. */
export async function applyAuthFiles(files: AuthFiles, opts: https.RequestOptions): Promise<void> {
  const [ca, cert, key, token] = await Promise.all([
    readPem(files.ca, 'CA certificate'),
    readPem(files.cert, 'client certificate'),
    readPem(files.key, 'client key'),
    files.tokenFile === undefined ? undefined : readBearerToken(files.tokenFile),
  ]);
  if (ca) opts.ca = ca;
  if (cert) opts.cert = cert;
  if (key) opts.key = key;
  if (token !== undefined) setHeader(opts, 'Authorization', `Bearer ${token}`);
}

async function readPem(file: string | undefined, what: string): Promise<Buffer | undefined> {
  if (file === undefined) return undefined;
  try {
    return await readFile(file);
  } catch (err) {
    throw new Error(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function setHeader(opts: https.RequestOptions, name: string, value: string): void {
  const headers = opts.headers;
  if (Array.isArray(headers)) opts.headers = [...(headers as readonly string[]), name, value];
  else opts.headers = { ...(headers as Record<string, unknown> | undefined), [name]: value } as https.RequestOptions['headers'];
}
