/**
 * A ClusterSource fed over a message channel: the view a worker thread has of the primary
 * thread's source, so N workers share one set of API watches (one per process, not per worker).
 */
import { internPorts, keyOf } from './convert.js';
import type { Kind, KindMap } from './objects.js';
import type { ClusterEvent, ClusterSnapshot, ClusterSource } from './source.js';

/** Messages the primary sends for one source. */
export type SourceMessage =
  | { t: 'snapshot'; key: string; synced: boolean; lastChange: number; objects: { [K in Kind]: Array<KindMap[K]> } }
  | { t: 'event'; key: string; ev: ClusterEvent; lastChange: number };

/** A message carries its own copy of every list: port lists are shared again, as the primary shares them. */
function sharePorts(kind: Kind, obj: KindMap[Kind]): void {
  if (kind === 'Service' || kind === 'EndpointSlice') (obj as KindMap['Service']).ports = internPorts((obj as KindMap['Service']).ports);
}

/** The maps of a snapshot, by kind. */
export function mapsOf(s: ClusterSnapshot): { [K in Kind]: Map<string, KindMap[K]> } {
  return { Service: s.services, EndpointSlice: s.endpointSlices, Pod: s.pods, Namespace: s.namespaces };
}

/** The worker side: applies the primary's messages; start/stop only (un)subscribe. */
export class RemoteSource implements ClusterSource {
  private readonly snap: ClusterSnapshot = { services: new Map(), endpointSlices: new Map(), pods: new Map(), namespaces: new Map() };
  private readonly listeners = new Set<(ev: ClusterEvent) => void>();
  private waiters: Array<() => void> = [];
  synced = false;
  lastChange = 0;

  constructor(readonly key: string, private readonly subscribeRemote: () => void, private readonly unsubscribeRemote: () => void) {}

  start(): void {
    this.subscribeRemote();
  }

  async stop(): Promise<void> {
    this.unsubscribeRemote();
  }

  whenSynced(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  snapshot(): ClusterSnapshot {
    return this.snap;
  }

  subscribe(listener: (ev: ClusterEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies one message from the primary. */
  receive(msg: SourceMessage): void {
    const maps = mapsOf(this.snap);
    if (msg.t === 'snapshot') {
      for (const kind of Object.keys(maps) as Kind[]) {
        const m = maps[kind] as Map<string, KindMap[Kind]>;
        const objects = msg.objects[kind] as Array<KindMap[Kind]>;
        for (const o of objects) sharePorts(kind, o);
        const fresh = new Map(objects.map((o) => [keyOf(o), o]));
        for (const [k, old] of m) if (!fresh.has(k)) { m.delete(k); this.emit({ kind, type: 'delete', obj: old, old, key: k } as ClusterEvent); }
        for (const [k, obj] of fresh) { const old = m.get(k); m.set(k, obj); this.emit({ kind, type: 'upsert', obj, old, key: k } as ClusterEvent); }
      }
      this.lastChange = msg.lastChange;
      if (msg.synced) this.markSynced();
      return;
    }
    const { ev } = msg;
    sharePorts(ev.kind, ev.obj);
    const m = maps[ev.kind] as Map<string, KindMap[Kind]>;
    // The primary's key came through the channel as a copy; it becomes this map's key and the event's.
    const key = (ev.key ??= keyOf(ev.obj));
    // The old state is this side's own: what its indexes were built from (the same version as the
    // primary's, as messages arrive in order, but nothing here depends on that).
    const prev = m.get(key);
    if (prev) ev.old = prev as never;
    else delete ev.old;
    if (ev.type === 'delete') m.delete(key);
    else m.set(key, ev.obj);
    this.lastChange = msg.lastChange;
    this.emit(ev);
  }

  private emit(ev: ClusterEvent): void {
    for (const l of this.listeners) l(ev);
  }

  private markSynced(): void {
    if (this.synced) return;
    this.synced = true;
    for (const w of this.waiters) w();
    this.waiters = [];
  }
}

/** The primary side: turns a source's state and changes into messages for a worker. */
export function publish(key: string, source: ClusterSource, send: (m: SourceMessage) => void): () => void {
  const full = () => {
    const s = source.snapshot();
    send({
      t: 'snapshot', key, synced: source.synced, lastChange: source.lastChange,
      objects: { Service: [...s.services.values()], EndpointSlice: [...s.endpointSlices.values()], Pod: [...s.pods.values()], Namespace: [...s.namespaces.values()] },
    });
  };
  full();
  const off = source.subscribe((ev) => send({ t: 'event', key, ev, lastChange: source.lastChange }));
  let live = true;
  // A source may fill its store during the initial list without events: resend the whole state once synced.
  if (!source.synced) void source.whenSynced().then(() => { if (live) full(); });
  return () => { live = false; off(); };
}
