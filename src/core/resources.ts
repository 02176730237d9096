/** Resources that outlive a reload (listeners, informers), released when no config keeps them. */
import type { Closable } from '../plugin/setup.js';

/** The store of kept resources, with the set the config being built has claimed. */
export class Resources {
  private readonly items = new Map<string, Closable>();
  private claimed = new Set<string>();

  /** Starts tracking what a new config claims. */
  beginBuild(): void {
    this.claimed = new Set();
  }

  /** Get-or-create under `key`, and mark it claimed by the config being built. */
  keep<T extends Closable>(key: string, create: () => T): T {
    this.claimed.add(key);
    const got = this.items.get(key);
    if (got) return got as T;
    const made = create();
    this.items.set(key, made);
    return made;
  }

  /** After a config was adopted: closes every resource it did not claim. */
  async releaseUnclaimed(): Promise<void> {
    const drop = [...this.items.keys()].filter((k) => !this.claimed.has(k));
    await Promise.allSettled(drop.map(async (k) => {
      const r = this.items.get(k)!;
      this.items.delete(k);
      await r.close();
    }));
  }

  /** After a config failed to build: forgets what it made that no earlier config used. */
  async abandon(previous: Set<string>): Promise<void> {
    const fresh = [...this.claimed].filter((k) => !previous.has(k) && this.items.has(k));
    await Promise.allSettled(fresh.map(async (k) => {
      const r = this.items.get(k)!;
      this.items.delete(k);
      await r.close();
    }));
    this.claimed = previous;
  }

  /** What the current config claims (to restore after a failed reload). */
  snapshotClaims(): Set<string> {
    return new Set(this.claimed);
  }

  /** Closes everything (process stop). */
  async closeAll(): Promise<void> {
    this.claimed = new Set();
    await this.releaseUnclaimed();
  }
}
