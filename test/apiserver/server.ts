/**
 * A Kubernetes API server simulator for tests and benchmarks: list/watch of namespaces, services,
 * endpoints, pods and endpointslices over real HTTP or HTTPS (optionally with client certificates),
 * with the protocol details clients depend on (resourceVersions, continue tokens, 410 Gone, bookmarks,
 * selectors, Status errors) and fault injection.
 * What is and is not faithful: README.md in this folder.
 */
import { X509Certificate } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { parseAllDocuments } from 'yaml';
import { bootstrapObjects } from './bootstrap.ts';
import { ValidationError } from './defaults.ts';
import { discoveryDoc } from './discovery.ts';
import { type Faults, FaultState } from './faults.ts';
import { delay, sendJson, sendText } from './http-util.ts';
import { parseListOptions } from './list-options.ts';
import { serveList } from './list.ts';
import { resourceByKind, objectKey } from './resources.ts';
import { parseResourcePath } from './routes.ts';
import { type Status, failure, notFound, unknownPath } from './status.ts';
import { Store, requireResource } from './store.ts';
import { serveWatch, type WatchConfig } from './watch-handler.ts';
import { serveWrite } from './write-handler.ts';
import type { Watcher } from './watch.ts';

export type { Faults } from './faults.ts';

/** Options of startApiServer. */
export interface ApiServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /**
   * When set, every request needs `Authorization: Bearer <token>` (or, with `tls.ca`, a client
   * certificate signed by that CA), else 401.
   */
  token?: string;
  /**
   * Serve HTTPS with this serving key pair (PEM contents) instead of HTTP; `url` is then https://.
   * With `ca` (PEM, one or more CAs), as kube-apiserver's --client-ca-file: clients are asked for a
   * certificate, and a request authenticates with one issued by `ca`, or else with the bearer
   * `token`; a request with neither gets 401. A missing or unverifiable client certificate does not
   * fail the handshake (kube-apiserver uses tls.RequestClientCert and verifies in its x509
   * authenticator). The server sends `cert` as given (the leaf, plus whatever chain the PEM holds),
   * as Go's TLS does.
   */
  tls?: { key: string; cert: string; ca?: string };
  /** Events kept per resource for watch resume and consistent pages; older RVs get 410. Default 10000. */
  historyLimit?: number;
  /** Interval of BOOKMARK events for watches with allowWatchBookmarks. Default 1000 ms. */
  bookmarkIntervalMs?: number;
  /** Server-side end of watches that set no timeoutSeconds (the real server uses 30-60 min). Default 0 = never. */
  watchTimeoutSeconds?: number;
  /** How long a request for a future resourceVersion waits before 504 "Too large resource version". Default 3000. */
  tooLargeWaitMs?: number;
  /** gitVersion reported at /version. Default v1.33.0. */
  version?: string;
  /** Create what a fresh cluster has (default, kube-system, kube-public, kube-node-lease, the `kubernetes` service). Default false. */
  bootstrap?: boolean;
}

/** One served request, for assertions. */
export interface RequestRecord {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  /** How the request authenticated, when auth is on and it did: a verified client certificate or the bearer token. */
  auth?: 'certificate' | 'token';
}

/** Counters for assertions. */
export interface ApiServerStats {
  /** LIST requests (collection GETs without watch). */
  lists: number;
  /** WATCH requests. */
  watches: number;
  /** Watches open right now. */
  openWatches: number;
  /** The last 10000 requests, oldest first (status is the response code, recorded when headers are sent). */
  requests: RequestRecord[];
}

