/**
 * The list+watch supervisor for ONE resource kind (client-go's Reflector, rewritten):
 * paginated list -> store, then watch from the list's resourceVersion; a watch that ends is resumed
 * from the last seen version; 410 Gone means relist and diff; any other trouble is logged, backed
 * off (capped, jittered) and retried, forever. A watchdog aborts watches that go silent.
 * The loop is one async function, so there is never more than one list or watch in flight.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Logger } from '../core/log.js';
import { ApiError, type ApiClient, TransportError, statusError } from './api-client.js';
import { Backoff, type BackoffOptions, sleep } from './backoff.js';
import { ConvertError, type Converter, keyOf } from './convert.js';
import type { KindStore } from './kind-store.js';
import type { Kind, KindMap } from './objects.js';
import { isObject } from './raw-fields.js';

/** Tuning and wiring of one reflector. */
export interface ReflectorOptions<K extends Kind> {
  client: ApiClient;
  /** Collection path, e.g. `/api/v1/services`. */
  path: string;
  /** For logs, client-go style: `*v1.Service`. */
  typeName: string;
  convert: Converter<K>;
  store: KindStore<K>;
  log: Logger;
  labelSelector?: string;
  fieldSelector?: string;
  /** Abort a watch that received nothing (no event, no bookmark) for this long. Default 90 s. */
  watchdogMs?: number;
  /** List page size. Default 500. */
  pageSize?: number;
  /** Server-side watch timeout is drawn from [min, 2*min) seconds, as client-go does. Default 300. */
  minWatchTimeoutSec?: number;
  backoff?: BackoffOptions;
  /** A watch that ends cleanly sooner than this, having delivered nothing, counts as a failure. Default 1 s. */
  minWatchMs?: number;
}

/** Why a watch was aborted by us. */
class WatchdogError extends Error {}

const MAX_PAGES = 100_000;

/** Keeps one kind's store in step with the API server. */
export class Reflector<K extends Kind> {
  private readonly o: Required<Omit<ReflectorOptions<K>, 'labelSelector' | 'fieldSelector' | 'backoff'>> & ReflectorOptions<K>;
  private readonly backoff: Backoff;
  private readonly stopCtl = new AbortController();
  private running?: Promise<void>;
  private rv = '';
  private goneStreak = 0;
  private syncedFlag = false;
  private resolveSynced!: () => void;
  /** Resolves once the first full list is stored. */
  readonly synced: Promise<void> = new Promise((r) => (this.resolveSynced = r));

  constructor(opts: ReflectorOptions<K>) {
    this.o = { watchdogMs: 90_000, pageSize: 500, minWatchTimeoutSec: 300, minWatchMs: 1000, ...opts };
    this.backoff = new Backoff(opts.backoff);
  }

  /** True once the first full list is stored. */
  get isSynced(): boolean {
    return this.syncedFlag;
  }

  /** The last resourceVersion seen ('' before the first list and after a 410). */
  get resourceVersion(): string {
    return this.rv;
  }

  /** Starts the loop (idempotent). */
  start(): void {
    this.running ??= this.run();
  }

  /** Aborts the current list/watch and waits for the loop to end. */
  async stop(): Promise<void> {
    this.stopCtl.abort(new Error('stopped'));
    await this.running;
  }

