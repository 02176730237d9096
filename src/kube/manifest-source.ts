/**
 * A ClusterSource read from Kubernetes manifests on disk (a multi-document file or a directory):
 * DNS for a cluster snapshot without an API server (tests, demos, air-gapped setups).
 * Re-read on change (fs.watch, debounced) and on a poll timer (fs.watch misses edits on some
 * filesystems and mounts); only files whose stamp changed are parsed again. A file that fails to
 * parse keeps its last good objects, so one bad edit never empties the zone.
 */
import { type FSWatcher, statSync, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type Logger, pluginLog } from '../core/log.js';
import { ChangeFeed } from './change-feed.js';
import { keyOf } from './convert.js';
import { listManifestFiles } from './manifest-files.js';
import { parseLabelSelector } from './label-selector.js';
import { type ManifestObject, parseManifest } from './manifest-parse.js';
import type { Kind, KindMap } from './objects.js';
import type { ClusterEvent, ClusterSnapshot, ClusterSource } from './source.js';

/** Where the manifests are and how often to look. */
export interface ManifestSourceOptions {
  /** A file or a directory. */
  path: string;
  /** Wait this long after a change event before reading (editors write in several steps). Default 100 ms. */
  debounceMs?: number;
  /** Re-scan this often even without change events. Default 5 s; 0 disables. */
  pollMs?: number;
  /** Use fs.watch (default true; false leaves only the poll). */
  watch?: boolean;
  log?: Logger;
  /** The `labels` selector: Services, EndpointSlices and Pods that do not match are left out (as the API would). */
  labelSelector?: string;
  /** The `namespace_labels` selector: Namespaces that do not match are left out. */
  namespaceLabelSelector?: string;
  /** Keep endpoints' pod names (`endpoint_pod_names`); default true. */
  podNames?: boolean;
}

/** A filter on raw objects by the selectors, as an API server applies them to a list. */
function selectorFilter(opts: ManifestSourceOptions): (kind: Kind, raw: unknown) => boolean {
  const objects = opts.labelSelector ? parseLabelSelector(opts.labelSelector) : undefined;
  const namespaces = opts.namespaceLabelSelector ? parseLabelSelector(opts.namespaceLabelSelector) : undefined;
  return (kind, raw) => {
    // As the pod field selector ApiSource sends (status.phase!=Succeeded,Failed,Unknown).
    if (kind === 'Pod') {
      const phase = (raw as { status?: { phase?: string } }).status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed' || phase === 'Unknown') return false;
    }
    const labels = ((raw as { metadata?: { labels?: Record<string, string> } }).metadata?.labels ?? {}) as Record<string, string>;
    const sel = kind === 'Namespace' ? namespaces : objects;
    return sel ? sel.matches(labels) : true;
  };
}

interface FileState {
  stamp: string;
  /** The file's last good objects. */
  objects: ManifestObject[];
}

/** A ClusterSource backed by manifest files. */
export class ManifestSource implements ClusterSource {
  private readonly files = new Map<string, FileState>();
  private readonly feed: ChangeFeed;
  private readonly log: Logger;
  private syncedFlag = false;
  private resolveSynced!: () => void;
  private readonly syncedPromise = new Promise<void>((r) => (this.resolveSynced = r));
  private watcher?: FSWatcher;
  private debounce?: NodeJS.Timeout;
  private poll?: NodeJS.Timeout;
  private reading?: Promise<void>;
  private again = false;
  private started = false;
  private watchFailed = false;
  private stopped = false;
  private lastScanError = '';

  private readonly keep: (kind: Kind, raw: unknown) => boolean;

  constructor(private readonly opts: ManifestSourceOptions) {
    this.keep = selectorFilter(opts);
    this.log = opts.log ?? pluginLog('kubernetes');
    this.feed = new ChangeFeed(this.log);
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.trigger();
    const pollMs = this.opts.pollMs ?? 5000;
    if (pollMs > 0) {
      this.poll = setInterval(() => this.trigger(), pollMs);
      this.poll.unref();
    }
  }

