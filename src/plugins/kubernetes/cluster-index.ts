/**
 * A multimap for the cluster's indexes (IP -> objects, namespace -> objects...). Most keys have
 * one value, kept as a plain string; only keys with several get a Set.
 */

/** key -> values; a single value is kept as a string. */
export type Index = Map<string, string | Set<string>>;

/** Adds `value` under `key`. */
export function add(index: Index, key: string, value: string): void {
  const got = index.get(key);
  if (got === undefined) index.set(key, value);
  else if (typeof got === 'string') {
    if (got !== value) index.set(key, new Set([got, value]));
  } else got.add(value);
}

/** Removes `value` from under `key`. */
export function remove(index: Index, key: string, value: string): void {
  const got = index.get(key);
  if (got === undefined) return;
  if (typeof got === 'string') {
    if (got === value) index.delete(key);
    return;
  }
  got.delete(value);
  if (got.size === 1) index.set(key, got.values().next().value!);
  else if (got.size === 0) index.delete(key);
}

const NONE: readonly string[] = Object.freeze([]);

/** The values under `key`, in insertion order. */
export function values(index: Index, key: string): Iterable<string> {
  const got = index.get(key);
  return got === undefined ? NONE : typeof got === 'string' ? [got] : got;
}
