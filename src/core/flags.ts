/** Go-style command-line flags as CoreDNS takes them: `-conf FILE`, `-dns.port=1053`, `--quiet`. */

/** Parsed flags. */
export interface Flags {
  conf: string;
  port: number;
  version: boolean;
  plugins: boolean;
  quiet: boolean;
  pidfile: string;
  workers: number;
  help: boolean;
}

const BOOL = new Set(['version', 'plugins', 'quiet', 'help', 'h']);
const VALUE = new Set(['conf', 'dns.port', 'pidfile', 'workers']);

/** Thrown for a bad command line; the CLI prints it with the usage and exits 2 (as Go's flag package). */
export class FlagError extends Error {}

function wholeNumber(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new FlagError(`invalid value "${value}" for flag -${flag}`);
  return n;
}

/** Parses argv (without node and script). */
export function parseFlags(argv: readonly string[], autoWorkers: number): Flags {
  const f: Flags = { conf: 'Corefile', port: 53, version: false, plugins: false, quiet: false, pidfile: '', workers: 1, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-' || arg === '--') throw new FlagError(`unexpected argument: ${arg}`);
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    let value = eq >= 0 ? body.slice(eq + 1) : undefined;
    if (BOOL.has(name)) {
      const on = value === undefined ? true : /^(1|t|true)$/i.test(value) ? true : /^(0|f|false)$/i.test(value) ? false : undefined;
      if (on === undefined) throw new FlagError(`invalid boolean value "${value}" for -${name}`);
      if (name === 'h' || name === 'help') f.help = on;
      else (f as unknown as Record<string, boolean>)[name] = on;
      continue;
    }
    if (!VALUE.has(name)) throw new FlagError(`flag provided but not defined: -${name}`);
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new FlagError(`flag needs an argument: -${name}`);
    }
    switch (name) {
      case 'conf':
        f.conf = value;
        break;
      case 'pidfile':
        f.pidfile = value;
        break;
      case 'workers':
        f.workers = value === 'auto' ? autoWorkers : wholeNumber(name, value, 1, 64);
        break;
      case 'dns.port':
        f.port = wholeNumber(name, value, 0, 65535);
        break;
    }
  }
  return f;
}

/** The usage text (`-h`). */
export const USAGE = `Usage of clusterdns:
  -conf string
    \tCorefile to load (default "Corefile")
  -dns.port string
    \tDefault port (default "53")
  -pidfile string
    \tPath to write pid file
  -plugins
    \tList installed plugins
  -quiet
    \tQuiet mode (no initialization output)
  -version
    \tShow version
  -workers int
    \tThreads serving DNS on the same ports with SO_REUSEPORT; 'auto' = the CPUs this
    \tprocess may use, cgroup limit included, at most 4 (default 1)
`;
