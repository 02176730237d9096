/** Fault injection: the knobs tests turn to make the simulated apiserver misbehave. */
import type { WatchFaults } from './watch.ts';

/** The fault controls of a simulator (see README.md for the exact semantics). */
export interface Faults {
  /** End every open watch: clean = end the chunked response; reset = destroy the socket. */
  dropWatches(mode?: 'clean' | 'reset'): void;
  /** Compact all history: resuming a watch or a continue token from an older RV gets 410 Gone. */
  expireHistory(): void;
  /** For ms: stop listening (connections refused); open connections, watches included, are reset. */
  down(ms: number): void;
  /** Delay the start of every response by ms (0 = off). */
  slow(ms: number): void;
  /** Open watches (and watches opened while on) get stuck: connection open, nothing ever sent again. */
  silentWatches(on: boolean): void;
  /** The next n requests (any path) get this status (default 500) as a Status object. */
  failNext(n: number, status?: number): void;
  /** The next watch event line sent (on any watch) is truncated, invalid JSON. */
  malformedNextWatchEvent(): void;
  /** All faults off; a server that is down comes back now. Stuck watches stay stuck. */
  clear(): void;
}

/** What the fault state needs from the server. */
export interface FaultHooks {
  dropWatches(mode: 'clean' | 'reset'): void;
  expire(): void;
  goDown(ms: number): void;
  comeUp(): void;
  stickAll(): void;
}

function checkInt(what: string, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`faults.${what}: expected an integer in [${min}, ${max}], got ${v}`);
}

/** The current faults; implements the test-facing Faults and what watchers ask. */
export class FaultState implements Faults, WatchFaults {
  slowMs = 0;
  silent = false;
  private failCount = 0;
  private failStatus = 500;
  private malformed = false;

  private readonly hooks: FaultHooks;

  constructor(hooks: FaultHooks) {
    this.hooks = hooks;
  }

  dropWatches(mode: 'clean' | 'reset' = 'clean'): void {
    if (mode !== 'clean' && mode !== 'reset') throw new RangeError(`faults.dropWatches: mode must be 'clean' or 'reset', got ${String(mode)}`);
    this.hooks.dropWatches(mode);
  }

  expireHistory(): void {
    this.hooks.expire();
  }

  down(ms: number): void {
    checkInt('down', ms, 0, 3_600_000);
    this.hooks.goDown(ms);
  }

  slow(ms: number): void {
    checkInt('slow', ms, 0, 3_600_000);
    this.slowMs = ms;
  }

  silentWatches(on: boolean): void {
    this.silent = on;
    if (on) this.hooks.stickAll();
  }

  failNext(n: number, status = 500): void {
    checkInt('failNext(n)', n, 0, 1_000_000);
    checkInt('failNext(status)', status, 400, 599);
    this.failCount = n;
    this.failStatus = status;
  }

  malformedNextWatchEvent(): void {
    this.malformed = true;
  }

  clear(): void {
    this.slowMs = 0;
    this.silent = false;
    this.failCount = 0;
    this.malformed = false;
    this.hooks.comeUp();
  }

  /** The status to fail this request with, if failNext is armed. */
  takeFailure(): number | undefined {
    if (this.failCount <= 0) return undefined;
    this.failCount--;
    return this.failStatus;
  }

  takeMalformed(): boolean {
    const m = this.malformed;
    this.malformed = false;
    return m;
  }
}