/** A running simulator. */
export interface ApiServer {
  /** http://127.0.0.1:PORT, or https://127.0.0.1:PORT with the `tls` option. */
  readonly url: string;
  /** Creates or updates an object (by kind/namespace/name), emitting ADDED/MODIFIED; returns the stored copy. Throws on invalid objects. */
  apply(obj: any): any;
  /** Deletes an object, emitting DELETED; false when it did not exist. */
  remove(kind: string, namespace: string | undefined, name: string): boolean;
  /** Applies every document of a multi-document YAML (List kinds are expanded). */
  load(yamlText: string, opts?: { ignoreUnknownKinds?: boolean }): void;
  /** A copy of a stored object. */
  get(kind: string, namespace: string | undefined, name: string): any | undefined;
  /** The current global resourceVersion. */
  readonly resourceVersion: string;
  /** Changes the accepted bearer token (undefined = no token auth; client certificates still count with `tls.ca`). */
  setToken(token: string | undefined): void;
  readonly faults: Faults;
  readonly stats: ApiServerStats;
  /** Ends all watches and stops the server. */
  close(): Promise<void>;
}

const MAX_RECORDS = 10_000;

class Simulator implements ApiServer {
  url = '';
  readonly stats: ApiServerStats = { lists: 0, watches: 0, openWatches: 0, requests: [] };
  readonly faults: FaultState;
  private readonly store: Store;
  private readonly server: http.Server | https.Server;
  private readonly sockets = new Set<Socket>();
  private readonly watchers = new Set<Watcher>();
  private readonly watchConfig: WatchConfig;
  private token: string | undefined;
  private port: number;
  private readonly host: string;
  private isDown = false;
  private closed = false;
  private upTimer: NodeJS.Timeout | undefined;
  private generation = 0;

  private readonly opts: ApiServerOptions;
  /** tls.ca, parsed; undefined when client certificates are not asked for. */
  private readonly clientCAs: X509Certificate[] | undefined;
  /** Per TLS connection: did its client certificate verify (checked once, at its first request). */
  private readonly certVerdicts = new WeakMap<TLSSocket, boolean>();

