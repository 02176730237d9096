/**
 * One WATCH stream, as the apiserver's cacher serves it: a chunked JSON response, one event per line
 * and per chunk. Selector transitions follow cacheWatcher.convertToWatchEvent: an object that starts to
 * match is ADDED, one that stops matching is DELETED (its previous state, stamped with the event's RV).
 */
import type { ServerResponse } from 'node:http';
import type { Filter } from './filter.ts';
import type { ResourceDef } from './resources.ts';
import type { Status } from './status.ts';
import type { StoreEvent } from './store.ts';

/** What a watcher asks of the fault injector. */
export interface WatchFaults {
  /** True once: the next event line is sent broken. */
  takeMalformed(): boolean;
}

/** A watch event type on the wire. */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** An open watch stream. */
export class Watcher {
  /** A stuck watcher (silentWatches) keeps its connection but never writes again. */
  stuck = false;
  private timers: NodeJS.Timeout[] = [];
  private closed = false;

  private readonly res: ServerResponse;
  private readonly def: ResourceDef;
  private readonly filter: Filter;
  private readonly faults: WatchFaults;
  private readonly onClose: (w: Watcher) => void;

  constructor(res: ServerResponse, def: ResourceDef, filter: Filter, faults: WatchFaults, onClose: (w: Watcher) => void) {
    this.res = res;
    this.def = def;
    this.filter = filter;
    this.faults = faults;
    this.onClose = onClose;
    res.on('close', () => this.cleanup());
  }

  /** Sends one event line unless the stream is stuck or gone. */
  send(type: WatchEventType, object: unknown): void {
    if (this.stuck || this.closed || this.res.destroyed || this.res.writableEnded) return;
    let line = JSON.stringify({ type, object });
    if (this.faults.takeMalformed()) line = line.slice(0, Math.max(1, line.length >> 1));
    this.res.write(`${line}\n`);
  }

  /** Sends a stored event as this watcher's filter sees it (or nothing). */
  deliver(ev: StoreEvent): void {
    const cur = ev.type !== 'DELETED' && this.filter.match(ev.obj);
    const old = ev.prev !== undefined && this.filter.match(ev.prev);
    if (cur) this.send(old ? 'MODIFIED' : 'ADDED', ev.obj);
    else if (old) {
      this.send('DELETED', ev.type === 'DELETED' ? ev.obj : { ...ev.prev, metadata: { ...ev.prev.metadata, resourceVersion: String(ev.rv) } });
    }
  }

  /** A BOOKMARK at rv: an object of the kind carrying only metadata.resourceVersion (and annotations). */
  bookmark(rv: number, annotations?: Record<string, string>): void {
    const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
    if (annotations) metadata.annotations = annotations;
    this.send('BOOKMARK', { kind: this.def.kind, apiVersion: this.def.apiVersion, metadata });
  }

  /** Sends an ERROR event with a Status and ends the stream (how apiserver reports 410 to a watch). */
  fail(st: Status): void {
    this.send('ERROR', st);
    if (!this.stuck) this.end();
  }

  /** Calls fn every ms while open. */
  every(ms: number, fn: () => void): void {
    const t = setInterval(() => {
      if (!this.stuck) fn();
    }, ms);
    t.unref();
    this.timers.push(t);
  }

  /** Ends the stream cleanly after ms (timeoutSeconds). A stuck stream stays stuck. */
  endAfter(ms: number): void {
    const t = setTimeout(() => {
      if (!this.stuck) this.end();
    }, ms);
    t.unref();
    this.timers.push(t);
  }

  /** Ends the chunked response (the client sees a clean end of stream). */
  end(): void {
    if (!this.res.writableEnded && !this.res.destroyed) this.res.end();
    this.cleanup();
  }

  /** Destroys the socket (the client sees a connection reset mid-stream). */
  reset(): void {
    this.res.socket?.destroy();
    this.res.destroy();
    this.cleanup();
  }

  private cleanup(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    this.onClose(this);
  }
}
