/**
 * Slim copies of the Kubernetes objects DNS needs (CoreDNS plugin/kubernetes/object does the same):
 * converted on arrival, the raw API object is never kept.
 */

/** A service port. */
export interface SlimPort {
  name: string;
  port: number;
  protocol: string;
}

/** A Service. */
export interface SlimService {
  namespace: string;
  name: string;
  resourceVersion: string;
  /** ClusterIP | NodePort | LoadBalancer | ExternalName */
  type: string;
  /**
   * spec.clusterIPs (or [spec.clusterIP]); 'None' for headless; [] for ExternalName. A single IP is
   * kept as the string itself, not in an array of its own; read it with clusterIPsOf().
   */
  clusterIPs: Few;
  headless: boolean;
  externalName: string;
  ports: SlimPort[];
  publishNotReadyAddresses: boolean;
}

/** One endpoint of an EndpointSlice. */
export interface SlimEndpoint {
  /**
   * Its addresses; one address (nearly every endpoint has exactly one) is kept as the string
   * itself, not in an array of its own (56 bytes per endpoint). Read it with addressesOf().
   */
  addresses: Few;
  hostname: string;
  nodeName: string;
  /** targetRef.name when targetRef.kind is Pod (for `endpoint_pod_names`). */
  targetRefName: string;
  /** conditions.ready; an absent condition counts as true (EndpointSlice API). */
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

/** An EndpointSlice (discovery.k8s.io/v1). */
export interface SlimEndpointSlice {
  namespace: string;
  name: string;
  resourceVersion: string;
  /** The owning service: label `kubernetes.io/service-name`. Empty when absent. */
  serviceName: string;
  /** IPv4 | IPv6 | FQDN */
  addressType: string;
  endpoints: SlimEndpoint[];
  ports: SlimPort[];
  /** Annotation `endpoints.kubernetes.io/last-change-trigger-time` in Unix ms (DNS programming latency metric). */
  lastChangeTriggerTime?: number;
}

/** A Pod (only watched with `pods verified`). */
export interface SlimPod {
  namespace: string;
  name: string;
  resourceVersion: string;
  podIPs: string[];
  phase: string;
  deleting: boolean;
  hostNetwork: boolean;
}

/** A Namespace. */
export interface SlimNamespace {
  name: string;
  resourceVersion: string;
  labels: Record<string, string>;
}

/** Kinds a source delivers. */
export type KindMap = {
  Service: SlimService;
  EndpointSlice: SlimEndpointSlice;
  Pod: SlimPod;
  Namespace: SlimNamespace;
};

export type Kind = keyof KindMap;

/** A list kept as its one element when it has only one (most Services have one cluster IP, most endpoints one address). */
export type Few = string | readonly string[];

const NONE: readonly string[] = Object.freeze([]);

/** `list` as a Few. */
export function few(list: readonly string[]): Few {
  return list.length === 1 ? list[0]! : list;
}

/** The elements of a Few. */
export function many(f: Few): readonly string[] {
  return typeof f === 'string' ? [f] : f.length ? f : NONE;
}

/** An endpoint's addresses as a list, whichever way they are kept. */
export const addressesOf = (e: Pick<SlimEndpoint, 'addresses'>): readonly string[] => many(e.addresses);

/** A Service's cluster IPs as a list, whichever way they are kept. */
export const clusterIPsOf = (svc: Pick<SlimService, 'clusterIPs'>): readonly string[] => many(svc.clusterIPs);
