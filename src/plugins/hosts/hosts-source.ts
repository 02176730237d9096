/**
 * The hosts data of one `hosts` line: the file (re-read when its mtime or size changes) and the
 * inline lines. Lookups return the file's entries first, then the inline ones, as CoreDNS does.
 */
import { readFile, stat } from 'node:fs/promises';
import { emptyMap, lookupName, mapSize, parseHosts, parseIP, type HostsMap } from './hostsfile.js';
import { hostsEntries, hostsReloadTime } from './metrics.js';

/** What the source needs to know. */
export interface HostsSourceOptions {
  readonly path: string;
  readonly inline: string;
  readonly origins: readonly string[];
  readonly autoReverse: boolean;
}

/** The hosts data one handler serves from. */
export class HostsSource {
  private file: HostsMap = emptyMap();
  private readonly inline: HostsMap;
  private mtimeMs = -1;
  private size = -1;
  private timer: NodeJS.Timeout | undefined;
  private reading = false;

  constructor(private readonly opts: HostsSourceOptions) {
    this.inline = parseHosts(opts.inline, opts.origins, opts.autoReverse);
    hostsEntries.set({ hostsfile: opts.path }, mapSize(this.inline));
  }

  /**
   * Re-reads the file if it changed; returns true when it did. A missing or unreadable file keeps
   * the last good data (CoreDNS warns once at setup and then stays quiet).
   */
  async reload(): Promise<boolean> {
    if (this.reading) return false;
    this.reading = true;
    try {
      const st = await stat(this.opts.path);
      if (!st.isFile() || (st.mtimeMs === this.mtimeMs && st.size === this.size)) return false;
      const text = await readFile(this.opts.path, 'latin1');
      this.file = parseHosts(text, this.opts.origins, this.opts.autoReverse);
      this.mtimeMs = st.mtimeMs;
      this.size = st.size;
      hostsEntries.set({ hostsfile: this.opts.path }, mapSize(this.inline) + mapSize(this.file));
      hostsReloadTime.set(st.mtimeMs / 1000);
      return true;
    } catch {
      return false;
    } finally {
      this.reading = false;
    }
  }

  /** Checks the file every `everyMs` (0 = never). */
  start(everyMs: number): void {
    if (everyMs <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.reload(), everyMs);
    this.timer.unref();
  }

  /** Stops the periodic check. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** IPv4 (family 1) or IPv6 (family 2) addresses of a lower-case FQDN. */
  lookup(qname: string, family: 1 | 2): string[] {
    return [...lookupName(this.file, qname, family), ...lookupName(this.inline, qname, family)];
  }

  /** Names for an address (any spelling Go's ParseIP takes), for PTR. */
  lookupAddr(text: string): string[] {
    const addr = parseIP(text);
    if (!addr) return [];
    return [...(this.file.addr.get(addr.ip) ?? []), ...(this.inline.addr.get(addr.ip) ?? [])];
  }
}