  private get stopped(): boolean {
    return this.stopCtl.signal.aborted;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (!this.rv) await this.relist();
        if (this.stopped) break;
        const started = Date.now();
        const delivered = await this.watchOnce();
        // A clean end is normal (timeoutSeconds); an instant empty one, repeated, would be a hot loop.
        if (!delivered && Date.now() - started < this.o.minWatchMs) await sleep(this.backoff.next(), this.stopCtl.signal);
      } catch (err) {
        if (this.stopped) break;
        await this.failed(err as Error);
      }
    }
  }

  private async failed(err: Error): Promise<void> {
    const op = this.rv ? `watch of ${this.o.typeName}` : `list of ${this.o.typeName}`;
    if (err instanceof ApiError && err.code === 410) {
      this.rv = '';
      // First 410 relists at once; back-to-back ones back off (a server that always says Gone).
      const delay = this.goneStreak++ > 0 ? this.backoff.next() : 0;
      this.o.log.info(`${op}: ${err.message} (410 Gone); relisting${delay ? ` in ${delay} ms` : ''}`);
      await sleep(delay, this.stopCtl.signal);
      return;
    }
    // Honour the server's Retry-After (429/503), within our cap: client-go does too.
    const retryAfterMs = err instanceof ApiError ? Math.min(err.retryAfterSec * 1000, this.o.backoff?.maxMs ?? 30_000) : 0;
    const delay = Math.max(this.backoff.next(), retryAfterMs);
    const why = err instanceof WatchdogError ? err.message : `failed: ${err.message}`;
    this.o.log.warn(`${op} ${why}; retrying in ${delay} ms`);
    await sleep(delay, this.stopCtl.signal);
  }

  private query(): Record<string, string | undefined> {
    return { labelSelector: this.o.labelSelector, fieldSelector: this.o.fieldSelector };
  }

  private async relist(): Promise<void> {
    const next = new Map<string, KindMap[K]>();
    let cont = '';
    let rv = '';
    for (let page = 0; page < MAX_PAGES; page++) {
      const res = await this.o.client.list(this.o.path, { ...this.query(), limit: this.o.pageSize, continue: cont }, this.stopCtl.signal);
      for (const item of res.items) {
        const obj = this.convert(item, 'list');
        if (obj) next.set(keyOf(obj), obj);
      }
      cont = res.continue;
      rv = res.resourceVersion;
      if (!cont) break;
      await yieldToLoop();
    }
    if (cont) throw new TransportError(`list of ${this.o.typeName} did not end after ${MAX_PAGES} pages`);
    if (!rv) throw new TransportError(`list of ${this.o.typeName} returned no resourceVersion`);
    const changes = await this.o.store.replace(next, this.stopCtl.signal);
    if (this.stopped) return;
    this.rv = rv;
    if (!this.syncedFlag) {
      this.syncedFlag = true;
      this.resolveSynced();
    } else {
      this.o.log.info(`relisted ${this.o.typeName}: ${next.size} objects, ${changes} changed`);
    }
  }

  /** One watch; resolves true when it delivered anything. Throws on errors, 410 included. */
  private async watchOnce(): Promise<boolean> {
    const ctl = new AbortController();
    const signal = AbortSignal.any([this.stopCtl.signal, ctl.signal]);
    const ms = this.o.watchdogMs;
    let timer: NodeJS.Timeout | undefined;
    const kick = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => ctl.abort(new WatchdogError(`received nothing for ${ms} ms; restarting it`)), ms);
    };
    let delivered = false;
    const timeoutSeconds = Math.floor(this.o.minWatchTimeoutSec * (1 + Math.random()));
    const query = { ...this.query(), resourceVersion: this.rv, allowWatchBookmarks: true, timeoutSeconds };
    kick();
    try {
      await this.o.client.watch(this.o.path, query, signal, (line) => {
        this.onLine(line);
        delivered = true;
      }, kick);
    } finally {
      clearTimeout(timer);
    }
    return delivered;
  }

  private onLine(line: string): void {
    let ev: unknown;
    try {
      ev = JSON.parse(line);
    } catch {
      throw new TransportError(`malformed watch event: ${line.slice(0, 120)}`);
    }
    if (!isObject(ev) || typeof ev.type !== 'string' || !isObject(ev.object)) {
      throw new TransportError(`malformed watch event: ${line.slice(0, 120)}`);
    }
    const raw = ev.object;
    if (ev.type === 'ERROR') throw statusError(500, raw);
    const meta = isObject(raw.metadata) ? raw.metadata : {};
    const rv = typeof meta.resourceVersion === 'string' ? meta.resourceVersion : '';
    switch (ev.type) {
      case 'ADDED':
      case 'MODIFIED': {
        const obj = this.convert(raw, 'watch');
        if (obj) this.o.store.upsert(obj);
        break;
      }
      case 'DELETED': {
        const name = typeof meta.name === 'string' ? meta.name : '';
        const ns = typeof meta.namespace === 'string' ? meta.namespace : '';
        this.o.store.delete(keyOf({ namespace: ns, name }), this.convert(raw, 'watch'));
        break;
      }
      case 'BOOKMARK':
        break;
      default:
        throw new TransportError(`unknown watch event type '${ev.type}'`);
    }
    if (rv) this.rv = rv;
    // A healthy event stream: the next 410 may relist at once again.
    this.goneStreak = 0;
  }

  private convert(raw: unknown, from: string): KindMap[K] | undefined {
    try {
      return this.o.convert(raw);
    } catch (err) {
      if (!(err instanceof ConvertError)) throw err;
      // Skipped, not retried: the same object would fail again and stall the stream.
      this.o.log.warn(`${from} of ${this.o.typeName}: skipping object: ${err.message}`);
      return undefined;
    }
  }
}
