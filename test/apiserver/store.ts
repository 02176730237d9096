/**
 * The object store: what etcd plus the watch cache hold. One global resourceVersion counter (etcd's
 * revision), and per resource the live objects plus a bounded history of events, from which watches
 * resume and consistent list pages (continue tokens, resourceVersionMatch=Exact) are rebuilt.
 */
import { randomUUID } from 'node:crypto';
import { Allocator, ValidationError, applyDefaults } from './defaults.ts';
import { type ResourceDef, RESOURCES, objectKey, resourceByKind } from './resources.ts';

/** A change as stored: `obj` is the new state (for DELETED the last state with the deletion's RV). */
export interface StoreEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  rv: number;
  key: string;
  obj: any;
  prev?: any;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** One resource's objects and history. */
export class ResourceStore {
  /** Live objects by key (frozen; copy before handing out). */
  readonly items = new Map<string, any>();
  /** Every event with rv > compactedRv is retained; older resume points get 410. */
  compactedRv = 0;
  private events: StoreEvent[] = [];
  private start = 0;
  private readonly listeners = new Set<(ev: StoreEvent) => void>();

  readonly def: ResourceDef;

  constructor(def: ResourceDef) {
    this.def = def;
  }

  /** Appends an event, drops the oldest past `limit`, and tells subscribers. */
  record(ev: StoreEvent, limit: number): void {
    this.events.push(ev);
    while (this.events.length - this.start > Math.max(0, limit)) this.compactedRv = this.events[this.start++]!.rv;
    if (this.start > 1024 && this.start * 2 > this.events.length) {
      this.events = this.events.slice(this.start);
      this.start = 0;
    }
    for (const fn of [...this.listeners]) fn(ev);
  }

  /** Forgets all history: resuming from any RV before `rv` now gets 410. */
  compact(rv: number): void {
    this.events = [];
    this.start = 0;
    this.compactedRv = Math.max(this.compactedRv, rv);
  }

