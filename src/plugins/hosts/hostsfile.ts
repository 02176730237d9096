/** hosts(5) text -> lookup maps, as CoreDNS's hosts plugin builds them (a port of Go's net/hosts.go idea). */
import { compressIPv6, fqdn, ipv6ToBytes, lower, matchZone, splitLabels } from '../../dns/name.js';

/** A parsed address: its family and canonical text (Go's net.IP.String()). */
export interface HostAddr {
  readonly family: 1 | 2;
  readonly ip: string;
}

/** Parses an address as Go's net.ParseIP does (an IPv6 zone is dropped, IPv4-mapped reads as IPv4). */
export function parseIP(text: string): HostAddr | undefined {
  const s = text.includes('%') ? text.slice(0, text.indexOf('%')) : text;
  if (!s.includes(':')) {
    const parts = s.split('.');
    // Go rejects leading zeros (ambiguous octal) since 1.17.
    if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
    return { family: 1, ip: parts.join('.') };
  }
  const b = ipv6ToBytes(s);
  if (!b) return undefined;
  if (b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) {
    return { family: 1, ip: `${b[12]}.${b[13]}.${b[14]}.${b[15]}` };
  }
  return { family: 2, ip: compressIPv6(s) };
}

/** Lookup maps of one hosts source (the file or the inline lines). Names are lower-case FQDNs. */
export interface HostsMap {
  readonly name4: Map<string, string[]>;
  readonly name6: Map<string, string[]>;
  /** Wildcard owners (`*.example.org.`): match exactly one more label. */
  readonly wild4: Map<string, string[]>;
  readonly wild6: Map<string, string[]>;
  /** Canonical address -> names, for PTR (empty with no_reverse). */
  readonly addr: Map<string, string[]>;
}

/** An empty map. */
export function emptyMap(): HostsMap {
  return { name4: new Map(), name6: new Map(), wild4: new Map(), wild6: new Map(), addr: new Map() };
}

function add(m: Map<string, string[]>, key: string, value: string): void {
  const list = m.get(key);
  if (list) list.push(value);
  else m.set(key, [value]);
}

/** Number of entries, as CoreDNS counts them for `coredns_hosts_entries`. */
export function mapSize(m: HostsMap): number {
  let n = 0;
  for (const part of [m.name4, m.name6, m.wild4, m.wild6, m.addr]) for (const v of part.values()) n += v.length;
  return n;
}

/**
 * Parses hosts-file text. Lines without an address and at least one name are skipped, as are
 * names outside `origins` (they get no reverse entry either). Wildcard names get no PTR.
 */
export function parseHosts(text: string, origins: readonly string[], autoReverse: boolean): HostsMap {
  const m = emptyMap();
  for (const raw of text.split('\n')) {
    const hash = raw.indexOf('#');
    const fields = (hash >= 0 ? raw.slice(0, hash) : raw).trim().split(/\s+/);
    if (fields.length < 2) continue;
    const addr = parseIP(fields[0]!);
    if (!addr) continue;
    for (const f of fields.slice(1)) {
      const name = lower(fqdn(f));
      if (matchZone(name, origins) === undefined) continue;
      if (name.startsWith('*.')) {
        add(addr.family === 1 ? m.wild4 : m.wild6, name, addr.ip);
        continue;
      }
      add(addr.family === 1 ? m.name4 : m.name6, name, addr.ip);
      if (autoReverse) add(m.addr, addr.ip, name);
    }
  }
  return m;
}

/** Addresses for `qname` (lower-case FQDN) in one family: exact owner first, else the `*.parent` wildcard. */
export function lookupName(m: HostsMap, qname: string, family: 1 | 2): readonly string[] {
  const exact = (family === 1 ? m.name4 : m.name6).get(qname);
  if (exact) return exact;
  const wild = family === 1 ? m.wild4 : m.wild6;
  if (wild.size === 0) return [];
  const labels = splitLabels(qname);
  if (labels.length < 2) return [];
  return wild.get(`*.${labels.slice(1).join('.')}.`) ?? [];
}
