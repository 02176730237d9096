/** Small argument parsers shared by plugin setups. All throw ConfigError naming the line. */
import { ConfigError } from '../corefile/config-error.js';
import type { Directive } from '../corefile/types.js';

/** Fails when the directive appears more than once in a block (most plugins allow one). */
export function single(plugin: string, directives: readonly Directive[]): Directive {
  if (directives.length > 1) throw new ConfigError(`plugin/${plugin} can only be used once per Server Block`, directives[1], plugin);
  return directives[0]!;
}

/** A ConfigError at `d` for `plugin`. */
export function argError(plugin: string, d: Directive, reason: string): ConfigError {
  return new ConfigError(reason, d, plugin);
}

/** CoreDNS's wording for a bad argument count. */
export function wrongArgCount(plugin: string, d: Directive): ConfigError {
  const last = d.args.length ? d.args[d.args.length - 1] : d.name;
  return new ConfigError(`Wrong argument count or unexpected line ending after '${last}'`, d, plugin);
}

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a Go duration (`5s`, `1m30s`, `250ms`) into milliseconds, or undefined. */
export function parseDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    matched = re.lastIndex;
  }
  return matched === text.length && matched > 0 ? total : undefined;
}

/** A duration argument, or a ConfigError. */
export function durationArg(plugin: string, d: Directive, text: string | undefined): number {
  const ms = text === undefined ? undefined : parseDuration(text);
  if (ms === undefined) throw new ConfigError(`invalid duration: '${text ?? ''}'`, d, plugin);
  return ms;
}

/** An integer argument in [min, max], or a ConfigError. */
export function intArg(plugin: string, d: Directive, text: string | undefined, min: number, max: number): number {
  if (text === undefined || !/^-?\d+$/.test(text)) throw new ConfigError(`not a number: '${text ?? ''}'`, d, plugin);
  const n = Number(text);
  if (n < min || n > max) throw new ConfigError(`value ${n} out of range [${min}, ${max}]`, d, plugin);
  return n;
}
