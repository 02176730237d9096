/** Zone arguments as plugins take them: names, FQDN-ified and lower-cased; CIDRs as reverse zones. */
import { fqdn, lower, isSubdomain, ipv6ToBytes } from '../dns/name.js';

/**
 * Normalizes one zone argument. `10.0.0.0/8` -> `10.in-addr.arpa.`; a prefix off an octet (nibble)
 * boundary expands to every covering zone, as CoreDNS's plugin.Host.NormalizeExact does.
 * Returns undefined when the text is not a valid zone or CIDR.
 */
export function normalizeZone(text: string): string[] | undefined {
  let s = text;
  const scheme = /^(dns|tls|grpc|https|quic):\/\//i.exec(s);
  if (scheme) s = s.slice(scheme[0].length);
  const slash = s.indexOf('/');
  if (slash >= 0) return cidrZones(s.slice(0, slash), s.slice(slash + 1));
  // Strip a :port suffix (server-block keys carry one).
  const portAt = s.lastIndexOf(':');
  if (portAt > 0 && !s.slice(0, portAt).includes(':') && /^\d+$/.test(s.slice(portAt + 1))) s = s.slice(0, portAt);
  if (s === '') s = '.';
  if (/\s/.test(s)) return undefined;
  return [lower(fqdn(s))];
}

function cidrZones(addr: string, bitsText: string): string[] | undefined {
  if (!/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  if (addr.includes(':')) {
    const bytes = ipv6ToBytes(addr);
    if (!bytes || bits > 128) return undefined;
    const nibbles: number[] = [];
    for (const b of bytes) nibbles.push(b >> 4, b & 0xf);
    const whole = Math.floor(bits / 4);
    const rest = bits % 4;
    const base = nibbles.slice(0, whole);
    const variants = rest === 0 ? [base] : expand(nibbles[whole]!, rest, 4).map((n) => [...base, n]);
    return variants.map((v) => `${v.map((n) => n.toString(16)).reverse().join('.')}${v.length ? '.' : ''}ip6.arpa.`);
  }
  const parts = addr.split('.');
  if (parts.length !== 4 || bits > 32 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  const octets = parts.map(Number);
  const whole = Math.floor(bits / 8);
  const rest = bits % 8;
  const base = octets.slice(0, whole);
  const variants = rest === 0 ? [base] : expand(octets[whole]!, rest, 8).map((n) => [...base, n]);
  return variants.map((v) => `${[...v].reverse().join('.')}${v.length ? '.' : ''}in-addr.arpa.`);
}

/** All values of a `width`-bit unit whose top `bits` bits equal those of `value`. */
function expand(value: number, bits: number, width: number): number[] {
  const free = width - bits;
  const start = (value >> free) << free;
  return Array.from({ length: 1 << free }, (_, i) => start + i);
}

/**
 * A plugin's zones: its arguments normalized, or the server block's zones when none are given.
 * Arguments outside every block zone are kept (CoreDNS warns but allows).
 */
export function pluginZones(args: readonly string[], blockZones: readonly string[]): string[] | undefined {
  if (args.length === 0) return [...blockZones];
  const out: string[] = [];
  for (const a of args) {
    const z = normalizeZone(a);
    if (!z) return undefined;
    out.push(...z);
  }
  return out;
}

/** `fallthrough [ZONES...]`: which names may pass to the next plugin. */
export class Fallthrough {
  private constructor(private readonly zones: readonly string[] | null) {}

  /** No fallthrough at all. */
  static none(): Fallthrough {
    return new Fallthrough([]);
  }

  /** From the directive's arguments: none = all zones. */
  static from(args: readonly string[]): Fallthrough | undefined {
    if (args.length === 0) return new Fallthrough(null);
    const zones: string[] = [];
    for (const a of args) {
      const z = normalizeZone(a);
      if (!z) return undefined;
      zones.push(...z);
    }
    return new Fallthrough(zones);
  }

  /** True when a query for `qname` may fall through. */
  through(qname: string): boolean {
    if (this.zones === null) return true;
    return this.zones.some((z) => isSubdomain(qname, z));
  }
}
