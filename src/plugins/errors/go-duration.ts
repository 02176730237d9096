/** Go's `time.Duration.String()` for the durations CoreDNS prints in its log lines (`30s`, `5m0s`, `1.5s`). */

/** `frac` (0 <= frac < unit) as decimal digits after a point, trailing zeros dropped; '' when zero. */
function fraction(frac: number, unit: number): string {
  if (frac === 0) return '';
  const digits = String(unit).length - 1;
  return `.${String(frac).padStart(digits, '0').replace(/0+$/, '')}`;
}

/** Formats milliseconds as Go prints a time.Duration: `0s`, `250ms`, `1.5s`, `5m0s`, `1h0m0s`. */
export function goDuration(ms: number): string {
  let ns = Math.round(ms * 1e6);
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  ns = Math.abs(ns);
  if (ns < 1e3) return `${sign}${ns}ns`;
  if (ns < 1e6) return `${sign}${Math.floor(ns / 1e3)}${fraction(ns % 1e3, 1e3)}µs`;
  if (ns < 1e9) return `${sign}${Math.floor(ns / 1e6)}${fraction(ns % 1e6, 1e6)}ms`;
  const hours = Math.floor(ns / 3.6e12);
  const minutes = Math.floor((ns % 3.6e12) / 6e10);
  const secNs = ns % 6e10;
  const seconds = `${Math.floor(secNs / 1e9)}${fraction(secNs % 1e9, 1e9)}s`;
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}`;
  return `${sign}${seconds}`;
}
