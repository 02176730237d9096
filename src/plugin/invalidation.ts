/**
 * Process-wide cache invalidation, beyond CoreDNS: the kubernetes plugin calls `onZoneChanged`
 * when its data under a zone changes, and every live cache instance drops its entries at and
 * below that zone, so a new Service is never hidden behind a cached NXDOMAIN (coredns#2327).
 * Pass the narrowest zone that changed (a service's name, a namespace): each call walks the
 * entries of every cache.
 */
import { normalizeZone } from './zones.js';

/** Something holding entries by name: a cache instance. */
export interface ZoneDropper {
  /** Drops entries at or below `zone` (lower-case FQDN); returns how many. */
  invalidateZone(zone: string): number;
}

const targets = new Set<ZoneDropper>();

/** Subscribes a cache; the returned function unsubscribes it (on shutdown or reload). */
export function registerCache(target: ZoneDropper): () => void {
  targets.add(target);
  return () => {
    targets.delete(target);
  };
}

/**
 * Drops entries at or below `zone` (any case, with or without the final dot, or a CIDR) in every
 * registered cache; returns the number dropped. Text that is not a zone drops nothing.
 */
export function invalidateZone(zone: string): number {
  const zones = normalizeZone(zone);
  if (!zones) return 0;
  let dropped = 0;
  for (const t of targets) for (const z of zones) dropped += t.invalidateZone(z);
  return dropped;
}

/** What the kubernetes plugin calls when data under `zone` changed; same as `invalidateZone`. */
export function onZoneChanged(zone: string): void {
  invalidateZone(zone);
}

/** Number of registered caches (for tests and diagnostics). */
export function registeredCaches(): number {
  return targets.size;
}