  constructor(opts: ApiServerOptions) {
    this.opts = opts;
    this.token = opts.token;
    this.port = opts.port ?? 0;
    this.host = opts.host ?? '127.0.0.1';
    this.store = new Store(opts.historyLimit ?? 10_000);
    this.faults = new FaultState({
      dropWatches: (mode) => [...this.watchers].forEach((w) => (mode === 'reset' ? w.reset() : w.end())),
      expire: () => this.store.expire(),
      goDown: (ms) => this.goDown(ms),
      comeUp: () => void this.comeUp(),
      stickAll: () => this.watchers.forEach((w) => (w.stuck = true)),
    });
    this.watchConfig = {
      store: this.store,
      faults: this.faults,
      bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 1000,
      watchTimeoutSeconds: opts.watchTimeoutSeconds ?? 0,
      tooLargeWaitMs: opts.tooLargeWaitMs ?? 3000,
      opened: (w) => {
        this.watchers.add(w);
        this.stats.openWatches = this.watchers.size;
      },
      closed: (w) => {
        this.watchers.delete(w);
        this.stats.openWatches = this.watchers.size;
      },
    };
    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) sendJson(req, res, 500, failure(500, `simulator bug: ${(err as Error)?.stack ?? String(err)}`), false);
        else res.destroy();
      });
    };
    const tls = opts.tls;
    this.clientCAs = tls?.ca !== undefined ? parseCertificates(tls.ca) : undefined;
    if (this.clientCAs?.length === 0) throw new Error('tls.ca: no PEM certificate in it');
    // requestCert without rejectUnauthorized: the handshake succeeds with no or a bad certificate, and
    // the certificate is checked per request, so a token can still authenticate (RequestClientCert).
    // The CA is deliberately not given to Node: OpenSSL would then append it to the chain the server
    // sends (auto-chain from the verify store), which Go's TLS never does, and a client trusting another
    // CA would see "self-signed certificate in certificate chain" instead of what a real API server gets.
    this.server = tls
      ? https.createServer({ key: tls.key, cert: tls.cert, ...(this.clientCAs && { requestCert: true, rejectUnauthorized: false }) }, onRequest)
      : http.createServer(onRequest);
    this.server.keepAliveTimeout = 60_000;
    // The raw TCP socket, also under TLS (destroying it ends the TLS connection on top).
    this.server.on('connection', (s: Socket) => {
      if (this.isDown || this.closed) return void s.destroy();
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  /** The bound port. */
  get listeningPort(): number {
    return this.port;
  }

  get resourceVersion(): string {
    return String(this.store.rv);
  }

  /** Binds the port (the first time, learning it when 0 was asked). */
  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        this.server.off('listening', onListening);
        reject(err);
      };
      const onListening = (): void => {
        this.server.off('error', onError);
        resolve();
      };
      this.server.once('error', onError);
      this.server.once('listening', onListening);
      this.server.listen(this.port, this.host);
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `${this.opts.tls ? 'https' : 'http'}://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  apply(obj: any): any {
    return structuredClone(this.store.apply(obj).obj);
  }

  remove(kind: string, namespace: string | undefined, name: string): boolean {
    return this.store.remove(requireResource(kind), namespace, name) !== undefined;
  }

  load(yamlText: string, opts: { ignoreUnknownKinds?: boolean } = {}): void {
    let n = 0;
    for (const doc of parseAllDocuments(yamlText)) {
      n++;
      if (doc.errors.length > 0) throw new Error(`load: document ${n}: ${doc.errors[0]!.message}`);
      const value = doc.toJS() as any;
      if (value === null || value === undefined) continue;
      const items: any[] = typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items) ? value.items : [value];
      for (const item of items) {
        if (opts.ignoreUnknownKinds && !resourceByKind(String(item?.kind ?? ''))) continue;
        try {
          this.store.apply(item);
        } catch (err) {
          throw new Error(`load: document ${n}: ${(err as Error).message}`);
        }
      }
    }
  }

  get(kind: string, namespace: string | undefined, name: string): any | undefined {
    const def = requireResource(kind);
    const obj = this.store.of(def).items.get(objectKey(def, def.namespaced ? (namespace ?? 'default') : undefined, name));
    return obj === undefined ? undefined : structuredClone(obj);
  }

  setToken(token: string | undefined): void {
    this.token = token;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.upTimer);
    for (const w of [...this.watchers]) w.end();
    for (const s of this.sockets) s.destroy();
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private goDown(ms: number): void {
    if (this.closed) return;
    clearTimeout(this.upTimer);
    this.generation++;
    if (!this.isDown) {
      this.isDown = true;
      if (this.server.listening) this.server.close();
      for (const s of this.sockets) s.destroy();
    }
    this.upTimer = setTimeout(() => void this.comeUp(), ms);
  }

  private async comeUp(): Promise<void> {
    if (!this.isDown || this.closed) return;
    clearTimeout(this.upTimer);
    const gen = ++this.generation;
    this.isDown = false;
    // The port was ours a moment ago; retry briefly in case the kernel has not released it yet.
    for (let attempt = 0; attempt < 100 && gen === this.generation && !this.closed; attempt++) {
      try {
        await this.listen();
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
        await delay(50);
      }
    }
  }

  /** How the request authenticates: 'none' when auth is off, undefined when it fails (401). */
  private authenticate(req: http.IncomingMessage): RequestRecord['auth'] | 'none' | undefined {
    if (this.token === undefined && this.clientCAs === undefined) return 'none';
    // kube-apiserver's union authenticator: the x509 one first, then the bearer token.
    if (this.clientCAs !== undefined && this.clientCertVerified(req.socket as TLSSocket)) return 'certificate';
    if (this.token === undefined) return undefined;
    const m = /^bearer\s+(\S+)\s*$/i.exec(String(req.headers.authorization ?? ''));
    return m !== null && m[1] === this.token ? 'token' : undefined;
  }

  /**
   * What kube-apiserver's x509 authenticator checks of the client's certificate: issued and signed by
   * one of the client CAs (directly: intermediates are not followed), within its validity, and usable
   * for client auth (an extendedKeyUsage, when present, must allow clientAuth). The TLS handshake has
   * already proved the client holds its key (CertificateVerify).
   */
  private clientCertVerified(socket: TLSSocket): boolean {
    let ok = this.certVerdicts.get(socket);
    if (ok === undefined) {
      ok = verifyClientCert(socket.getPeerX509Certificate?.(), this.clientCAs ?? []);
      this.certVerdicts.set(socket, ok);
    }
    return ok;
  }

  private record(req: http.IncomingMessage, res: http.ServerResponse, url: URL): RequestRecord {
    const rec: RequestRecord = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), status: 0 };
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => http.ServerResponse;
    res.writeHead = ((...args: unknown[]) => {
      if (rec.status === 0) {
        rec.status = Number(args[0]);
        this.stats.requests.push(rec);
        if (this.stats.requests.length > MAX_RECORDS) this.stats.requests.shift();
      }
      return writeHead(...args);
    }) as typeof res.writeHead;
    return rec;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    const rec = this.record(req, res, url);
    const send = (st: Status, extra?: Record<string, string>): void => sendJson(req, res, st.code ?? 200, st, true, extra);
    if (this.faults.slowMs > 0) {
      await delay(this.faults.slowMs);
      if (res.destroyed) return;
    }
    const fail = this.faults.takeFailure();
    if (fail !== undefined) return send(failure(fail), fail === 429 || fail === 503 ? { 'Retry-After': '1' } : {});
    const auth = this.authenticate(req);
    if (auth === undefined) return send(failure(401));
    if (auth !== 'none') rec.auth = auth;
    const method = req.method ?? 'GET';
    const path = url.pathname;
    if (path === '/healthz' || path === '/livez' || path === '/readyz') return sendText(res, 200, 'ok');
    const doc = discoveryDoc(path, `${this.host}:${this.port}`, this.opts.version ?? 'v1.33.0');
    if (doc !== undefined) return method === 'GET' ? sendJson(req, res, 200, doc, true) : send(failure(405, 'the server does not allow this method on the requested resource'));
    const route = parseResourcePath(path);
    if (!route) return send(unknownPath());
    if (method !== 'GET') return serveWrite(req, res, this.store, route, method);
    const o = parseListOptions(url.searchParams, route.watchPrefix);
    if ('kind' in o) return send(o);
    if (o.watch) {
      this.stats.watches++;
      return serveWatch(req, res, route, o, this.watchConfig);
    }
    if (route.name !== undefined) {
      const obj = this.store.of(route.def).items.get(objectKey(route.def, route.namespace, route.name));
      if (obj === undefined) return send(notFound(route.def.resource, route.def.group, route.name));
      return sendJson(req, res, 200, obj, true);
    }
    this.stats.lists++;
    const reply = await serveList(this.store, route.def, route.namespace, o, this.opts.tooLargeWaitMs ?? 3000);
    return sendJson(req, res, reply.code, reply.body, true);
  }
}

/** Every certificate of a PEM bundle. */
function parseCertificates(pem: string): X509Certificate[] {
  return (pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []).map((block) => new X509Certificate(block));
}

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_USAGE = '2.5.29.37.0';

function verifyClientCert(peer: X509Certificate | undefined, cas: X509Certificate[]): boolean {
  if (peer === undefined) return false;
  const now = Date.now();
  if (now < peer.validFromDate.getTime() || now > peer.validToDate.getTime()) return false;
  const usages = peer.keyUsage; // the extendedKeyUsage OIDs; undefined without the extension
  if (usages !== undefined && !usages.includes(CLIENT_AUTH) && !usages.includes(ANY_USAGE)) return false;
  return cas.some((ca) => peer.checkIssued(ca) && peer.verify(ca.publicKey));
}

/** Starts a simulator; resolves once it accepts connections. */
export async function startApiServer(opts: ApiServerOptions = {}): Promise<ApiServer> {
  const sim = new Simulator(opts);
  await sim.listen();
  if (opts.bootstrap) for (const obj of bootstrapObjects(opts.host ?? '127.0.0.1', sim.listeningPort)) sim.apply(obj);
  return sim;
}

export { ValidationError };
