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
  clusterIPs: string | readonly string[];
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
  addresses: string | readonly string[];
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

const NO_ADDRESSES: readonly string[] = Object.freeze([]);

/** An endpoint's addresses as a list, whichever way they are kept. */
export function addressesOf(e: Pick<SlimEndpoint, 'addresses'>): readonly string[] {
  const a = e.addresses;
  return typeof a === 'string' ? [a] : a.length ? a : NO_ADDRESSES;
}

/** A Service's cluster IPs as a list, whichever way they are kept. */
export function clusterIPsOf(svc: Pick<SlimService, 'clusterIPs'>): readonly string[] {
  const a = svc.clusterIPs;
  return typeof a === 'string' ? [a] : a.length ? a : NO_ADDRESSES;
}