  /** Retained events with rv > after, oldest first. The caller checks after >= compactedRv. */
  eventsAfter(after: number): StoreEvent[] {
    let lo = this.start;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.events[mid]!.rv > after) hi = mid;
      else lo = mid + 1;
    }
    return this.events.slice(lo);
  }

  /** The objects as they were at `rv` (undoing later events). The caller checks rv >= compactedRv. */
  stateAt(rv: number): Map<string, any> {
    const later = this.eventsAfter(rv);
    if (later.length === 0) return this.items;
    const state = new Map(this.items);
    for (let i = later.length - 1; i >= 0; i--) {
      const ev = later[i]!;
      if (ev.type === 'ADDED') state.delete(ev.key);
      else state.set(ev.key, ev.prev);
    }
    return state;
  }

  /** Calls fn synchronously for each future event; returns the unsubscribe. */
  subscribe(fn: (ev: StoreEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}

/** Finds a served resource for a kind or plural name, or throws. */
export function requireResource(kind: string): ResourceDef {
  const def = resourceByKind(kind);
  if (!def) throw new ValidationError(`no resource for kind "${kind}" (served: ${RESOURCES.map((r) => r.kind).join(', ')})`);
  return def;
}

/** All resources' stores under one resourceVersion counter. */
export class Store {
  /** The global resourceVersion (etcd revision). */
  rv = 0;
  private readonly stores = new Map<string, ResourceStore>();
  private readonly alloc = new Allocator();
  private readonly rvWaiters = new Set<() => void>();

  readonly historyLimit: number;

  constructor(historyLimit: number) {
    this.historyLimit = historyLimit;
    for (const def of RESOURCES) this.stores.set(def.resource, new ResourceStore(def));
  }

  /** The store of one resource. */
  of(def: ResourceDef): ResourceStore {
    return this.stores.get(def.resource)!;
  }

  /** Creates or updates; no event and no new RV when nothing changed (as the real server skips no-op updates). */
  apply(input: any): { obj: any; created: boolean; changed: boolean } {
    if (!input || typeof input !== 'object' || Array.isArray(input)) throw new ValidationError('object must be a JSON/YAML mapping');
    const def = requireResource(String(input.kind ?? ''));
    if (input.apiVersion !== undefined && input.apiVersion !== def.apiVersion) {
      throw new ValidationError(`${def.kind} is served as apiVersion ${def.apiVersion}, not ${input.apiVersion}`);
    }
    const meta = { ...input.metadata };
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomUUID().replaceAll('-', '').slice(0, 5)}`;
    if (def.namespaced) meta.namespace ??= 'default';
    else delete meta.namespace;
    const rs = this.of(def);
    const key = objectKey(def, meta.namespace, String(meta.name ?? ''));
    const old = rs.items.get(key);
    const body = applyDefaults(def, { ...input, metadata: meta }, old, this.alloc);
    const { kind: _k, apiVersion: _a, metadata: _m, ...rest } = body;
    const { resourceVersion: _rv, uid: _uid, creationTimestamp: _ct, name, namespace, ...userMeta } = body.metadata;
    const build = (rv: string, uid: string, created: string): any => ({
      kind: def.kind,
      apiVersion: def.apiVersion,
      metadata: { name, ...(def.namespaced ? { namespace } : {}), uid, resourceVersion: rv, creationTimestamp: created, ...userMeta },
      ...rest,
    });
    if (old && JSON.stringify(build(old.metadata.resourceVersion, old.metadata.uid, old.metadata.creationTimestamp)) === JSON.stringify(old)) {
      return { obj: old, created: false, changed: false };
    }
    const rv = ++this.rv;
    const uid = old?.metadata.uid ?? randomUUID();
    const created = old?.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const obj = deepFreeze(JSON.parse(JSON.stringify(build(String(rv), uid, created))));
    if (def.kind === 'Service') {
      this.alloc.release(old);
      this.alloc.reserve(obj);
    }
    rs.items.set(key, obj);
    rs.record({ type: old ? 'MODIFIED' : 'ADDED', rv, key, obj, prev: old }, this.historyLimit);
    this.bumped();
    return { obj, created: !old, changed: true };
  }

  /** Deletes; a Namespace takes its namespaced objects with it (what the namespace controller does). */
  remove(def: ResourceDef, namespace: string | undefined, name: string): any | undefined {
    const rs = this.of(def);
    const key = objectKey(def, def.namespaced ? (namespace ?? 'default') : undefined, name);
    const old = rs.items.get(key);
    if (!old) return undefined;
    if (def.kind === 'Namespace') {
      for (const other of RESOURCES.filter((r) => r.namespaced)) {
        const keys = [...this.of(other).items.keys()].filter((k) => k.startsWith(`${name}/`)).sort();
        for (const k of keys) this.remove(other, name, k.slice(name.length + 1));
      }
    }
    const rv = ++this.rv;
    const obj = deepFreeze({ ...old, metadata: { ...old.metadata, resourceVersion: String(rv) } });
    if (def.kind === 'Service') this.alloc.release(old);
    rs.items.delete(key);
    rs.record({ type: 'DELETED', rv, key, obj, prev: old }, this.historyLimit);
    this.bumped();
    return obj;
  }

  /**
   * Compacts every resource's history. The revision first moves on by one, as unrelated writes (leases,
   * events) always move it in a real cluster, so every RV handed out before this call is expired.
   */
  expire(): void {
    this.rv++;
    for (const rs of this.stores.values()) rs.compact(this.rv);
    this.bumped();
  }

  /** Resolves true once rv >= target, false after ms. */
  waitForRv(target: number, ms: number): Promise<boolean> {
    if (this.rv >= target) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.rv < target) return;
        cleanup();
        resolve(true);
      };
      const timer = setTimeout(() => (cleanup(), resolve(false)), ms);
      timer.unref();
      const cleanup = (): void => {
        clearTimeout(timer);
        this.rvWaiters.delete(check);
      };
      this.rvWaiters.add(check);
    });
  }

  private bumped(): void {
    for (const fn of [...this.rvWaiters]) fn();
  }
}
