/**
 * Server block keys -> (zone, port) pairs, as CoreDNS's dnsserver does: an optional `dns://`
 * scheme, a zone or CIDR, an optional `:port`. A CIDR key expands to its reverse zones.
 */
import { fqdn, splitLabels } from '../dns/name.js';
import { normalizeZone } from '../plugin/zones.js';
import { ConfigError } from './config-error.js';
import type { ServerBlock } from './types.js';

/** One zone a server block serves, on one port. */
export interface ZoneKey {
  scheme: 'dns';
  /** Lower-case FQDN. */
  zone: string;
  port: number;
}

/** Schemes CoreDNS knows but clusterdns does not serve (plain DNS over UDP/TCP only). */
const UNSUPPORTED = ['tls', 'grpc', 'https', 'https3', 'quic', 'unix'] as const;

/**
 * Parses one server block key (`.:53`, `dns://cluster.local`, `10.0.0.0/24:1053`) into the zones it
 * names, all on one port (`defaultPort` when none is written). Throws ConfigError (without position:
 * the caller knows the block) for an unsupported scheme, a bad port, zone or CIDR.
 */
export function parseKey(key: string, defaultPort: number): ZoneKey[] {
  let rest = key;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(rest);
  if (scheme) {
    const name = scheme[1]!.toLowerCase();
    if ((UNSUPPORTED as readonly string[]).includes(name)) {
      throw new ConfigError(`unsupported scheme '${name}://' in '${key}': clusterdns serves dns:// only`);
    }
    if (name !== 'dns') throw new ConfigError(`unknown scheme '${name}://' in '${key}'`);
    rest = rest.slice(scheme[0].length);
  }

  let port = defaultPort;
  // The port is what follows the last colon; an IPv6 CIDR always has its /mask after that colon.
  const colon = rest.lastIndexOf(':');
  if (colon === rest.length - 1 && colon >= 0) throw new ConfigError(`expecting data after last colon: '${key}'`);
  if (colon >= 0 && !rest.slice(colon + 1).includes('/')) {
    const text = rest.slice(colon + 1);
    if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new ConfigError(`invalid port '${text}' in '${key}'`);
    port = Number(text);
    rest = rest.slice(0, colon);
  }

  if (rest.length > 255) throw new ConfigError(`specified zone is too long: ${rest.length} > 255`);
  if (rest.includes('/')) {
    // CoreDNS refuses these IPv6 forms even when they parse (plugin.SplitHostPort).
    const zones = rest.startsWith(':') || (rest.startsWith('0') && rest.includes(':')) ? undefined : normalizeZone(rest);
    if (!zones) throw new ConfigError(`invalid CIDR ${rest}`);
    return zones.map((zone) => ({ scheme: 'dns', zone, port }));
  }
  const zones = normalizeZone(rest);
  if (!zones || !isDomainName(zones[0]!)) throw new ConfigError(`zone is not a valid domain name: ${rest}`);
  return zones.map((zone) => ({ scheme: 'dns', zone, port }));
}

/** True for a presentation-form FQDN with no empty label, labels of at most 63 octets. */
function isDomainName(name: string): boolean {
  if (name === '.') return true;
  if (/[\s]/.test(name)) return false;
  const labels = splitLabels(fqdn(name));
  return labels.every((l) => l.length > 0 && l.replace(/\\(\d{3}|.)/g, 'x').length <= 63);
}

/** One zone of one server block on one port. */
export interface ZoneBinding extends ZoneKey {
  /** The key as written. */
  key: string;
  block: ServerBlock;
}

/**
 * Groups every block's zones by port, in Corefile order. Two blocks (or two keys of one block)
 * claiming the same zone on the same port is an error, as in CoreDNS: "cannot serve ... already defined".
 */
export function groupByPort(blocks: readonly ServerBlock[], defaultPort: number): Map<number, ZoneBinding[]> {
  const byPort = new Map<number, ZoneBinding[]>();
  const seen = new Set<string>();
  for (const block of blocks) {
    for (const key of block.keys) {
      let zones: ZoneKey[];
      try {
        zones = parseKey(key, defaultPort);
      } catch (e) {
        if (e instanceof ConfigError && !e.pos) throw new ConfigError(e.reason, block);
        throw e;
      }
      for (const z of zones) {
        const id = `${z.zone}:${z.port}`;
        if (seen.has(id)) throw new ConfigError(`cannot serve dns://${z.zone}:${z.port} - it is already defined`, block);
        seen.add(id);
        const list = byPort.get(z.port) ?? [];
        list.push({ ...z, key, block });
        byPort.set(z.port, list);
      }
    }
  }
  return byPort;
}
