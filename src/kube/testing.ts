/** Helpers for kube/ tests: a logger that records its lines, and waiting for a condition. */
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Logger } from '../core/log.js';

/** A recorded log line: `WARNING msg`. */
export interface CapturedLog {
  logger: Logger;
  lines: string[];
  /** Lines containing `text`. */
  matching(text: string | RegExp): string[];
}

const LEVELS: Record<number, string> = { 20: 'DEBUG', 30: 'INFO', 40: 'WARNING', 50: 'ERROR' };

/** A pino logger whose lines (`LEVEL message`) are kept in memory. */
export function captureLog(): CapturedLog {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const text of chunk.toString().split('\n')) {
        if (!text) continue;
        const rec = JSON.parse(text) as { level: number; msg?: string };
        lines.push(`${LEVELS[rec.level] ?? rec.level} ${rec.msg ?? ''}`);
      }
      cb();
    },
  });
  const logger = pino({ level: 'debug', base: null, timestamp: false }, sink);
  return {
    logger,
    lines,
    matching: (t) => lines.filter((l) => (typeof t === 'string' ? l.includes(t) : t.test(l))),
  };
}

/** Polls `cond` every 10 ms until true; throws with `what` after `timeoutMs`. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
