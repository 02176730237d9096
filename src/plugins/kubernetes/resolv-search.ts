/**
 * The host's resolv.conf search list, which CoreDNS's autopath walks after the pod's own
 * `<ns>.svc.<zone> svc.<zone> <zone>` (plugin/kubernetes/setup.go searchFromResolvConf).
 */
import { readFileSync } from 'node:fs';
import { fqdn, lower } from '../../dns/name.js';

/** Parses resolv.conf text: the last `search` or `domain` line wins, as in the resolver. */
export function parseResolvSearch(text: string): string[] {
  let search: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'search') search = rest;
    else if (key === 'domain' && rest[0]) search = [rest[0]];
  }
  return search.filter(Boolean).map((s) => lower(fqdn(s)));
}

/** The search list of `path` (default /etc/resolv.conf); empty when it cannot be read. */
export function readResolvSearch(path = '/etc/resolv.conf'): string[] {
  try {
    return parseResolvSearch(readFileSync(path, 'utf8'));
  } catch {
    return [];
  }
}
