/**
 * Parses `cache [TTL] [ZONES...] { ... }` into a frozen config, with CoreDNS's defaults and checks
 * (plugin/cache/setup.go). TTLs are whole seconds; other durations are milliseconds.
 */
import type { Directive } from '../../corefile/types.js';
import { argError, durationArg, single, wrongArgCount } from '../../plugin/args.js';
import { normalizeZone, pluginZones } from '../../plugin/zones.js';

/** The cache plugin's settings. */
export interface CacheConfig {
  readonly zones: readonly string[];
  /** Effective capacities (CoreDNS rounds to 256 shards of at least 4 entries). */
  readonly successCap: number;
  readonly denialCap: number;
  readonly successTtl: number;
  readonly successMinTtl: number;
  readonly denialTtl: number;
  readonly denialMinTtl: number;
  /** How long SERVFAIL/NOTIMP replies are kept (ms); 0 = not cached. */
  readonly servfail: number;
  /** Hits needed before prefetching; 0 = off. */
  readonly prefetch: number;
  readonly prefetchDuration: number;
  readonly prefetchPercentage: number;
  /** How long past expiry an entry may be served (ms); 0 = off. */
  readonly staleUpTo: number;
  readonly verifyStale: boolean;
  /** verify mode: how long to wait for the refresh before serving stale (ms); 0 = the upstream's own timeout. */
  readonly verifyStaleTimeout: number;
  /** TTL (s) given to stale answers. */
  readonly staleTtl: number;
  /** After a failed stale refresh, wait this long before another (ms); 0 = no wait. */
  readonly staleRecheck: number;
  readonly successDisabled: readonly string[];
  readonly denialDisabled: readonly string[];
  readonly keepTtl: boolean;
}

/** CoreDNS's defaults: 10000 requested (9984 effective), 3600 s / 1800 s max, 5 s min, 5 s SERVFAIL. */
export const DEFAULTS = {
  capacity: 10_000, successTtl: 3600, denialTtl: 1800, minTtl: 5, servfail: 5000,
  prefetchDuration: 60_000, prefetchPercentage: 10, staleUpTo: 3_600_000,
} as const;

const P = 'cache';
const SHARDS = 256;

/** CoreDNS's effective size: 256 shards of max(cap/256, 4) entries. */
export function effectiveCapacity(cap: number): number {
  return Math.max(Math.floor(cap / SHARDS), 4) * SHARDS;
}

function int(d: Directive, text: string): number {
  if (!/^[-+]?\d+$/.test(text)) throw argError(P, d, `not a number: '${text}'`);
  return Number(text);
}

function ttlArg(d: Directive, text: string): number {
  const n = int(d, text);
  if (n <= 0) throw argError(P, d, `cache TTL can not be zero or negative: ${n}`);
  return n;
}

function minTtlArg(d: Directive, text: string): number {
  const n = int(d, text);
  if (n < 0) throw argError(P, d, `cache min TTL can not be negative: ${n}`);
  return n;
}

/** `success|denial CAPACITY [TTL] [MINTTL]` */
function capLine(d: Directive): [number, number | undefined, number | undefined] {
  if (d.args.length < 1 || d.args.length > 3) throw wrongArgCount(P, d);
  const cap = int(d, d.args[0]!);
  if (cap < 0) throw argError(P, d, `cache capacity can not be negative: ${cap}`);
  return [cap, d.args[1] === undefined ? undefined : ttlArg(d, d.args[1]), d.args[2] === undefined ? undefined : minTtlArg(d, d.args[2])];
}

function staleTtlArg(d: Directive, text: string): number {
  const ms = durationArg(P, d, text);
  if (ms % 1000 !== 0) throw argError(P, d, 'serve_stale response TTL must be a whole number of seconds');
  if (ms / 1000 > 0xffffffff) throw argError(P, d, 'serve_stale response TTL exceeds the DNS TTL range');
  return ms / 1000;
}

function recheckArg(d: Directive, text: string): number {
  const ms = durationArg(P, d, text);
  if (ms > 300_000) throw argError(P, d, 'serve_stale failure recheck cannot exceed 5 minutes');
  return ms;
}

