/**
 * Capped, jittered exponential backoff (client-go's reflector uses 800 ms doubling to 30 s, reset
 * after 2 min of quiet). Each delay is drawn from [d/2, d] ("equal jitter") so many replicas that
 * lost the API server together do not come back in lock-step.
 */

/** Backoff tuning, all in milliseconds. */
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  /** After this long without a failure the next delay starts from `initialMs` again. */
  resetAfterMs?: number;
  /** Random source in [0, 1) (tests pass a fixed one). */
  random?: () => number;
}

/** Delays between retries of one failing thing. */
export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly resetAfterMs: number;
  private readonly random: () => number;
  private attempt = 0;
  private lastFailure = 0;

  constructor(opts: BackoffOptions = {}) {
    this.initialMs = Math.max(1, opts.initialMs ?? 250);
    this.maxMs = Math.max(this.initialMs, opts.maxMs ?? 30_000);
    this.resetAfterMs = opts.resetAfterMs ?? 120_000;
    this.random = opts.random ?? Math.random;
  }

  /** Records a failure and returns how long to wait before the next try. */
  next(now = Date.now()): number {
    if (this.lastFailure && now - this.lastFailure >= this.resetAfterMs) this.attempt = 0;
    this.lastFailure = now;
    const ceiling = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.round(ceiling / 2 + (ceiling / 2) * this.random());
  }

  /** Forgets past failures (call after a healthy period). */
  reset(): void {
    this.attempt = 0;
    this.lastFailure = 0;
  }

  /** Number of failures since the last reset. */
  get failures(): number {
    return this.attempt;
  }
}

/** Resolves after `ms`, or early (without rejecting) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
