/**
 * The two HTTP calls a reflector makes: one list page, and a watch stream read line by line.
 * Plain node:http(s), auth and TLS added by KubeConnection.applyTo; not client-node's Watch, which
 * swallows malformed lines (we want to see them) and would load client-node for every connection.
 */
import type * as Http from 'node:http';
import type * as Https from 'node:https';
import { http, https } from '../core/builtins.js';
import type { KubeConnection } from './config.js';

/** A non-2xx answer, or a Status in a watch ERROR event. `code` is the HTTP status (410 = Gone). */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly code: number,
    message: string,
    readonly reason = '',
    /** The server's Retry-After (429, 503), in seconds. */
    readonly retryAfterSec = 0,
  ) {
    super(message);
  }
}

/** Transport trouble: refused, reset, closed mid-stream, timed out, unparsable body. */
export class TransportError extends Error {
  override name = 'TransportError';
}

/** One page of a list. Items are raw API objects: convert and drop them. */
export interface ListPage {
  items: unknown[];
  resourceVersion: string;
  continue: string;
}

/** Query parameters; undefined values are left out. */
export type Query = Record<string, string | number | boolean | undefined>;

const MAX_ERROR_BODY = 64 * 1024;
/** One watch event can be big (an EndpointSlice of 1,000 endpoints is ~200 KB); this is a sanity cap. */
const MAX_LINE = 64 * 1024 * 1024;

/** Lists and watches one API server. */
export class ApiClient {
  constructor(
    readonly conn: KubeConnection,
    /** Idle timeout of list requests. */
    readonly listTimeoutMs = 60_000,
  ) {}

  /** GETs one list page. */
  async list(path: string, query: Query, signal: AbortSignal): Promise<ListPage> {
    const res = await this.get(path, query, signal, this.listTimeoutMs);
    const text = await readAll(res, Infinity);
    let body: { items?: unknown; metadata?: { resourceVersion?: unknown; continue?: unknown } };
    try {
      body = JSON.parse(text) as typeof body;
    } catch (err) {
      throw new TransportError(`list ${path}: malformed JSON (${(err as Error).message})`);
    }
    if (!body || typeof body !== 'object' || (body.items != null && !Array.isArray(body.items))) {
      throw new TransportError(`list ${path}: response is not a list`);
    }
    return {
      items: (body.items as unknown[] | null | undefined) ?? [],
      resourceVersion: String(body.metadata?.resourceVersion ?? ''),
      continue: String(body.metadata?.continue ?? ''),
    };
  }

  /**
   * Opens a watch and calls `onLine` for each line; `onData` on every received chunk (for a watchdog).
   * Resolves when the server ends the stream cleanly; rejects on any error or abort.
   */
  async watch(path: string, query: Query, signal: AbortSignal, onLine: (line: string) => void, onData: () => void): Promise<void> {
    const res = await this.get(path, { ...query, watch: true }, signal, 0);
    onData();
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      let ended = false;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        onData();
        buf += chunk;
        if (buf.length > MAX_LINE && buf.indexOf('\n') < 0) {
          res.destroy();
          reject(new TransportError(`watch event longer than ${MAX_LINE} bytes`));
          return;
        }
        let nl: number;
        try {
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (line) onLine(line);
          }
        } catch (err) {
          res.destroy();
          reject(err as Error);
        }
      });
      res.on('end', () => {
        ended = true;
        if (buf.trim()) {
          try {
            onLine(buf.trim());
          } catch (err) {
            reject(err as Error);
            return;
          }
        }
        resolve();
      });
      res.on('error', (err) => reject(transportError(err, signal)));
      res.on('close', () => {
        if (!ended) reject(signal.aborted ? abortError(signal) : new TransportError('watch connection closed mid-stream'));
      });
    });
  }

  private async get(path: string, query: Query, signal: AbortSignal, idleMs: number): Promise<Http.IncomingMessage> {
    if (signal.aborted) throw abortError(signal);
    const url = new URL(this.conn.server + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    const opts: Https.RequestOptions = { method: 'GET', headers: { Accept: 'application/json', 'User-Agent': 'clusterdns' } };
    await this.conn.applyTo(opts);
    const mod = url.protocol === 'https:' ? https() : http;
    const res = await new Promise<Http.IncomingMessage>((resolve, reject) => {
      const req = mod.request(url, { ...opts, signal }, resolve);
      req.on('error', (err) => reject(transportError(err, signal)));
      if (idleMs > 0) req.setTimeout(idleMs, () => req.destroy(new TransportError(`no answer from ${url.host} in ${idleMs} ms`)));
      req.end();
    });
    const status = res.statusCode ?? 0;
    if (status >= 200 && status < 300) return res;
    const text = await readAll(res, MAX_ERROR_BODY).catch(() => '');
    const err = statusError(status, text, res.statusMessage ?? '');
    const retry = Number(res.headers['retry-after']);
    throw Number.isFinite(retry) && retry > 0 ? new ApiError(err.code, err.message, err.reason, retry) : err;
  }
}

/** An ApiError from a Status object (watch ERROR event or error body). */
export function statusError(code: number, body: unknown, fallback = ''): ApiError {
  let st: { code?: unknown; message?: unknown; reason?: unknown } | undefined;
  if (typeof body === 'string') {
    try {
      st = JSON.parse(body) as typeof st;
    } catch {
      st = { message: body.slice(0, 200) };
    }
  } else if (body && typeof body === 'object') st = body as typeof st;
  const c = typeof st?.code === 'number' ? st.code : code;
  const msg = typeof st?.message === 'string' && st.message ? st.message : fallback || `HTTP ${c}`;
  return new ApiError(c, `${c} ${msg}`, typeof st?.reason === 'string' ? st.reason : '');
}

/**
 * The body as text, at most `max` characters, decoded chunk by chunk (a character split between
 * chunks is joined by the stream's decoder). Keeping the raw chunks for one Buffer.concat per list
 * page held each page twice in malloc'd memory, which stayed resident after the startup burst:
 * RSS 3 s after ready at 50k Services was 246 MiB that way, 211 MiB this way (bench/RESULTS.md).
 */
function readAll(res: Http.IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => {
      if (text.length + c.length <= max) text += c;
    });
    res.on('end', () => resolve(text));
    res.on('error', (err) => reject(new TransportError(`reading response: ${err.message}`)));
    res.on('close', () => {
      if (!res.complete) reject(new TransportError('connection closed before the response was complete'));
    });
  });
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new TransportError('aborted');
}

function transportError(err: Error, signal: AbortSignal): Error {
  if (signal.aborted) return abortError(signal);
  if (err instanceof TransportError || err instanceof ApiError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  // Node 24 suggests --use-system-ca on certificate errors; here the CA is the `tls` option's or the
  // service account's ca.crt, so that hint would point the operator the wrong way.
  const message = err.message.replace(/; if the root CA is installed locally, try running Node\.js with --use-system-ca$/, '');
  return new TransportError(code ? `${code}: ${message}` : message);
}
