/**
 * The in-memory answer tree: names -> RRsets, precomputed, with a synchronous lookup that says
 * `success`, `nodata` (the name exists, not with that type) or `nxdomain`, as hickory-dns's
 * authority layer does. It knows DNS, not Kubernetes.
 *
 * Existence is explicit, not derived from the tree: a name exists when some contributor said so.
 * (CoreDNS's kubernetes plugin does not treat every parent of a name as an empty non-terminal:
 * `dns.cluster.local.` is NXDOMAIN below an existing `ns.dns.cluster.local.`.)
 *
 * Contributors are named groups (one Service, one IP, one Namespace...): `put(group, entries)`
 * replaces what that group said before, touching only its names, so one object change costs
 * O(that object's names), not O(zone). A name several groups contribute to gets their records
 * merged per type, duplicates dropped. Most names have one group; that case stores the group's
 * arrays as they are (a group must not repeat a record within one name and type).
 *
 * Names too many to store can be computed per question instead: `NameSet` is what lookups need,
 * and `nodeOf` turns one group's entries for a name into the node a Zone would hold.
 */
import type { RR } from '../dns/message.js';
import { rdataKey } from './rdata-key.js';

/** An RRset and the records that travel with it in the additional section (SRV glue); a lookup hit. */
export interface RRset {
  readonly kind: 'success';
  readonly rrs: readonly RR[];
  readonly extra: readonly RR[];
}

/** What one group says about one name: it exists, and (with `type`) holds these records. */
export interface Entry {
  readonly name: string;
  readonly type?: number;
  readonly rrs?: readonly RR[];
  readonly extra?: readonly RR[];
}

/** A lookup result. Hits are the stored RRset itself: a hit allocates nothing. */
export type Lookup = RRset | { readonly kind: 'nodata' } | { readonly kind: 'nxdomain' };

/** The shared `nodata` result. */
export const NODATA: Lookup = Object.freeze({ kind: 'nodata' });
/** The shared `nxdomain` result. */
export const NXDOMAIN: Lookup = Object.freeze({ kind: 'nxdomain' });

/** An RRset with its type, as a node keeps it. */
export interface TypedRRset extends RRset {
  readonly type: number;
}

/** One existing name, as lookups see it. */
export interface ZoneNode {
  /** Its RRsets (a name has a handful: a short array beats a Map in size and speed). */
  readonly rrsets: readonly TypedRRset[];
}

/** Names a lookup can search: a Zone, or names computed on demand from other data. */
export interface NameSet {
  /** Number of names that exist (may cost O(names) when they are computed). */
  readonly size: number;
  /** The node of `name`, or undefined when the name does not exist. */
  node(name: string): ZoneNode | undefined;
  /** True when `name` exists. */
  has(name: string): boolean;
  /** Looks up `name` and `type`. */
  lookup(name: string, type: number): Lookup;
}

/** The lookup result for `type` at `node` (undefined node: the name does not exist). */
export function lookupIn(node: ZoneNode | undefined, type: number): Lookup {
  return node ? (rrsetOf(node, type) ?? NODATA) : NXDOMAIN;
}

/** The RRset of `type` at `node`, if any. */
export function rrsetOf(node: ZoneNode, type: number): RRset | undefined {
  const sets = node.rrsets;
  for (let i = 0; i < sets.length; i++) if (sets[i]!.type === type) return sets[i];
  return undefined;
}

interface MutableNode extends ZoneNode {
  /** The first group, and its own RRsets when `others` exist (otherwise they are `rrsets`). */
  group: string;
  own: TypedRRset[] | undefined;
  /** Other groups' RRsets, only when several groups contribute. */
  others: Map<string, TypedRRset[]> | undefined;
  rrsets: TypedRRset[];
}

const EMPTY: readonly RR[] = Object.freeze([]);

/** A set of names with their RRsets, updated group by group. */
export class Zone implements NameSet {
  private readonly nodes = new Map<string, MutableNode>();
  /** Names of each group: one name is kept as a string (most groups, e.g. a PTR, have one). */
  private readonly groups = new Map<string, string | readonly string[]>();

  /** Number of names that exist. */
  get size(): number {
    return this.nodes.size;
  }

  /** Looks up `name` (as stored: the caller's normalized form) and `type`. */
  lookup(name: string, type: number): Lookup {
    return lookupIn(this.nodes.get(name), type);
  }

  /** The node of `name`, or undefined when the name does not exist. */
  node(name: string): ZoneNode | undefined {
    return this.nodes.get(name);
  }

