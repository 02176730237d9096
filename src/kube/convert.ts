/**
 * Raw API objects -> slim objects (objects.ts), as CoreDNS's plugin/kubernetes/object/*.go do: only
 * what DNS needs is copied out and the raw object is dropped by the caller. Unlike CoreDNS we keep
 * not-ready endpoints and terminating pods (with their flags) and let the DNS side filter, so one
 * store serves every option (`publishNotReadyAddresses`, `pods verified`).
 */
import { few, type Kind, type KindMap, type SlimEndpoint, type SlimPort } from './objects.js';
import { ConvertError, Raw } from './raw-fields.js';

export { ConvertError } from './raw-fields.js';

/** The label naming an EndpointSlice's service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** The annotation with the time of the change that triggered an EndpointSlice update. */
export const TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';

/** What a source keeps beyond what every Corefile needs. */
export interface ConvertOptions {
  /**
   * Endpoints' pod names (targetRef), which only `endpoint_pod_names` uses: ~100 bytes of heap per
   * slice of 3 endpoints. Default true.
   */
  podNames?: boolean;
}

/** A converter for one kind. `defaultNamespace` fills a missing namespace (manifests); API objects always have one. */
export type Converter<K extends Kind> = (raw: unknown, defaultNamespace?: string, opts?: ConvertOptions) => KindMap[K];

interface Meta {
  namespace: string;
  name: string;
  resourceVersion: string;
  meta: Raw;
}

function metadata(raw: unknown, kind: Kind, defaultNamespace?: string): Meta & { root: Raw } {
  const root = new Raw(Raw.of(raw, kind).value);
  const meta = root.obj('metadata');
  const name = meta.str('name');
  if (!name) throw new ConvertError(`${kind} without metadata.name`);
  let namespace = '';
  if (kind !== 'Namespace') {
    namespace = meta.str('namespace') || defaultNamespace || '';
    if (!namespace) throw new ConvertError(`${kind} ${name} without metadata.namespace`);
  }
  return { root, meta, namespace, name, resourceVersion: meta.str('resourceVersion') };
}

function ports(list: Raw[]): SlimPort[] {
  // An absent port number is -1, as CoreDNS records it (EndpointSlice ports may omit it).
  return internPorts(list.map((p) => ({ name: p.str('name'), port: p.num('port', -1), protocol: p.str('protocol', 'TCP') })));
}

/** Distinct port lists shared at most; past it, lists are kept as they come. */
export const MAX_SHARED_PORT_LISTS = 4096;
const portLists = new Map<string, SlimPort[]>();

/**
 * One shared, frozen copy of each distinct port list. Most Services (and their slices) repeat a
 * handful of lists (`http/80/TCP`...), and a list with its port objects is ~100 bytes of heap per
 * object (Node builds have no pointer compression). The table is bounded, so names nobody reuses
 * cannot grow it past MAX_SHARED_PORT_LISTS.
 */
export function internPorts(list: SlimPort[]): SlimPort[] {
  let key = '';
  for (const p of list) key += `${p.name}\0${p.port}\0${p.protocol}\x01`;
  const got = portLists.get(key);
  if (got) return got;
  if (portLists.size >= MAX_SHARED_PORT_LISTS) return list;
  const frozen = Object.freeze(list.map((p) => Object.freeze({ ...p }))) as SlimPort[];
  portLists.set(key, frozen);
  return frozen;
}

/** Service -> SlimService. */
export const toService: Converter<'Service'> = (raw, defaultNamespace) => {
  const { root, namespace, name, resourceVersion } = metadata(raw, 'Service', defaultNamespace);
  const spec = root.obj('spec');
  const type = spec.str('type', 'ClusterIP');
  let clusterIPs = spec.strs('clusterIPs');
  if (!clusterIPs.length) clusterIPs = spec.str('clusterIP') ? [spec.str('clusterIP')] : [];
  if (type === 'ExternalName') clusterIPs = [];
  return {
    namespace,
    name,
    resourceVersion,
    type,
    clusterIPs: few(clusterIPs),
    headless: clusterIPs[0] === 'None',
    externalName: spec.str('externalName'),
    ports: ports(spec.objs('ports')),
    publishNotReadyAddresses: spec.bool('publishNotReadyAddresses', false),
  };
};

