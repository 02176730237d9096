/** `consolidate DURATION REGEXP`: counts matching errors and logs one summary line per period. */
import { goDuration } from './go-duration.js';

/** Log levels a consolidate line may use (CoreDNS's names). */
export type Level = 'error' | 'warning' | 'info' | 'debug';

/** Writes one log line at a level. */
export type Emit = (level: Level, line: string) => void;

/** One `consolidate` line of the config. */
export interface PatternConfig {
  readonly periodMs: number;
  /** The pattern as written (printed in the summary line). */
  readonly pattern: string;
  readonly regexp: RegExp;
  readonly level: Level;
  readonly showFirst: boolean;
}

/** The running counter of one pattern. */
export class Consolidator {
  private count = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(readonly config: PatternConfig, private readonly emit: Emit) {}

  /** True when `message` belongs to this pattern. */
  matches(message: string): boolean {
    return this.config.regexp.test(message);
  }

  /**
   * Records one matching error. Returns true when the caller must log the error itself: the
   * first error of a period with `show_first`, or any error after shutdown.
   */
  record(): boolean {
    if (this.stopped) return true;
    this.count++;
    if (this.count > 1) return false;
    this.timer = setTimeout(() => this.flush(), this.config.periodMs);
    this.timer.unref();
    return this.config.showFirst;
  }

  /** Logs the summary of the current period (if anything is to say) and starts a new one. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const n = this.count;
    this.count = 0;
    if (n === 0 || (n === 1 && this.config.showFirst)) return;
    const { pattern, periodMs, level } = this.config;
    this.emit(level, `${n} errors like '${pattern}' occurred in last ${goDuration(periodMs)}`);
  }

  /** Flushes and stops counting (shutdown or reload). */
  stop(): void {
    this.stopped = true;
    this.flush();
  }
}
