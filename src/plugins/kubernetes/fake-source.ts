/**
 * An in-memory ClusterSource for tests: fed with slim objects (or `kubectl get -o yaml` text),
 * changed by hand, emitting the same events a real source does.
 */
import { parseAllDocuments } from 'yaml';
import { converters, keyOf, kindOf } from '../../kube/convert.js';
import type { Kind, KindMap } from '../../kube/objects.js';
import type { ClusterEvent, ClusterSnapshot, ClusterSource } from '../../kube/source.js';

/** A slim object and its kind. */
export interface SlimObject {
  kind: Kind;
  obj: KindMap[Kind];
}

/** The slim objects of a multi-document YAML text (kinds DNS does not use are skipped). */
export function objectsOfYaml(text: string): SlimObject[] {
  const out: SlimObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    const raw: unknown = doc.toJS();
    const kind = kindOf(raw);
    if (kind) out.push({ kind, obj: converters[kind](raw) });
  }
  return out;
}

const MAPS = { Service: 'services', EndpointSlice: 'endpointSlices', Pod: 'pods', Namespace: 'namespaces' } as const;

/** A hand-driven ClusterSource. */
export class FakeSource implements ClusterSource {
  synced: boolean;
  lastChange = Date.parse('2025-06-01T10:00:00Z');
  started = false;
  private readonly snap: ClusterSnapshot = { services: new Map(), endpointSlices: new Map(), pods: new Map(), namespaces: new Map() };
  private readonly listeners = new Set<(ev: ClusterEvent) => void>();
  private syncWaiters: Array<() => void> = [];

  constructor(opts: { synced?: boolean } = {}) {
    this.synced = opts.synced ?? true;
  }

  /** A source holding every Service, EndpointSlice, Pod and Namespace of a multi-document YAML text. */
  static fromYaml(text: string, opts: { synced?: boolean } = {}): FakeSource {
    return FakeSource.of(objectsOfYaml(text), opts);
  }

  /** A source holding `objects`. */
  static of(objects: readonly SlimObject[], opts: { synced?: boolean } = {}): FakeSource {
    const src = new FakeSource(opts);
    for (const o of objects) src.upsert(o.kind, o.obj as never);
    return src;
  }

  start(): void {
    this.started = true;
  }

  async stop(): Promise<void> {
    this.started = false;
  }

  whenSynced(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** Marks the source synced and wakes whenSynced() waiters. */
  markSynced(): void {
    this.synced = true;
    for (const w of this.syncWaiters) w();
    this.syncWaiters = [];
  }

  snapshot(): ClusterSnapshot {
    return this.snap;
  }

  subscribe(listener: (ev: ClusterEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Number of subscribers (to check they unsubscribe). */
  get subscribers(): number {
    return this.listeners.size;
  }

  /** Adds or replaces an object and emits the upsert. */
  upsert<K extends Kind>(kind: K, obj: KindMap[K]): void {
    const map = this.snap[MAPS[kind]] as Map<string, KindMap[K]>;
    const key = keyOf(obj);
    const old = map.get(key);
    map.set(key, obj);
    this.lastChange += 1000;
    this.emit({ kind, type: 'upsert', obj, key, ...(old ? { old } : {}) } as ClusterEvent);
  }

  /** Removes the object with `obj`'s key and emits the delete. */
  delete<K extends Kind>(kind: K, obj: KindMap[K]): void {
    const map = this.snap[MAPS[kind]] as Map<string, KindMap[K]>;
    const key = keyOf(obj);
    const old = map.get(key);
    if (!old) return;
    map.delete(key);
    this.lastChange += 1000;
    this.emit({ kind, type: 'delete', obj: old, old, key } as ClusterEvent);
  }

  private emit(ev: ClusterEvent): void {
    for (const l of this.listeners) l(ev);
  }
}