/** EndpointSlice (discovery.k8s.io/v1) -> SlimEndpointSlice. */
export const toEndpointSlice: Converter<'EndpointSlice'> = (raw, defaultNamespace, opts) => {
  const podNames = opts?.podNames ?? true;
  const { root, meta, namespace, name, resourceVersion } = metadata(raw, 'EndpointSlice', defaultNamespace);
  const endpoints = root.objs('endpoints').map((e): SlimEndpoint => {
    const cond = e.obj('conditions');
    // discovery/v1: nil ready means ready; nil serving defers to ready; nil terminating means false.
    const ready = cond.bool('ready', true);
    const ref = e.obj('targetRef');
    return {
      addresses: few(e.strs('addresses')),
      hostname: e.str('hostname'),
      nodeName: e.str('nodeName'),
      targetRefName: podNames && ref.str('kind') === 'Pod' ? ref.str('name') : '',
      ready,
      serving: cond.bool('serving', ready),
      terminating: cond.bool('terminating', false),
    };
  });
  const slice: KindMap['EndpointSlice'] = {
    namespace,
    name,
    resourceVersion,
    serviceName: meta.strMap('labels')[SERVICE_NAME_LABEL] ?? '',
    addressType: root.str('addressType'),
    endpoints,
    ports: ports(root.objs('ports')),
  };
  const trigger = meta.strMap('annotations')[TRIGGER_TIME_ANNOTATION];
  const ms = trigger ? Date.parse(trigger) : NaN;
  if (Number.isFinite(ms)) slice.lastChangeTriggerTime = ms;
  return slice;
};

/** Pod -> SlimPod. */
export const toPod: Converter<'Pod'> = (raw, defaultNamespace) => {
  const { root, meta, namespace, name, resourceVersion } = metadata(raw, 'Pod', defaultNamespace);
  const status = root.obj('status');
  let podIPs = status.objs('podIPs').map((p) => p.str('ip')).filter(Boolean);
  if (!podIPs.length && status.str('podIP')) podIPs = [status.str('podIP')];
  return {
    namespace,
    name,
    resourceVersion,
    podIPs,
    phase: status.str('phase'),
    deleting: meta.has('deletionTimestamp'),
    hostNetwork: root.obj('spec').bool('hostNetwork', false),
  };
};

/** Namespace -> SlimNamespace. */
export const toNamespace: Converter<'Namespace'> = (raw) => {
  const { meta, name, resourceVersion } = metadata(raw, 'Namespace');
  return { name, resourceVersion, labels: meta.strMap('labels') };
};

/** The converter of each kind. */
export const converters: { readonly [K in Kind]: Converter<K> } = {
  Service: toService,
  EndpointSlice: toEndpointSlice,
  Pod: toPod,
  Namespace: toNamespace,
};

/** The store key of a slim object: `namespace/name`, or `name` for a Namespace. */
export function keyOf(obj: { namespace?: string; name: string }): string {
  return obj.namespace ? joinKey(obj.namespace, obj.name) : obj.name;
}

/**
 * `namespace/name` as one flat string. A template literal or `+` makes a cons string (the two parts
 * and a node joining them, ~100 bytes per key in a heap snapshot, kept for as long as the key);
 * join() copies into one string.
 */
export function joinKey(namespace: string, name: string): string {
  return [namespace, name].join('/');
}

/**
 * The kind of a raw object by apiVersion + kind, or undefined for kinds DNS does not use. The API
 * group is checked: a Knative `serving.knative.dev/v1` Service is not a core Service.
 */
export function kindOf(raw: unknown): Kind | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { apiVersion, kind } = raw as { apiVersion?: unknown; kind?: unknown };
  if (kind === 'EndpointSlice') return typeof apiVersion === 'string' && apiVersion.startsWith('discovery.k8s.io/') ? 'EndpointSlice' : undefined;
  if (kind === 'Service' || kind === 'Pod' || kind === 'Namespace') return apiVersion === 'v1' ? kind : undefined;
  return undefined;
}