/** Parses the block's `cache` line (only one is allowed). */
export function parseCache(directives: readonly Directive[], blockZones: readonly string[]): CacheConfig {
  const d = single(P, directives);
  let args = d.args;
  let successTtl: number = DEFAULTS.successTtl;
  let denialTtl: number = DEFAULTS.denialTtl;
  // A first argument that is a number is the TTL; anything else is a zone (CoreDNS: strconv.Atoi).
  if (args.length > 0 && /^[-+]?\d+$/.test(args[0]!)) {
    successTtl = denialTtl = ttlArg(d, args[0]!);
    args = args.slice(1);
  }
  const zones = pluginZones(args, blockZones);
  if (!zones) throw argError(P, d, `invalid zone in '${args.join(' ')}'`);
  const c = {
    zones, successCap: DEFAULTS.capacity as number, denialCap: DEFAULTS.capacity as number, successTtl, successMinTtl: DEFAULTS.minTtl as number,
    denialTtl, denialMinTtl: DEFAULTS.minTtl as number, servfail: DEFAULTS.servfail as number, prefetch: 0,
    prefetchDuration: DEFAULTS.prefetchDuration as number, prefetchPercentage: DEFAULTS.prefetchPercentage as number,
    staleUpTo: 0, verifyStale: false, verifyStaleTimeout: 0, staleTtl: 0, staleRecheck: 0,
    successDisabled: [] as string[], denialDisabled: [] as string[], keepTtl: false,
  };
  for (const o of d.block ?? []) {
    const a = o.args;
    switch (o.name) {
      case 'success': {
        const [cap, ttl, min] = capLine(o);
        c.successCap = cap;
        if (ttl !== undefined) c.successTtl = ttl;
        if (min !== undefined) c.successMinTtl = min;
        break;
      }
      case 'denial': {
        const [cap, ttl, min] = capLine(o);
        c.denialCap = cap;
        if (ttl !== undefined) c.denialTtl = ttl;
        if (min !== undefined) c.denialMinTtl = min;
        break;
      }
      case 'prefetch': {
        if (a.length < 1 || a.length > 3) throw wrongArgCount(P, o);
        c.prefetch = int(o, a[0]!);
        if (c.prefetch < 0) throw argError(P, o, `prefetch amount should be positive: ${c.prefetch}`);
        if (a[1] !== undefined) c.prefetchDuration = durationArg(P, o, a[1]);
        if (a[2] !== undefined) {
          const m = /^(\d+)%$/.exec(a[2]);
          if (!m) throw argError(P, o, `last character of percentage should be '%', in: '${a[2]}'`);
          const pct = Number(m[1]);
          if (pct < 10 || pct > 90) throw argError(P, o, `percentage should fall in range [10, 90]: ${pct}`);
          c.prefetchPercentage = pct;
        }
        break;
      }
      case 'serve_stale': {
        if (a.length > 5) throw wrongArgCount(P, o);
        c.staleUpTo = a[0] === undefined ? DEFAULTS.staleUpTo : durationArg(P, o, a[0]);
        c.verifyStale = false;
        c.verifyStaleTimeout = c.staleTtl = c.staleRecheck = 0;
        if (a[1] !== undefined) {
          const mode = a[1].toLowerCase();
          if (mode !== 'immediate' && mode !== 'verify') throw argError(P, o, `invalid value for serve_stale refresh mode: ${a[1]}`);
          c.verifyStale = mode === 'verify';
        }
        // immediate [RESPONSE_TTL [FAILURE_RECHECK]] | verify [VERIFY_TIMEOUT [RESPONSE_TTL [FAILURE_RECHECK]]]
        const rest = a.slice(2);
        if (c.verifyStale && rest.length > 0) c.verifyStaleTimeout = durationArg(P, o, rest.shift());
        if (rest.length > 2) throw wrongArgCount(P, o);
        if (rest[0] !== undefined) c.staleTtl = staleTtlArg(o, rest[0]);
        if (rest[1] !== undefined) c.staleRecheck = recheckArg(o, rest[1]);
        break;
      }
      case 'serve_stale_policy':
        throw argError(P, o, "'serve_stale_policy' is not supported by this cache plugin");
      case 'servfail': {
        if (a.length !== 1) throw wrongArgCount(P, o);
        c.servfail = durationArg(P, o, a[0]);
        // RFC 2308 §7.1: SERVFAIL must not be cached for longer than five minutes.
        if (c.servfail > 300_000) throw argError(P, o, 'caching SERVFAIL responses over 5 minutes is not permitted');
        break;
      }
      case 'disable': {
        if (a.length < 1) throw wrongArgCount(P, o);
        const zs: string[] = [];
        for (const z of a.length > 1 ? a.slice(1) : ['.']) {
          const n = normalizeZone(z);
          if (!n) throw argError(P, o, `invalid disabled zone: ${z}`);
          zs.push(...n);
        }
        if (a[0] === 'success') c.successDisabled = zs;
        else if (a[0] === 'denial') c.denialDisabled = zs;
        else throw argError(P, o, `cache type for disable must be "success" or "denial"`);
        break;
      }
      case 'keepttl':
        if (a.length !== 0) throw wrongArgCount(P, o);
        c.keepTtl = true;
        break;
      default:
        throw argError(P, o, `unknown property '${o.name}'`);
    }
  }
  return Object.freeze({
    ...c, successCap: effectiveCapacity(c.successCap), denialCap: effectiveCapacity(c.denialCap),
    zones: Object.freeze(c.zones), successDisabled: Object.freeze(c.successDisabled), denialDisabled: Object.freeze(c.denialDisabled),
  });
}
