/**
 * Tokens that vouch for this plugin's replies in the core's wire cache (src/core/wire-cache.ts),
 * as fine-grained as is safe: names at or below `<svc>.<ns>.svc.<zone>` depend only on that
 * Service, its EndpointSlices and the namespace, so they get a token per Service; everything else
 * (PTRs, pod names, namespace names, the apex, CNAME answers that reach into another Service) shares
 * one global token. A cluster change flips the tokens it can affect, so under endpoint churn the
 * replies about the other Services stay cached.
 *
 * Only existing Services get a token of their own, so the table never holds more entries than
 * there are Services: names below a Service that does not exist (a deleted one's NXDOMAIN, a
 * typo) share one `absent` token, flipped whenever a Service appears or goes. (An earlier version
 * held per-name tokens weakly and let a FinalizationRegistry drop them: bounded only by when the
 * garbage collector gets to them, with cleanup work in the event loop; this is bounded by the
 * Services that exist.)
 */
import type { WireToken } from '../../plugin/handler.js';
import type { ClusterEvent } from '../../kube/source.js';
import { isReverseZone } from './options.js';

/** Per-Service tokens beyond this start over (random names must not grow the table). */
const MAX_TOKENS = 100_000;

/** The token table of one kubernetes handler. */
export class WireTokens {
  private global: WireToken = { valid: true };
  /** For names below a Service that does not exist. */
  private absent: WireToken = { valid: true };
  private readonly byService = new Map<string, WireToken>();

  /** `exists(ns/name)`: whether that Service exists now. */
  constructor(private readonly exists: (key: string) => boolean) {}

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
    let t = this.byService.get(key);
    if (!t) {
      if (!this.exists(key)) return this.absent;
      if (this.byService.size >= MAX_TOKENS) this.flipAll();
      t = { valid: true };
      this.byService.set(key, t);
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
        this.absent.valid = false;
        this.absent = { valid: true };
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
    const t = this.byService.get(key);
    if (t) t.valid = false;
    this.byService.delete(key);
  }

  private flipAll(): void {
    for (const t of this.byService.values()) t.valid = false;
    this.byService.clear();
    for (const t of [this.global, this.absent]) t.valid = false;
    this.global = { valid: true };
    this.absent = { valid: true };
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
