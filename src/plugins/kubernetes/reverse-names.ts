/**
 * The cluster's reverse names (absolute `in-addr.arpa.`/`ip6.arpa.` names), computed on demand:
 * a PTR question names one IP, and its targets come from the Services and slices indexed under
 * that IP (reverse-records.ts), so nothing is stored per IP beyond those indexes.
 */
import { Class, Type } from '../../dns/constants.js';
import { addressFromReverse, reverseName } from '../../dns/name.js';
import { lookupIn, type Lookup, type NameSet, type ZoneNode } from '../../zone/zone.js';

/** PTR targets (absolute names) of a canonical IP; empty when it has none. */
export type PtrTargets = (ip: string) => readonly string[];

/** Reverse names of the IPs the cluster knows. */
export class ReverseNames implements NameSet {
  constructor(
    private readonly targets: PtrTargets,
    /** Every indexed IP (for `size`); may repeat. */
    private readonly ips: () => Iterable<string>,
    private readonly ttl: number,
  ) {}

  /** Number of reverse names that exist: O(IPs), for diagnostics and tests. */
  get size(): number {
    const names = new Set<string>();
    for (const ip of this.ips()) {
      const name = reverseName(ip);
      if (name && !names.has(name) && this.targets(ip).length) names.add(name);
    }
    return names.size;
  }

  /** The PTR node of `qname` (a lower-case reverse name), or undefined when it does not exist. */
  node(qname: string): ZoneNode | undefined {
    const ip = addressFromReverse(qname);
    if (ip === undefined) return undefined;
    const targets = this.targets(ip);
    if (!targets.length) return undefined;
    const ttl = this.ttl;
    const rrs = targets.map((domain) => ({ name: qname, type: Type.PTR, class: Class.IN, ttl, domain }));
    return { rrsets: [{ kind: 'success', type: Type.PTR, rrs, extra: [] }] };
  }

  has(qname: string): boolean {
    return this.node(qname) !== undefined;
  }

  lookup(qname: string, type: number): Lookup {
    return lookupIn(this.node(qname), type);
  }
}