  private watchPath(): void {
    try {
      // A single file is watched through its directory: editors and ConfigMap updates replace it.
      const dir = statSync(this.opts.path).isDirectory();
      const target = dir ? this.opts.path : dirname(this.opts.path);
      this.watcher = watch(target, { recursive: dir, persistent: false }, () => this.schedule());
      this.watcher.on('error', (err) => {
        this.log.warn(`manifests: watching ${this.opts.path} failed (${err.message}); polling until it can be watched again`);
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch (err) {
      // A missing path is reported by the read; the watch is set up once it exists.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.watchFailed = true;
        this.log.warn(`manifests: cannot watch ${this.opts.path} (${(err as Error).message}); polling only`);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.close();
    clearTimeout(this.debounce);
    clearInterval(this.poll);
    await this.reading;
  }

  get synced(): boolean {
    return this.syncedFlag;
  }

  whenSynced(): Promise<void> {
    return this.syncedPromise;
  }

  snapshot(): ClusterSnapshot {
    return this.feed.snapshot();
  }

  subscribe(listener: (ev: ClusterEvent) => void): () => void {
    return this.feed.subscribe(listener);
  }

  get lastChange(): number {
    return this.feed.lastChange;
  }

  /** Reads now (or right after the read in progress). Resolves when the store is up to date. */
  refresh(): Promise<void> {
    this.trigger();
    return this.reading ?? Promise.resolve();
  }

  private schedule(): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.trigger(), this.opts.debounceMs ?? 100);
  }

  /** One read at a time; a trigger during a read runs one more read after it. */
  private trigger(): void {
    if (this.stopped) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = (async () => {
      do {
        this.again = false;
        await this.read().catch((err: Error) => this.log.error(`manifests: ${err.message}`));
      } while (this.again && !this.stopped);
      this.reading = undefined;
    })();
  }

  private async read(): Promise<void> {
    let list;
    try {
      list = await listManifestFiles(this.opts.path);
      this.lastScanError = '';
      if (!this.watcher && !this.watchFailed && this.opts.watch !== false && !this.stopped) this.watchPath();
    } catch (err) {
      const msg = `manifests: cannot read ${this.opts.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; keeping the last good state`;
      if (msg !== this.lastScanError) this.log.error(msg);
      this.lastScanError = msg;
      return this.markSynced();
    }
    let dirty = list.length !== this.files.size;
    const present = new Set(list.map((f) => f.path));
    for (const path of this.files.keys()) if (!present.has(path)) this.files.delete(path);
    for (const f of list) {
      const prev = this.files.get(f.path);
      if (prev?.stamp === f.stamp) continue;
      dirty = true;
      const parsed = await readFile(f.path, 'utf8').then(
        (text) => parseManifest(f.path, text, this.keep, { podNames: this.opts.podNames ?? true }),
        (err: NodeJS.ErrnoException) => ({ objects: [], errors: [`${f.path}: ${err.code ?? err.message}`] }),
      );
      for (const e of parsed.errors) this.log.error(`manifests: ${e}${prev ? '; keeping its last good version' : ''}`);
      this.files.set(f.path, { stamp: f.stamp, objects: parsed.errors.length ? (prev?.objects ?? []) : parsed.objects });
    }
    if (dirty && !this.stopped) await this.apply();
    this.markSynced();
  }

  private async apply(): Promise<void> {
    const next: { [K in Kind]: Map<string, KindMap[K]> } = {
      Service: new Map(),
      EndpointSlice: new Map(),
      Pod: new Map(),
      Namespace: new Map(),
    };
    for (const [path, state] of this.files) {
      for (const { kind, obj } of state.objects) {
        const map = next[kind] as Map<string, KindMap[Kind]>;
        const key = keyOf(obj);
        if (map.has(key)) this.log.warn(`manifests: ${kind} ${key} defined more than once; ${path} wins`);
        map.set(key, obj);
      }
    }
    await this.feed.stores.Namespace.replace(next.Namespace);
    await this.feed.stores.Service.replace(next.Service);
    await this.feed.stores.EndpointSlice.replace(next.EndpointSlice);
    await this.feed.stores.Pod.replace(next.Pod);
  }

  private markSynced(): void {
    if (this.syncedFlag) return;
    this.syncedFlag = true;
    this.resolveSynced();
  }
}
