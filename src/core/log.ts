/**
 * Logging through pino, printed as CoreDNS prints: `[INFO] plugin/kubernetes: message`.
 * pino does the levels and buffering; a small stream turns its record into CoreDNS's text line,
 * so operators' log filters keep working. `CLUSTERDNS_LOG_FORMAT=json` keeps pino's JSON.
 */
import { Writable } from 'node:stream';
import pino from 'pino';

/** The logger type plugins receive. */
export type Logger = pino.Logger;

const LEVELS: Record<number, string> = { 10: 'DEBUG', 20: 'DEBUG', 30: 'INFO', 40: 'WARNING', 50: 'ERROR', 60: 'FATAL' };


class CoreDnsText extends Writable {
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    try {
      const rec = JSON.parse(chunk.toString()) as { level: number; msg?: string; plugin?: string; err?: { message?: string } };
      const level = LEVELS[rec.level] ?? 'INFO';
      const prefix = rec.plugin ? `plugin/${rec.plugin}: ` : '';
      const err = rec.err?.message && !rec.msg?.includes(rec.err.message) ? `: ${rec.err.message}` : '';
      process.stdout.write(`[${level}] ${prefix}${rec.msg ?? ''}${err}\n`);
    } catch {
      process.stdout.write(chunk);
    }
    cb();
  }
}

const json = process.env.CLUSTERDNS_LOG_FORMAT === 'json';

/** The process-wide root logger. */
export const root: Logger = pino(
  { base: null, timestamp: json ? pino.stdTimeFunctions.isoTime : false, level: process.env.CLUSTERDNS_LOG_LEVEL ?? 'info' },
  json ? pino.destination(1) : new CoreDnsText(),
);

/** A logger whose lines carry `plugin/NAME: `. */
export function pluginLog(name: string): Logger {
  return root.child({ plugin: name });
}
