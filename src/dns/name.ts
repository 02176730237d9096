/**
 * Domain-name helpers. Names are kept in presentation form: labels joined by '.', ending in '.',
 * with '.', '\\' and bytes outside printable ASCII escaped as miekg/dns does (`\.`, `\\`, `\DDD`),
 * so a label holding a dot or binary bytes survives a round trip byte-exact.
 */

/** Lower-cases ASCII letters only (DNS case-insensitivity is ASCII-only, RFC 4343). */
export function lower(name: string): string {
  // Fast path: most names are already lower case.
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 65 && c <= 90) return name.replace(/[A-Z]+/g, (s) => s.toLowerCase());
  }
  return name;
}

/** Adds the trailing root dot if missing. */
export function fqdn(name: string): string {
  return name.endsWith('.') && !name.endsWith('\\.') ? name : `${name}.`;
}

/** Splits a presentation name into its labels (escapes kept as written). The root has none. */
export function splitLabels(name: string): string[] {
  if (name === '.' || name === '') return [];
  const labels: string[] = [];
  let start = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 92 /* \ */) { i++; continue; }
    if (c === 46 /* . */) {
      labels.push(name.slice(start, i));
      start = i + 1;
    }
  }
  if (start < name.length) labels.push(name.slice(start));
  return labels;
}

/** Number of labels. */
export function countLabels(name: string): number {
  return splitLabels(name).length;
}

/** True when `name` equals `zone` or lies below it (both lower-case FQDNs). */
export function isSubdomain(name: string, zone: string): boolean {
  if (zone === '.') return true;
  if (name.length < zone.length) return false;
  if (name.length === zone.length) return name === zone;
  if (!name.endsWith(zone)) return false;
  // The character before the zone must be an unescaped label separator.
  const i = name.length - zone.length - 1;
  if (name.charCodeAt(i) !== 46) return false;
  let backslashes = 0;
  for (let j = i - 1; j >= 0 && name.charCodeAt(j) === 92; j--) backslashes++;
  return backslashes % 2 === 0;
}

/** Longest zone of `zones` containing `name`, or undefined. */
export function matchZone(name: string, zones: readonly string[]): string | undefined {
  let best: string | undefined;
  // Indexed, not for-of: this runs on every wire-cache hit, where an iterator would be garbage.
  for (let i = 0; i < zones.length; i++) {
    const z = zones[i]!;
    if (isSubdomain(name, z) && (best === undefined || z.length > best.length)) best = z;
  }
  return best;
}

/**
 * The wire byte that presentation text spells at `i` (before `end`), as miekg/dns reads escapes:
 * `\DDD` (three digits, mod 256), `\X` (X itself), else the character's low byte. Returns
 * byte | (characters read << 8), so that callers writing into a buffer allocate nothing.
 */
export function escapedByteAt(text: string, i: number, end: number): number {
  const c = text.charCodeAt(i);
  if (c !== 92 || i + 1 >= end) return (c & 0xff) | (1 << 8);
  const d = text.charCodeAt(i + 1);
  const d2 = text.charCodeAt(i + 2);
  const d3 = text.charCodeAt(i + 3);
  if (i + 3 < end && d >= 48 && d <= 57 && d2 >= 48 && d2 <= 57 && d3 >= 48 && d3 <= 57) {
    return (((d - 48) * 100 + (d2 - 48) * 10 + (d3 - 48)) & 0xff) | (4 << 8);
  }
  return (d & 0xff) | (2 << 8);
}

/** Decodes one escaped presentation label into its wire bytes. */
export function labelToBytes(label: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < label.length; ) {
    const r = escapedByteAt(label, i, label.length);
    out.push(r & 0xff);
    i += r >> 8;
  }
  return out;
}

