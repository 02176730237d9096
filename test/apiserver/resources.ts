/**
 * The resources the simulator serves, with what discovery, paths and field selectors need to know.
 * Field labels per resource are the ones kube-apiserver registers (pkg/registry/<group>/<res>/strategy.go
 * `ToSelectableFields`); an unlisted label is rejected with 400 as the real server does.
 */

/** Reads one selectable field of an object as the string the field selector compares against. */
export type FieldGetter = (obj: any) => string;

/** One served resource. */
export interface ResourceDef {
  /** Plural path segment: `services`. */
  resource: string;
  singular: string;
  kind: string;
  listKind: string;
  /** '' for the core group. */
  group: string;
  version: string;
  /** `v1` or `discovery.k8s.io/v1`. */
  apiVersion: string;
  namespaced: boolean;
  shortNames: string[];
  fields: Record<string, FieldGetter>;
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

const META: Record<string, FieldGetter> = {
  'metadata.name': (o) => str(o.metadata?.name),
  'metadata.namespace': (o) => str(o.metadata?.namespace),
};

function def(d: Omit<ResourceDef, 'apiVersion' | 'listKind'>): ResourceDef {
  return { ...d, listKind: `${d.kind}List`, apiVersion: d.group ? `${d.group}/${d.version}` : d.version };
}

/** Every resource, core first (the order discovery lists them in). */
export const RESOURCES: readonly ResourceDef[] = Object.freeze([
  def({
    resource: 'namespaces', singular: 'namespace', kind: 'Namespace', group: '', version: 'v1', namespaced: false, shortNames: ['ns'],
    fields: { 'metadata.name': META['metadata.name']!, 'status.phase': (o) => str(o.status?.phase) },
  }),
  def({
    resource: 'services', singular: 'service', kind: 'Service', group: '', version: 'v1', namespaced: true, shortNames: ['svc'],
    fields: { ...META, 'spec.clusterIP': (o) => str(o.spec?.clusterIP), 'spec.type': (o) => str(o.spec?.type) },
  }),
  def({
    resource: 'endpoints', singular: 'endpoints', kind: 'Endpoints', group: '', version: 'v1', namespaced: true, shortNames: ['ep'],
    fields: { ...META },
  }),
  def({
    resource: 'pods', singular: 'pod', kind: 'Pod', group: '', version: 'v1', namespaced: true, shortNames: ['po'],
    fields: {
      ...META,
      'spec.nodeName': (o) => str(o.spec?.nodeName),
      'spec.restartPolicy': (o) => str(o.spec?.restartPolicy),
      'spec.schedulerName': (o) => str(o.spec?.schedulerName),
      'spec.serviceAccountName': (o) => str(o.spec?.serviceAccountName),
      'spec.hostNetwork': (o) => String(o.spec?.hostNetwork === true),
      'status.phase': (o) => str(o.status?.phase),
      'status.podIP': (o) => str(o.status?.podIPs?.[0]?.ip ?? o.status?.podIP),
      'status.nominatedNodeName': (o) => str(o.status?.nominatedNodeName),
    },
  }),
  def({
    resource: 'endpointslices', singular: 'endpointslice', kind: 'EndpointSlice', group: 'discovery.k8s.io', version: 'v1', namespaced: true, shortNames: [],
    fields: { ...META },
  }),
]);

/** The resource served at /api/v1/<res> or /apis/<group>/<version>/<res>, if any. */
export function resourceByPath(group: string, version: string, resource: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.resource === resource);
}

/** The resource for a kind (`Service`), plural (`services`) or short name (`svc`), case-insensitively. */
export function resourceByKind(kind: string): ResourceDef | undefined {
  const k = kind.toLowerCase();
  return RESOURCES.find((r) => r.kind.toLowerCase() === k || r.resource === k || r.singular === k || r.shortNames.includes(k));
}

/** The key objects are stored and sorted under (etcd's key order): `ns/name`, or `name` when cluster-scoped. */
export function objectKey(def: ResourceDef, namespace: string | undefined, name: string): string {
  return def.namespaced ? `${namespace ?? ''}/${name}` : name;
}
