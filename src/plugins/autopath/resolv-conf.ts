/** The search list of a resolv.conf-like file, read as miekg/dns's ClientConfigFromFile reads it. */
import { readFileSync } from 'node:fs';
import { fqdn, lower } from '../../dns/name.js';

/**
 * The `search` (or single `domain`) list of `text`; the last such line wins, as in resolv.conf(5).
 * Names come back lower-case FQDNs. Other lines and comments are ignored.
 */
export function parseSearch(text: string): string[] {
  let search: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const f = line.trim().split(/\s+/).filter(Boolean);
    if (f[0] === 'search') search = f.slice(1);
    else if (f[0] === 'domain') search = f.slice(1, 2);
  }
  return search.map((s) => lower(fqdn(s)));
}

/** Reads `path`; throws an Error naming the file when it cannot be read. */
export function readSearch(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`failed to parse "${path}": ${(err as Error).message}`, { cause: err });
  }
  return parseSearch(text);
}