/** Presentation form of one wire label (bytes `buf[start, end)`). */
export function bytesToLabel(buf: Uint8Array, start: number, end: number): string {
  // Fast path: a label of plain printable bytes (nearly all of them) is its latin1 text.
  let plain = true;
  for (let i = start; i < end; i++) {
    const b = buf[i]!;
    if (b === 46 || b === 92 || b < 33 || b > 126) {
      plain = false;
      break;
    }
  }
  if (plain) return String.fromCharCode.apply(null, buf.subarray(start, end) as unknown as number[]);
  let s = '';
  for (let i = start; i < end; i++) {
    const b = buf[i]!;
    if (b === 46 || b === 92) s += `\\${String.fromCharCode(b)}`;
    else if (b < 33 || b > 126) s += `\\${b.toString().padStart(3, '0')}`;
    else s += String.fromCharCode(b);
  }
  return s;
}

/** Wire length of a presentation name (uncompressed), or -1 if a label or the name is too long. */
export function wireLength(name: string): number {
  let len = 1;
  for (const label of splitLabels(name)) {
    const n = labelToBytes(label).length;
    if (n === 0 || n > 63) return -1;
    len += n + 1;
  }
  return len > 255 ? -1 : len;
}

/** Reverse-lookup name for an IPv4 or IPv6 address (`in-addr.arpa.` / nibble `ip6.arpa.`). */
export function reverseName(ip: string): string | undefined {
  if (ip.includes(':')) {
    const bytes = ipv6ToBytes(ip);
    if (!bytes) return undefined;
    const nibbles: string[] = [];
    for (let i = 15; i >= 0; i--) {
      nibbles.push((bytes[i]! & 0xf).toString(16), (bytes[i]! >> 4).toString(16));
    }
    return `${nibbles.join('.')}.ip6.arpa.`;
  }
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  return `${parts.reverse().join('.')}.in-addr.arpa.`;
}

/** Address for a reverse name, or undefined when the name is not a complete reverse name. */
export function addressFromReverse(name: string): string | undefined {
  const n = lower(name);
  if (n.endsWith('.in-addr.arpa.')) {
    const parts = n.slice(0, -'.in-addr.arpa.'.length).split('.');
    if (parts.length !== 4) return undefined;
    if (!parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
    return parts.reverse().join('.');
  }
  if (n.endsWith('.ip6.arpa.')) {
    const parts = n.slice(0, -'.ip6.arpa.'.length).split('.');
    if (parts.length !== 32 || !parts.every((p) => /^[0-9a-f]$/.test(p))) return undefined;
    const hex = parts.reverse().join('');
    const groups: string[] = [];
    for (let i = 0; i < 32; i += 4) groups.push(hex.slice(i, i + 4).replace(/^0{1,3}/, ''));
    return compressIPv6(groups.join(':'));
  }
  return undefined;
}

/** 16 bytes of an IPv6 address, or undefined if it does not parse. */
export function ipv6ToBytes(ip: string): Uint8Array | undefined {
  let s = ip;
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    const v4 = s.slice(lastColon + 1).split('.').map(Number);
    if (v4.length !== 4 || v4.some((x) => !(x >= 0 && x <= 255))) return undefined;
    tail = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    s = `${s.slice(0, lastColon + 1)}`;
    if (s.endsWith('::')) s += '';
    else s = s.slice(0, -1);
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parse = (h: string) => (h === '' ? [] : h.split(':').map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  const groupsKnown = head.length + rest.length + tail.length;
  if (halves.length === 1 && groupsKnown !== 8) return undefined;
  if (halves.length === 2 && groupsKnown > 7) return undefined;
  const groups = [...head, ...new Array(8 - groupsKnown).fill(0), ...rest, ...tail];
  if (groups.some((g) => Number.isNaN(g))) return undefined;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => { out[2 * i] = g >> 8; out[2 * i + 1] = g & 0xff; });
  return out;
}

/** RFC 5952 canonical text of an IPv6 address given as colon groups. */
export function compressIPv6(ip: string): string {
  const bytes = ipv6ToBytes(ip);
  if (!bytes) return ip;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  if (bestLen < 2) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLen).join(':')}`;
}
