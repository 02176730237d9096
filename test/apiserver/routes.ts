/**
 * URL path -> what it names. Resource paths are /api/v1/... (core) and /apis/<group>/<version>/...;
 * `/watch/` after the version is the deprecated watch prefix, still served by kube-apiserver.
 */
import { type ResourceDef, resourceByPath } from './resources.ts';

/** A resource path: a collection (list/watch/create) or one object (get/update/delete). */
export interface ResourceRoute {
  def: ResourceDef;
  /** Set for namespaced paths (and for the namespace object itself: undefined). */
  namespace: string | undefined;
  /** Set for an object path. */
  name: string | undefined;
  /** The path used the /watch/ prefix. */
  watchPrefix: boolean;
}

/** Parses a resource path; undefined when it names nothing the simulator serves (a 404). */
export function parseResourcePath(pathname: string): ResourceRoute | undefined {
  let segs: string[];
  try {
    segs = pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
  } catch {
    return undefined;
  }
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api' && segs.length >= 2) [group, version, rest] = ['', segs[1]!, segs.slice(2)];
  else if (segs[0] === 'apis' && segs.length >= 3) [group, version, rest] = [segs[1]!, segs[2]!, segs.slice(3)];
  else return undefined;
  const watchPrefix = rest[0] === 'watch';
  if (watchPrefix) rest = rest.slice(1);
  const find = (res: string | undefined): ResourceDef | undefined => (res === undefined ? undefined : resourceByPath(group, version, res));
  if (rest.length === 1 || rest.length === 2) {
    // /api/v1/<res> (all namespaces or cluster-scoped) and /api/v1/<cluster-scoped res>/<name>
    const def = find(rest[0]);
    if (!def || (rest.length === 2 && def.namespaced)) return undefined;
    return { def, namespace: undefined, name: rest[1], watchPrefix };
  }
  if ((rest.length === 3 || rest.length === 4) && rest[0] === 'namespaces') {
    const def = find(rest[2]);
    if (!def || !def.namespaced) return undefined;
    return { def, namespace: rest[1], name: rest[3], watchPrefix };
  }
  return undefined;
}