  /** True when `name` exists. */
  has(name: string): boolean {
    return this.nodes.has(name);
  }

  /** Names `group` currently contributes. */
  namesOf(group: string): readonly string[] {
    const got = this.groups.get(group);
    return got === undefined ? [] : typeof got === 'string' ? [got] : got;
  }

  /** Replaces everything `group` contributed with `entries` (an empty list removes the group). */
  put(group: string, entries: readonly Entry[]): void {
    const byName = new Map<string, TypedRRset[]>();
    for (const e of entries) {
      let sets = byName.get(e.name);
      if (!sets) byName.set(e.name, (sets = []));
      if (e.type !== undefined && e.rrs?.length) addRRset(sets, e.type, e.rrs, e.extra ?? EMPTY);
    }
    for (const name of this.namesOf(group)) if (!byName.has(name)) this.withdraw(group, name);
    // slice(): pushed arrays carry spare capacity, and nodes live long.
    for (const [name, sets] of byName) this.contribute(group, name, sets.slice());
    if (byName.size === 0) this.groups.delete(group);
    else this.groups.set(group, byName.size === 1 ? byName.keys().next().value! : [...byName.keys()]);
  }

  /** Removes everything `group` contributed. */
  drop(group: string): void {
    this.put(group, []);
  }

  private contribute(group: string, name: string, sets: TypedRRset[]): void {
    const node = this.nodes.get(name);
    if (!node) {
      this.nodes.set(name, { group, own: undefined, others: undefined, rrsets: sets });
      return;
    }
    if (node.group === group) {
      if (node.others) node.own = sets;
      else node.rrsets = sets;
    } else {
      if (!node.others) {
        node.own = node.rrsets;
        node.others = new Map();
      }
      node.others.set(group, sets);
    }
    if (node.others) node.rrsets = merged([node.own!, ...node.others.values()]);
  }

  private withdraw(group: string, name: string): void {
    const node = this.nodes.get(name);
    if (!node) return;
    if (!node.others) {
      if (node.group === group) this.nodes.delete(name);
      return;
    }
    if (node.group === group) {
      const [next, sets] = node.others.entries().next().value!;
      node.others.delete(next);
      node.group = next;
      node.own = sets;
    } else {
      node.others.delete(group);
    }
    if (node.others.size === 0) {
      node.rrsets = node.own!;
      node.own = undefined;
      node.others = undefined;
    } else {
      node.rrsets = merged([node.own!, ...node.others.values()]);
    }
  }
}

/**
 * The node a Zone holding only `entries` (one group) would have at `name`, or undefined when no
 * entry names it: for names computed on demand instead of stored.
 */
export function nodeOf(entries: readonly Entry[], name: string): ZoneNode | undefined {
  let sets: TypedRRset[] | undefined;
  for (const e of entries) {
    if (e.name !== name) continue;
    sets ??= [];
    if (e.type !== undefined && e.rrs?.length) addRRset(sets, e.type, e.rrs, e.extra ?? EMPTY);
  }
  return sets && { rrsets: sets };
}

/** Adds records of `type` to a group's RRsets (a group's own arrays are used as they are). */
function addRRset(sets: TypedRRset[], type: number, rrs: readonly RR[], extra: readonly RR[]): void {
  const i = sets.findIndex((r) => r.type === type);
  if (i < 0) sets.push({ kind: 'success', type, rrs, extra });
  else sets[i] = { kind: 'success', type, rrs: [...sets[i]!.rrs, ...rrs], extra: [...sets[i]!.extra, ...extra] };
}

/** RRsets of several groups, duplicate records (and glue) dropped. */
function merged(groups: readonly TypedRRset[][]): TypedRRset[] {
  const rrs = new Map<number, Map<string, RR>>();
  const extra = new Map<number, Map<string, RR>>();
  for (const sets of groups) {
    for (const set of sets) {
      let got = rrs.get(set.type);
      if (!got) {
        got = new Map();
        rrs.set(set.type, got);
        extra.set(set.type, new Map());
      }
      for (const rr of set.rrs) {
        const k = rdataKey(rr);
        if (!got.has(k)) got.set(k, rr);
      }
      const glue = extra.get(set.type)!;
      for (const rr of set.extra) {
        const k = `${rr.name}\u0000${rdataKey(rr)}`;
        if (!glue.has(k)) glue.set(k, rr);
      }
    }
  }
  const out: TypedRRset[] = [];
  for (const [type, set] of rrs) out.push({ kind: 'success', type, rrs: [...set.values()], extra: [...extra.get(type)!.values()] });
  return out;
}
