/**
 * The cluster as seen through the API: one reflector per kind (Services, EndpointSlices, Namespaces,
 * and Pods only for `pods verified`), as CoreDNS's dnsControl runs one informer per kind.
 */
import { type Logger, pluginLog } from '../core/log.js';
import { ApiClient } from './api-client.js';
import type { BackoffOptions } from './backoff.js';
import type { KubeConnection } from './config.js';
import { converters } from './convert.js';
import { ChangeFeed } from './change-feed.js';
import type { KindStore } from './kind-store.js';
import type { Kind } from './objects.js';
import { Reflector } from './reflector.js';
import type { ClusterEvent, ClusterSnapshot, ClusterSource } from './source.js';

/** What to watch and how. */
export interface ApiSourceOptions {
  connection: KubeConnection;
  /** `labels` selector (Services, EndpointSlices, Pods), API syntax: `a=b,c in (d)`. */
  labelSelector?: string;
  /** `namespace_labels` selector (Namespaces). */
  namespaceLabelSelector?: string;
  /** Watch pods (`pods verified` only). */
  pods: boolean;
  /** Watch EndpointSlices (false with `noendpoints`). */
  endpoints: boolean;
  /** Keep endpoints' pod names (`endpoint_pod_names`); default true. */
  podNames?: boolean;
  /** Watchdog for silent watches, ms (default: CLUSTERDNS_WATCHDOG_MS, else 90 s). */
  watchdogMs?: number;
  /** Where CLUSTERDNS_WATCHDOG_MS is read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Tests: page size, server watch timeout, backoff. */
  pageSize?: number;
  minWatchTimeoutSec?: number;
  backoff?: BackoffOptions;
  log?: Logger;
}

/** Overrides the reflectors' watchdog (ms); the Corefile has no option for it (CoreDNS has none). */
export const WATCHDOG_ENV = 'CLUSTERDNS_WATCHDOG_MS';

/**
 * The watchdog from `CLUSTERDNS_WATCHDOG_MS`: undefined when unset; a value that is not an integer
 * in [100, 3600000] ms is reported through `warn` and ignored (the default stays).
 */
export function watchdogFromEnv(env: NodeJS.ProcessEnv, warn: (msg: string) => void): number | undefined {
  const text = env[WATCHDOG_ENV];
  if (text === undefined || text === '') return undefined;
  const ms = Number(text);
  if (/^\d+$/.test(text.trim()) && ms >= 100 && ms <= 3_600_000) return ms;
  warn(`${WATCHDOG_ENV}='${text}' is not a number of milliseconds in [100, 3600000]; using the default watchdog`);
  return undefined;
}

/** CoreDNS's pod field selector: only pods that can still have an IP. */
export const POD_FIELD_SELECTOR = 'status.phase!=Succeeded,status.phase!=Failed,status.phase!=Unknown';

const RESOURCES: { readonly [K in Kind]: { path: string; typeName: string } } = {
  Service: { path: '/api/v1/services', typeName: '*v1.Service' },
  EndpointSlice: { path: '/apis/discovery.k8s.io/v1/endpointslices', typeName: '*v1.EndpointSlice' },
  Pod: { path: '/api/v1/pods', typeName: '*v1.Pod' },
  Namespace: { path: '/api/v1/namespaces', typeName: '*v1.Namespace' },
};

/** A ClusterSource fed by list+watch against the Kubernetes API. */
export class ApiSource implements ClusterSource {
  private readonly reflectors: Reflector<Kind>[] = [];
  private readonly feed: ChangeFeed;

  constructor(opts: ApiSourceOptions) {
    const log = opts.log ?? pluginLog('kubernetes');
    this.feed = new ChangeFeed(log);
    const client = new ApiClient(opts.connection);
    const watchdogMs = opts.watchdogMs ?? watchdogFromEnv(opts.env ?? process.env, (m) => log.warn(m));
    const convertOpts = { podNames: opts.podNames ?? true };
    const add = <K extends Kind>(kind: K, labelSelector?: string, fieldSelector?: string): void => {
      const r = new Reflector<K>({
        client,
        ...RESOURCES[kind],
        convert: (raw) => converters[kind](raw, undefined, convertOpts),
        store: this.feed.stores[kind] as unknown as KindStore<K>,
        log,
        labelSelector: labelSelector || undefined,
        fieldSelector,
        ...(watchdogMs !== undefined && { watchdogMs }),
        ...(opts.pageSize !== undefined && { pageSize: opts.pageSize }),
        ...(opts.minWatchTimeoutSec !== undefined && { minWatchTimeoutSec: opts.minWatchTimeoutSec }),
        ...(opts.backoff && { backoff: opts.backoff }),
      });
      this.reflectors.push(r as unknown as Reflector<Kind>);
    };
    add('Service', opts.labelSelector);
    if (opts.endpoints) add('EndpointSlice', opts.labelSelector);
    add('Namespace', opts.namespaceLabelSelector);
    if (opts.pods) add('Pod', opts.labelSelector, POD_FIELD_SELECTOR);
  }

  start(): void {
    for (const r of this.reflectors) r.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.reflectors.map((r) => r.stop()));
  }

  get synced(): boolean {
    return this.reflectors.every((r) => r.isSynced);
  }

  async whenSynced(): Promise<void> {
    await Promise.all(this.reflectors.map((r) => r.synced));
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
}
