/**
 * The legacy (unaggregated) discovery documents: /api, /api/v1, /apis, /apis/<group>,
 * /apis/<group>/<version>, and /version. Only the resources the simulator serves are listed.
 */
import { RESOURCES, type ResourceDef } from './resources.ts';

const VERBS = ['create', 'delete', 'get', 'list', 'update', 'watch'];

function resourceList(groupVersion: string, defs: ResourceDef[]): unknown {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: defs.map((d) => ({
      name: d.resource,
      singularName: d.singular,
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: VERBS,
      ...(d.shortNames.length > 0 ? { shortNames: d.shortNames } : {}),
    })),
  };
}

function groups(): Map<string, ResourceDef[]> {
  const out = new Map<string, ResourceDef[]>();
  for (const d of RESOURCES) if (d.group) out.set(d.group, [...(out.get(d.group) ?? []), d]);
  return out;
}

function apiGroup(name: string, defs: ResourceDef[]): unknown {
  const versions = [...new Set(defs.map((d) => d.version))].map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions, preferredVersion: versions[0] };
}

/** The document served at a discovery path, or undefined when the path is not one. */
export function discoveryDoc(path: string, serverAddress: string, version: string): unknown {
  const p = path.replace(/\/+$/, '');
  if (p === '/api') {
    return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
  }
  if (p === '/api/v1') return resourceList('v1', RESOURCES.filter((d) => !d.group));
  const g = groups();
  if (p === '/apis') return { kind: 'APIGroupList', apiVersion: 'v1', groups: [...g].map(([name, defs]) => apiGroup(name, defs)) };
  const m = /^\/apis\/([^/]+)(?:\/([^/]+))?$/.exec(p);
  if (m) {
    const defs = g.get(m[1]!);
    if (!defs) return undefined;
    if (!m[2]) return { kind: 'APIGroup', apiVersion: 'v1', ...(apiGroup(m[1]!, defs) as object) };
    const inVersion = defs.filter((d) => d.version === m[2]);
    return inVersion.length > 0 ? resourceList(`${m[1]}/${m[2]}`, inVersion) : undefined;
  }
  if (p === '/version') {
    const [, major = '1', minor = '0'] = /^v?(\d+)\.(\d+)/.exec(version) ?? [];
    return {
      major,
      minor,
      gitVersion: version,
      gitCommit: '0000000000000000000000000000000000000000',
      gitTreeState: 'clean',
      buildDate: '2025-01-01T00:00:00Z',
      goVersion: 'go1.24.0',
      compiler: 'gc',
      platform: 'linux/amd64',
    };
  }
  return undefined;
}
