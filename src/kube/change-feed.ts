/**
 * What both sources share: the four kind stores, their snapshot, and the listeners of their events
 * (with the time of the last change, from which the SOA serial is taken).
 */
import type { Logger } from '../core/log.js';
import { KindStore } from './kind-store.js';
import type { ClusterEvent, ClusterSnapshot } from './source.js';

/** One store per kind. */
export interface KindStores {
  Service: KindStore<'Service'>;
  EndpointSlice: KindStore<'EndpointSlice'>;
  Pod: KindStore<'Pod'>;
  Namespace: KindStore<'Namespace'>;
}

/** Stores feeding listeners. */
export class ChangeFeed {
  private readonly listeners = new Set<(ev: ClusterEvent) => void>();
  private changedAt = Date.now();
  readonly stores: KindStores;

  constructor(private readonly log: Logger) {
    const emit = (ev: ClusterEvent): void => this.emit(ev);
    this.stores = {
      Service: new KindStore('Service', emit),
      EndpointSlice: new KindStore('EndpointSlice', emit),
      Pod: new KindStore('Pod', emit),
      Namespace: new KindStore('Namespace', emit),
    };
  }

  /** Unix ms of the last change (construction time before any). */
  get lastChange(): number {
    return this.changedAt;
  }

  /** The live maps. */
  snapshot(): ClusterSnapshot {
    const s = this.stores;
    return { services: s.Service.map, endpointSlices: s.EndpointSlice.map, pods: s.Pod.map, namespaces: s.Namespace.map };
  }

  /** Adds a listener; returns its removal. */
  subscribe(listener: (ev: ClusterEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private emit(ev: ClusterEvent): void {
    this.changedAt = Date.now();
    for (const l of this.listeners) {
      try {
        l(ev);
      } catch (err) {
        // One broken consumer must not stop the stream for the others (or kill the reflector).
        this.log.error({ err }, `listener failed on ${ev.type} of ${ev.kind}`);
      }
    }
  }
}
