/**
 * Tokens that vouch for this plugin's replies in the core's wire cache (src/core/wire-cache.ts),
 * as fine-grained as is safe: names at or below `<svc>.<ns>.svc.<zone>` depend only on that
 * Service, its EndpointSlices and the namespace, so they get a token per Service; everything else
 * (PTRs, pod names, namespace names, the apex, CNAME answers that reach into another Service) shares
 * one global token. A cluster change flips the tokens it can affect, so under endpoint churn the
 * replies about the other Services stay cached.
 *
 * Per-Service tokens are held weakly: a token only matters while a kept reply holds it, so once the
 * wire cache has dropped every reply vouched by it, its entry goes too. Otherwise every name ever
 * asked below a Service that does not exist (a deleted one's NXDOMAIN, a typo) would keep an entry
 * until the table starts over at MAX_TOKENS.
 */
import type { WireToken } from '../../plugin/handler.js';
import type { ClusterEvent } from '../../kube/source.js';
import { isReverseZone } from './options.js';

/** Per-Service tokens beyond this start over (random names must not grow the table). */
const MAX_TOKENS = 100_000;

/** The token table of one kubernetes handler. */
export class WireTokens {
  private global: WireToken = { valid: true };
  private readonly byService = new Map<string, WeakRef<WireToken>>();
  /** Drops the entry of a collected token (unless the key has a live token again). */
  private readonly collected = new FinalizationRegistry<string>((key) => {
    if (this.byService.get(key)?.deref() === undefined) this.byService.delete(key);
  });

  /** Per-Service tokens in the table (for tests and diagnostics). */
  get size(): number {
    return this.byService.size;
  }

  /**
   * The token for a reply to `qname` (lower case) in cluster zone `zone`; `crossesServices` when
   * the answer holds a CNAME (an ExternalName whose target is another name of ours).
   */
  for(qname: string, zone: string, crossesServices: boolean): WireToken {
    if (crossesServices || isReverseZone(zone)) return this.global;
    const key = serviceKey(qname, zone);
    if (key === undefined) return this.global;
    let t = this.byService.get(key)?.deref();
    if (!t) {
      if (this.byService.size >= MAX_TOKENS) this.flipAll();
      t = { valid: true };
      this.byService.set(key, new WeakRef(t));
      this.collected.register(t, key);
    }
    return t;
  }

  /** Flips what `ev` can make stale. */
  changed(ev: ClusterEvent): void {
    switch (ev.kind) {
      case 'Namespace':
        this.flipAll();
        return;
      case 'Service':
        this.flip(`${ev.obj.namespace}/${ev.obj.name}`);
        break;
      case 'EndpointSlice':
        if (ev.obj.serviceName) this.flip(`${ev.obj.namespace}/${ev.obj.serviceName}`);
        if (ev.old?.serviceName && ev.old.serviceName !== ev.obj.serviceName) this.flip(`${ev.old.namespace}/${ev.old.serviceName}`);
        break;
      case 'Pod':
        break;
    }
    // PTRs, pod names and namespace-level names may follow any object.
    this.global.valid = false;
    this.global = { valid: true };
  }

  private flip(key: string): void {
    const t = this.byService.get(key)?.deref();
    if (t) t.valid = false;
    this.byService.delete(key);
  }

  private flipAll(): void {
    for (const ref of this.byService.values()) {
      const t = ref.deref();
      if (t) t.valid = false;
    }
    this.byService.clear();
    this.global.valid = false;
    this.global = { valid: true };
  }
}

/** `ns/svc` when `qname` lies at or below `<svc>.<ns>.svc.<zone>`, else undefined. */
export function serviceKey(qname: string, zone: string): string | undefined {
  const rel = zone === '.' ? qname.slice(0, -1) : qname.slice(0, qname.length - zone.length - 1);
  const labels = rel.split('.');
  // Find `svc` as the label right above the zone: ..., <svc>, <ns>, 'svc'.
  const n = labels.length;
  if (n < 3 || labels[n - 1] !== 'svc') return undefined;
  return `${labels[n - 2]}/${labels[n - 3]}`;
}
