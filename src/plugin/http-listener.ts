/** An HTTP side server (health, ready, metrics) that outlives reloads: routes can be swapped in place. */
import type * as Http from 'node:http';
import { http } from '../core/builtins.js';
import type { Closable } from './setup.js';

/** Splits `:8080`, `localhost:8091`, `[::1]:8080` into host ('' = all interfaces) and port. */
export function splitHostPort(addr: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:\s]*)):(\d{1,5})$/.exec(addr);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  return { host: m[1] ?? m[2] ?? '', port };
}

/** A request handler for one path. */
export type Route = (req: Http.IncomingMessage, res: Http.ServerResponse) => void | Promise<void>;

/** An HTTP server on one address. `listening` rejects with the bind error. */
export class HttpListener implements Closable {
  readonly routes = new Map<string, Route>();
  readonly listening: Promise<void>;
  private readonly server: Http.Server;

  constructor(readonly address: string) {
    const hp = splitHostPort(address);
    if (!hp) throw new Error(`invalid address '${address}'`);
    this.server = http.createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      const route = this.routes.get(path);
      if (!route) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
        return;
      }
      Promise.resolve(route(req, res)).catch((err: Error) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`${err.message}\n`);
      });
    });
    this.server.keepAliveTimeout = 5000;
    this.listening = new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: hp.host || undefined, port: hp.port }, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    // A rejected `listening` with nobody awaiting yet must not crash the process.
    this.listening.catch(() => {});
  }

  /** The bound port (for `:0` in tests). */
  get port(): number {
    const a = this.server.address();
    return a && typeof a === 'object' ? a.port : 0;
  }

  /** Stops listening and drops open connections. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
