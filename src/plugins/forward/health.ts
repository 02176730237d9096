/**
 * In-band health checking as CoreDNS's plugin/pkg/up: a probe starts only after a failed
 * exchange, then runs one check every interval until a check succeeds; at most one probe runs
 * per upstream. The loop ends on success or on stop(); a floor on the interval keeps a
 * `health_check 0s` from turning into a busy loop against a dead upstream.
 */

/** Smallest pause between two checks of a down upstream (ms). */
export const MIN_HC_INTERVAL = 50;

/** Runs `check` until it returns true; `kick` while running is a no-op. */
export class HealthProbe {
  private running = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly check: () => Promise<boolean>,
    private readonly intervalMs: number,
  ) {}

  /** True while a probe loop is active. */
  get active(): boolean {
    return this.running;
  }

  /** Starts a probe loop unless one is running. */
  kick(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    void this.loop();
  }

  private async loop(): Promise<void> {
    try {
      while (!this.stopped) {
        let ok = false;
        try {
          ok = await this.check();
        } catch {
          ok = false;
        }
        if (ok || this.stopped) break;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.timer = setTimeout(resolve, Math.max(MIN_HC_INTERVAL, this.intervalMs));
          this.timer.unref();
        });
      }
    } finally {
      this.wake = undefined;
      this.running = false;
    }
  }

  /** Ends the loop (at its next step) and refuses new ones. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.wake?.();
  }
}
