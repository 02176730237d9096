/**
 * The kubernetes handler: answers from the name sets of a ClusterZone, per query type as
 * CoreDNS's handler.go + plugin/backend_lookup.go do (their NXDOMAIN/NODATA choices included),
 * echoing the client's spelling in owner names and in the zone part of SRV targets and the SOA.
 */
import { Class, Rcode, Type } from '../../dns/constants.js';
import { replyTo, type Msg, type RR } from '../../dns/message.js';
import { addressFromReverse, fqdn, lower, matchZone } from '../../dns/name.js';
import type { Handler, Next, Readiness, Request } from '../../plugin/handler.js';
import type { ClusterSource } from '../../kube/source.js';
import { placeAnswer, placeExtra, relativeTo } from '../../zone/origin.js';
import { rrsetOf, type ZoneNode } from '../../zone/zone.js';
import { hostAddresses, nsAddresses, soaRecord } from './apex-records.js';
import { ClusterZone } from './cluster-zone.js';
import { staleNames } from './stale-names.js';
import { WireTokens } from './wire-tokens.js';
import { onZoneChanged } from '../../plugin/invalidation.js';
import { followCname, type Answer } from './external-name.js';
import { findName } from './find-name.js';
import type { KubernetesOptions } from './options.js';
import type { PodLookup } from './pod-records.js';

/** Resolves a name through the whole server (ctx.lookup: CoreDNS's upstream.Lookup). */
export type Resolve = (name: string, type: number, req: Request) => Promise<Msg>;

/** An answer, and whether it depends only on our data (so the core may replay its bytes). */
type Outcome = { kind: 'success' | 'nodata' | 'nxdomain'; answer: RR[]; extra: RR[]; tc: boolean; own: boolean };

const NODATA: Outcome = { kind: 'nodata', answer: [], extra: [], tc: false, own: true };
const NXDOMAIN: Outcome = { kind: 'nxdomain', answer: [], extra: [], tc: false, own: true };
const success = (answer: RR[], extra: RR[] = [], tc = false, own = true): Outcome =>
  answer.length ? { kind: 'success', answer, extra, tc, own } : own ? NODATA : { ...NODATA, own };

/** The schema version of the Kubernetes DNS specification we implement. */
export const DNS_SCHEMA_VERSION = '1.1.0';

/** Serves the cluster's names. */
export class Kubernetes implements Handler, Readiness {
  readonly name = 'kubernetes';
  /**
   * Re-enters the server for an ExternalName target outside our zones (setup wires it to
   * ctx.lookup). Without it such a CNAME is answered alone; a rejection drops the CNAME, as a
   * failed upstream does in CoreDNS.
   */
  resolve: Resolve | undefined;
  /** This server's addresses, for `ns.dns.<zone>` and NS glue (default: the host's non-loopback ones). */
  localIPs: string[] = hostAddresses();
  /** The host's resolv.conf search list, appended to autopath's search path. */
  hostSearch: string[] = [];
  readonly cluster: ClusterZone;
  private readonly pods: PodLookup;
  /** Vouch for replies in the core's wire cache until a change that can affect them. */
  private readonly tokens: WireTokens;

  constructor(
    readonly options: KubernetesOptions,
    readonly source: ClusterSource,
  ) {
    this.tokens = new WireTokens((key) => source.snapshot().services.has(key));
    let flushing = false;
    this.cluster = new ClusterZone(source, options, (ev) => {
      this.tokens.changed(ev);
      if (source.synced) {
        for (const name of staleNames(ev, options.zones)) onZoneChanged(name);
      } else if (!flushing) {
        // Listing delivers objects by the thousand: drop our zones from caches once per burst
        // (before the first sync they only hold a partial view) instead of each object's names.
        flushing = true;
        setImmediate(() => {
          flushing = false;
          for (const zone of options.zones) onZoneChanged(zone);
        });
      }
    });
    this.pods = {
      mode: options.podMode,
      ttl: options.ttl,
      namespaceExists: (ns) => this.cluster.forward.has(`${ns}.pod`),
      hasPod: (ns, ip) => this.cluster.hasPod(ns, ip),
    };
  }

  /** True once the source has listed everything (the `ready` plugin asks). */
  isReady(): boolean {
    return this.source.synced;
  }

  /** Stops following the source (the source itself is shared and closed by its owner). */
  close(): void {
    this.cluster.close();
  }

  async serveDNS(req: Request, next: Next): Promise<Msg> {
    const zone = matchZone(req.qname, this.options.zones);
    if (zone === undefined) return next(req);
    if (req.qtype === Type.AXFR || req.qtype === Type.IXFR) return replyTo(req.msg, Rcode.REFUSED);
    const name = fqdn(req.name);
    const spelled = zone === '.' ? '.' : name.slice(name.length - zone.length);
    const out = await this.answer(req, zone, spelled, name);
    if (out.kind === 'nxdomain' && this.options.fallthrough.through(req.qname)) return next(req);
    req.responder = this.name;
    // The wire cache keys on the exact spelling, so replies that echo it (SRV targets too) replay safely.
    if (out.own && this.source.synced) req.wireToken = this.tokens.for(req.qname, zone, out.answer.some((rr) => rr.type === Type.CNAME));
    const reply = replyTo(req.msg, Rcode.NOERROR);
    reply.aa = true;
    if (out.kind === 'success') {
      reply.answer = out.answer;
      reply.extra = out.extra;
      reply.tc = out.tc;
      return reply;
    }
    // Before the first sync a missing name may only be missing from our view: SERVFAIL.
    if (out.kind === 'nxdomain') reply.rcode = this.source.synced ? Rcode.NXDOMAIN : Rcode.SERVFAIL;
    reply.ns = [this.soa(spelled)];
    return reply;
  }

