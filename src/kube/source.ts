/** The boundary between kube/ and the DNS side: a source of slim objects with a synced signal. */
import type { Kind, KindMap } from './objects.js';

/** One change. `old` is set on updates and deletes when the source knew the object. */
export type ClusterEvent = {
  [K in Kind]: {
    kind: K;
    type: 'upsert' | 'delete';
    obj: KindMap[K];
    old?: KindMap[K];
    /** The snapshot map's own key string for `obj` (indexes that keep it then share it, not copy it). */
    key?: string;
  };
}[Kind];

/** A consistent view of the cluster as last seen. */
export interface ClusterSnapshot {
  services: Map<string, KindMap['Service']>; // key: namespace/name
  endpointSlices: Map<string, KindMap['EndpointSlice']>; // key: namespace/name
  pods: Map<string, KindMap['Pod']>; // key: namespace/name
  namespaces: Map<string, KindMap['Namespace']>; // key: name
}

/** Where cluster objects come from: the API (list/watch supervisor) or manifests on disk. */
export interface ClusterSource {
  /** Starts listing/watching (or reading files). Never throws for API trouble: it logs and retries. */
  start(): void;
  /** Stops all watches and timers. */
  stop(): Promise<void>;
  /** True once every watched kind has completed its initial list. */
  readonly synced: boolean;
  /** Resolves when synced (never rejects). */
  whenSynced(): Promise<void>;
  /** The current objects (live maps: do not mutate). */
  snapshot(): ClusterSnapshot;
  /** Subscribes to changes after start; returns an unsubscribe function. Listeners run synchronously. */
  subscribe(listener: (ev: ClusterEvent) => void): () => void;
  /** Unix ms of the last change of any object (the SOA serial is taken from it). */
  readonly lastChange: number;
}
