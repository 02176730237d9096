/**
 * The cluster's forward names (relative to the cluster zone), computed on demand as CoreDNS does
 * per query: a fixed Zone holds the apex, `svc`, `pod` and the namespaces; a name below a Service
 * (`svc.ns.svc`, `_port._proto.svc.ns.svc`, `endpoint.svc.ns.svc`) is computed from that Service
 * and its EndpointSlices when asked for. Nothing is stored per Service, so a big cluster costs only
 * the indexes its owner keeps, and a change costs nothing here: the next question sees it.
 * (Repeated questions are answered from the core's wire cache and the `cache` plugin.)
 */
import { lookupIn, type Lookup, type NameSet, type Zone, type ZoneNode } from '../../zone/zone.js';

/** What the names of Services are computed from. */
export interface ServiceNames {
  /** The node of `rel`, a name at or below the Service(s) `owner` (`name.ns.svc`), or undefined. */
  nodeAt(owner: string, rel: string): ZoneNode | undefined;
  /** Every name of the Service(s) `owner`, as a Zone (for `size`). */
  viewOf(owner: string): Zone | undefined;
  /** Owner names of every Service (for `size`; may repeat). */
  owners(): Iterable<string>;
}

/**
 * `name.ns.svc` of the Service owning `rel` (its last three labels), or undefined when `rel` is not
 * at or below one. Kubernetes names hold no dots, so plain `.` splitting is exact for real owners.
 */
export function serviceOwner(rel: string): string | undefined {
  if (!rel.endsWith('.svc')) return undefined;
  const nsDot = rel.lastIndexOf('.', rel.length - 5);
  if (nsDot <= 0) return undefined;
  const nameDot = rel.lastIndexOf('.', nsDot - 1);
  return nameDot < 0 ? rel : rel.slice(nameDot + 1);
}

/** Forward names: fixed ones plus Service names computed on demand. */
export class ForwardNames implements NameSet {
  constructor(
    /** The apex, `svc`, `pod` and namespace names. */
    readonly fixed: Zone,
    private readonly services: ServiceNames,
  ) {}

  /** Number of names that exist: O(cluster), for diagnostics and tests. */
  get size(): number {
    let n = this.fixed.size;
    const seen = new Set<string>();
    for (const owner of this.services.owners()) {
      if (seen.has(owner)) continue;
      seen.add(owner);
      n += this.services.viewOf(owner)?.size ?? 0;
    }
    return n;
  }

  node(rel: string): ZoneNode | undefined {
    const fixed = this.fixed.node(rel);
    if (fixed) return fixed;
    const owner = serviceOwner(rel);
    return owner === undefined ? undefined : this.services.nodeAt(owner, rel);
  }

  has(rel: string): boolean {
    return this.node(rel) !== undefined;
  }

  lookup(rel: string, type: number): Lookup {
    return lookupIn(this.node(rel), type);
  }
}