  private soa(zone: string): RR {
    return soaRecord(zone, this.options.ttl, Math.floor(this.source.lastChange / 1000));
  }

  /**
   * `autopath @kubernetes`: the client pod's search path, `[<ns>.svc.<zone>, svc.<zone>, <zone>,
   * ...host search, '']` ('' = the name as is), or null when the client is not a known pod or pods
   * are not `verified` (plugin/kubernetes/autopath.go).
   */
  autoPath(req: Request): string[] | null {
    const zone = matchZone(req.qname, this.options.zones);
    if (zone === undefined || this.options.podMode !== 'verified') return null;
    const ip = req.remoteAddress.startsWith('::ffff:') && req.remoteAddress.includes('.') ? req.remoteAddress.slice(7) : req.remoteAddress;
    const ns = this.cluster.podNamespace(ip);
    if (ns === undefined) return null;
    const base = zone === '.' ? [`${ns}.svc.`, 'svc.', '.'] : [`${ns}.svc.${zone}`, `svc.${zone}`, zone];
    return [...base, ...this.hostSearch, ''];
  }

  private find(rel: string, qname: string): ZoneNode | undefined {
    return findName(this.cluster.forward, rel, qname, this.pods);
  }

  private async answer(req: Request, zone: string, spelled: string, name: string): Promise<Outcome> {
    const rel = relativeTo(req.qname, zone);
    if (req.qtype === Type.NS && rel === '') return this.nameServers(name, spelled);
    switch (req.qtype) {
      case Type.A:
      case Type.AAAA: {
        const got = await this.addresses(req, zone, spelled, rel, name, req.qtype, []);
        return got ? success(got.records, [], got.tc, !got.upstream) : NXDOMAIN;
      }
      case Type.TXT: {
        if (rel === 'dns-version') return success([{ name, type: Type.TXT, class: Class.IN, ttl: 28800, strings: [DNS_SCHEMA_VERSION] }]);
        // CoreDNS answers NODATA only where some other record exists; an empty name is NXDOMAIN.
        const node = this.find(rel, req.qname);
        return node && node.rrsets.length ? NODATA : NXDOMAIN;
      }
      case Type.PTR: {
        const ip = addressFromReverse(req.qname);
        if (ip === undefined) return this.find(rel, req.qname) ? NODATA : NXDOMAIN;
        const got = this.cluster.reverse.lookup(req.qname, Type.PTR);
        return got.kind === 'success' ? success(placeAnswer(got.rrs, name, spelled)) : NXDOMAIN;
      }
      case Type.CNAME:
      case Type.SRV:
      case Type.MX: {
        if (rel === 'ns.dns') return NODATA;
        const node = this.find(rel, req.qname);
        if (!node) return NXDOMAIN;
        const got = req.qtype === Type.MX ? undefined : rrsetOf(node, req.qtype);
        return got ? success(placeAnswer(got.rrs, name, spelled), placeExtra(got.extra, spelled)) : NODATA;
      }
      case Type.SOA:
        // Below the apex SOA is never looked up: NODATA even for names that do not exist (CoreDNS).
        return rel === '' ? success([this.soa(spelled)]) : NODATA;
      default:
        // NS below the apex and other types: NODATA where an A query would not be NXDOMAIN.
        return rel === 'ns.dns' || this.find(rel, req.qname) ? NODATA : NXDOMAIN;
    }
  }

  /** A/AAAA records of a name (following an ExternalName CNAME), or undefined when it does not exist. */
  private async addresses(req: Request, zone: string, spelled: string, rel: string, owner: string, qtype: number, previous: RR[]): Promise<Answer | undefined> {
    if (rel === 'ns.dns') {
      const recs = nsAddresses(spelled, this.localIPs, this.nsLookup()).filter((n) => n.rec.type === qtype);
      const uniq = [...new Set(recs.map((n) => n.rec.address))];
      return { records: uniq.map((address) => ({ name: owner, type: qtype, class: Class.IN, ttl: this.options.ttl, address })), tc: false };
    }
    const node = this.find(rel, fqdnLower(owner));
    if (!node) return undefined;
    const cname = rrsetOf(node, Type.CNAME);
    if (cname) {
      const target = cname.rrs[0]!.domain!;
      return followCname(owner, target, qtype, previous, {
        zone,
        ttl: this.options.ttl,
        inZone: (o, t, prev) => this.addresses(req, zone, spelled, relativeTo(fqdnLower(o), zone), o, t, prev),
        upstream: async (n, t) => (this.resolve ? this.resolve(n, t, req) : undefined),
      });
    }
    const got = rrsetOf(node, qtype);
    return { records: got ? placeAnswer(got.rrs, owner, spelled) : [], tc: false };
  }

  private nameServers(name: string, spelled: string): Outcome {
    const ttl = this.options.ttl;
    const addrs = nsAddresses(spelled, this.localIPs, this.nsLookup());
    const targets = [...new Set(addrs.map((a) => a.name))];
    const answer: RR[] = targets.map((ns) => ({ name, type: Type.NS, class: Class.IN, ttl, ns }));
    const extra: RR[] = addrs.map((a) => ({ name: a.name, type: a.rec.type, class: Class.IN, ttl, address: a.rec.address }));
    return success(answer, extra);
  }

  private nsLookup() {
    const snap = this.source.snapshot();
    return {
      slicesAt: (ip: string) => this.cluster.slicesAt(ip),
      service: (ns: string, n: string) => snap.services.get(`${ns}/${n}`),
      endpointPodNames: this.options.endpointPodNames,
    };
  }
}

function fqdnLower(name: string): string {
  return lower(fqdn(name));
}
