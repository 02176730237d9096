/**
 * The TO arguments of `forward`: `IP`, `IP:PORT`, `[IPv6]:PORT`, `dns://...`, or a resolv.conf-style
 * file whose `nameserver` lines are read (CoreDNS plugin/pkg/parse HostPortOrFile). Hostnames and
 * the tls/https/grpc/quic transports are refused with a clear error.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { Directive } from '../../corefile/types.js';
import { argError } from '../../plugin/args.js';

/** One upstream address; `addr` is the `to` metric label (`1.2.3.4:53`, `[::1]:53`). */
export interface UpstreamAddr {
  readonly host: string;
  readonly port: number;
  readonly addr: string;
}

/** CoreDNS's limit on TO entries. */
export const MAX_UPSTREAMS = 15;

const PLUGIN = 'forward';

/** Reads a file's text; injectable for tests. */
export type ReadText = (path: string) => string;

const defaultRead: ReadText = (path) => readFileSync(path, 'utf8');

function isIPAddress(host: string): boolean {
  const pct = host.indexOf('%');
  return isIP(pct >= 0 ? host.slice(0, pct) : host) !== 0;
}

function makeAddr(host: string, port: number): UpstreamAddr {
  return { host, port, addr: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}` };
}

/** Splits `host[:port]`; returns undefined when the host part is not an IP literal. */
function splitHostPort(text: string, d: Directive): UpstreamAddr | undefined {
  let host = text;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return undefined;
    host = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return undefined;
      portText = rest.slice(1);
    }
  } else if (text.indexOf(':') === text.lastIndexOf(':') && text.includes(':')) {
    host = text.slice(0, text.indexOf(':'));
    portText = text.slice(text.indexOf(':') + 1);
  }
  if (!isIPAddress(host)) return undefined;
  let port = 53;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      throw argError(PLUGIN, d, `invalid port '${portText}' in '${text}'`);
    }
    port = Number(portText);
  }
  return makeAddr(host.toLowerCase(), port);
}

/** Nameservers of a resolv.conf-style file (port 53); empty when it lists none. */
function fromFile(path: string, d: Directive, read: ReadText): UpstreamAddr[] {
  let text: string;
  try {
    text = read(path);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw argError(PLUGIN, d, `not an IP address or file: '${path}': ${why} (hostnames are not supported)`);
  }
  const out: UpstreamAddr[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const f = line.split(/\s+/);
    if (f[0] !== 'nameserver' || f.length < 2) continue;
    const host = f[1]!;
    const pct = host.indexOf('%');
    const bare = pct >= 0 ? host.slice(0, pct) : host;
    if (!isIP(bare)) throw argError(PLUGIN, d, `${path}: nameserver '${host}' is not an IP address`);
    out.push(makeAddr(bare.toLowerCase(), 53));
  }
  return out;
}

/**
 * Parses the TO list of one `forward` line into unique upstream addresses (first seen wins).
 * Throws ConfigError for a bad address, a missing file, an unsupported transport, more than 15
 * entries, or when no address remains.
 */
export function parseTargets(to: readonly string[], d: Directive, read: ReadText = defaultRead): UpstreamAddr[] {
  if (to.length > MAX_UPSTREAMS) throw argError(PLUGIN, d, `more than ${MAX_UPSTREAMS} TOs configured: ${to.length}`);
  const seen = new Set<string>();
  const out: UpstreamAddr[] = [];
  for (const arg of to) {
    let text = arg;
    const scheme = /^([a-z0-9]+):\/\//i.exec(text);
    if (scheme) {
      const s = scheme[1]!.toLowerCase();
      if (s === 'tls') throw argError(PLUGIN, d, `DNS-over-TLS upstreams are not supported: ${arg}`);
      if (s !== 'dns') throw argError(PLUGIN, d, `'${s}' is not supported as a destination protocol in forward: ${arg}`);
      text = text.slice(scheme[0].length);
    }
    if (text === '') throw argError(PLUGIN, d, `invalid address: '${arg}'`);
    const one = splitHostPort(text, d);
    const addrs = one ? [one] : fromFile(text, d, read);
    for (const a of addrs) {
      if (seen.has(a.addr)) continue;
      seen.add(a.addr);
      out.push(a);
    }
  }
  if (out.length === 0) throw argError(PLUGIN, d, 'no valid upstream addresses found');
  return out;
}
