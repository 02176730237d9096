/** Response writing and body reading shared by the request handlers. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';

/** kube-apiserver gzips responses from this size when the client accepts gzip (non-watch only). */
const GZIP_THRESHOLD = 128 * 1024;
/** kube-apiserver's request body limit. */
const MAX_BODY = 3 * 1024 * 1024;

/** Headers every apiserver response carries. */
export function baseHeaders(): Record<string, string> {
  return { 'Audit-Id': randomUUID(), 'Cache-Control': 'no-cache, private' };
}

/** Sends a JSON body with Content-Length, gzipped when large and accepted. */
export function sendJson(req: IncomingMessage, res: ServerResponse, code: number, body: unknown, gzip: boolean, extra: Record<string, string> = {}): void {
  if (res.destroyed || res.headersSent) return;
  let buf: Buffer = Buffer.from(JSON.stringify(body));
  const headers: Record<string, string> = { ...baseHeaders(), 'Content-Type': 'application/json', ...extra };
  if (gzip && buf.length >= GZIP_THRESHOLD && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
    buf = gzipSync(buf);
    headers['Content-Encoding'] = 'gzip';
  }
  headers['Content-Length'] = String(buf.length);
  res.writeHead(code, headers);
  res.end(buf);
}

/** Sends a text/plain body (the health endpoints). */
export function sendText(res: ServerResponse, code: number, text: string): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(code, { ...baseHeaders(), 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Content-Length': String(Buffer.byteLength(text)) });
  res.end(text);
}

/** Reads a request body; undefined when it is over the limit. */
export function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Resolves after ms (unref'd so a pending delay never holds the process). */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
