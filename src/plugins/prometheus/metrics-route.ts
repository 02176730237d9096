/** The `/metrics` route: the shared registry in Prometheus text format, gzipped when the scraper asks. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { exposition } from '../../plugin/metrics.js';

const gzipAsync = promisify(gzip);

/** Serves one scrape, as promhttp does (content type from the registry; gzip on Accept-Encoding). */
export async function serveMetrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let body: Buffer;
  let contentType: string;
  try {
    // With -workers, this adds up every thread's counters (prom-client's aggregator).
    const out = await exposition();
    body = Buffer.from(out.body);
    contentType = out.contentType;
  } catch (err) {
    res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`An error has occurred while serving metrics:\n\n${(err as Error).message}\n`);
    return;
  }
  const headers: Record<string, string | number> = { 'Content-Type': contentType };
  if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
    body = await gzipAsync(body);
    headers['Content-Encoding'] = 'gzip';
  }
  headers['Content-Length'] = body.length;
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}
