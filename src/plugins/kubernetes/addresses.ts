/** IP text -> record type and data, and the dashed form of an IP used as an endpoint or pod name. */
import { isIPv6 } from 'node:net';
import { Type } from '../../dns/constants.js';
import { compressIPv6, ipv6ToBytes } from '../../dns/name.js';

/** An address as a record: A or AAAA and its canonical text. */
export interface AddressRecord {
  readonly type: typeof Type.A | typeof Type.AAAA;
  readonly address: string;
}

/**
 * The record for an IP literal, or undefined when `ip` is not one. An IPv4-mapped IPv6 address is
 * an A record, as Go's net.IP.To4 makes it in CoreDNS.
 */
export function addressRecord(ip: string): AddressRecord | undefined {
  if (!ip.includes(':')) return isDottedQuad(ip) ? { type: Type.A, address: ip } : undefined;
  if (!isIPv6(ip) || ip.includes('%')) return undefined;
  const b = ipv6ToBytes(ip);
  if (!b) return undefined;
  if (b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) {
    return { type: Type.A, address: `${b[12]}.${b[13]}.${b[14]}.${b[15]}` };
  }
  return { type: Type.AAAA, address: compressIPv6(ip) };
}

/** Strict dotted-quad IPv4 (no leading zeros, as Go's net.ParseIP); a hand loop, it runs per endpoint. */
export function isDottedQuad(ip: string): boolean {
  let parts = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= ip.length; i++) {
    const c = i < ip.length ? ip.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || value > 255 || ++parts > 4) return false;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits === 1 && value === 0) return false;
      value = value * 10 + (c - 48);
      if (++digits > 3) return false;
    } else {
      return false;
    }
  }
  return parts === 4;
}

/** Canonical text of an IP (IPv6 compressed per RFC 5952), for use as a map key. */
export function canonicalIP(ip: string): string {
  return isIPv6(ip) ? compressIPv6(ip) : ip;
}

/** `10.0.0.1` -> `10-0-0-1`; `fd00::1` -> `fd00--1`; a trailing `-` gets a `0` (CoreDNS endpointHostname). */
export function dashedIP(ip: string): string {
  if (ip.includes('.')) return ip.replaceAll('.', '-');
  if (ip.includes(':')) {
    const d = ip.replaceAll(':', '-');
    return d.endsWith('-') ? `${d}0` : d;
  }
  return '';
}

/**
 * The IP a pod label names, as CoreDNS's findPods reads it: three dashes and no `--` is IPv4,
 * anything else is IPv6 with dashes for colons. The text is returned unparsed.
 */
export function ipFromDashed(label: string): string {
  let dashes = 0;
  for (let i = 0; i < label.length; i++) if (label.charCodeAt(i) === 45) dashes++;
  if (dashes === 3 && !label.includes('--')) return label.replaceAll('-', '.');
  return label.replaceAll('-', ':');
}
