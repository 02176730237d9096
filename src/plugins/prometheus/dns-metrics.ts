/**
 * The `coredns_dns_*` series (CoreDNS plugin/metrics/vars) and a reporter that records one query
 * through label-bound children cached per server block, so the per-query cost is map lookups and
 * field writes. `request_duration_seconds` has no `type` label: CoreDNS dropped it in v1.8.4
 * (#4534, label cardinality) though its README still lists it; we follow the code.
 */
import { TIME_BUCKETS } from '../../plugin/metrics.js';
import { FastCounter, FastHistogram, register, type CounterChild, type HistogramChild } from '../../plugin/fast-metrics.js';
import { qtypeLabel, rcodeLabel } from './labels.js';

const SIZE_BUCKETS = [0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16e3, 32e3, 48e3, 64e3];

/** `coredns_dns_requests_total`. */
export const requestCount = register(new FastCounter('coredns_dns_requests_total',
  'Counter of DNS requests made per zone, protocol and family.', ['server', 'zone', 'view', 'proto', 'family', 'type']));
/** `coredns_dns_request_duration_seconds`. */
export const requestDuration = register(new FastHistogram('coredns_dns_request_duration_seconds',
  'Histogram of the time (in seconds) each request took per zone.', ['server', 'zone', 'view'], TIME_BUCKETS));
/** `coredns_dns_request_size_bytes`. */
export const requestSize = register(new FastHistogram('coredns_dns_request_size_bytes',
  'Size of the EDNS0 UDP buffer in bytes (64K for TCP) per zone and protocol.', ['server', 'zone', 'view', 'proto'], SIZE_BUCKETS));
/** `coredns_dns_do_requests_total`. */
export const requestDo = register(new FastCounter('coredns_dns_do_requests_total',
  'Counter of DNS requests with DO bit set per zone.', ['server', 'zone', 'view']));
/** `coredns_dns_response_size_bytes`. */
export const responseSize = register(new FastHistogram('coredns_dns_response_size_bytes',
  'Size of the returned response in bytes.', ['server', 'zone', 'view', 'proto'], SIZE_BUCKETS));
/** `coredns_dns_responses_total`. */
export const responseRcode = register(new FastCounter('coredns_dns_responses_total',
  'Counter of response status codes.', ['server', 'zone', 'view', 'rcode', 'plugin']));

/** One handled query, as the reporter needs it. */
export interface QueryReport {
  zone: string;
  proto: 'udp' | 'tcp';
  family: 1 | 2;
  qtype: number;
  do: boolean;
  rcode: number;
  /** Plugin that wrote the reply; '' when the server did. */
  plugin: string;
  requestBytes: number;
  responseBytes: number;
  seconds: number;
}

/** The children of one zone (and the reporter's server and view), made on first use as Go's vectors do. */
class ZoneSeries {
  private duration?: HistogramChild;
  private doCount?: CounterChild;
  private readonly reqSize: Partial<Record<'udp' | 'tcp', HistogramChild>> = {};
  private readonly respSize: Partial<Record<'udp' | 'tcp', HistogramChild>> = {};
  /** By qtype, transport and family packed into one number. */
  private readonly requests = new Map<number, CounterChild>();
  /** By plugin, then rcode. */
  private readonly responses = new Map<string, Map<number, CounterChild>>();

  constructor(private readonly server: string, private readonly zone: string, private readonly view: string) {}

  /** Counts one query (positional: the wire cache's hits call this with no object of their own). */
  record(proto: 'udp' | 'tcp', family: 1 | 2, qtype: number, dnssecOk: boolean, rcode: number, plugin: string, requestBytes: number, responseBytes: number, seconds: number): void {
    const { server, zone, view } = this;
    if (dnssecOk) (this.doCount ??= requestDo.child(server, zone, view)).value++;
    const key = qtype * 4 + (proto === 'tcp' ? 2 : 0) + (family - 1);
    let req = this.requests.get(key);
    if (!req) {
      req = requestCount.child(server, zone, view, proto, String(family), qtypeLabel(qtype));
      this.requests.set(key, req);
    }
    req.value++;
    requestDuration.observe((this.duration ??= requestDuration.child(server, zone, view)), seconds);
    responseSize.observe((this.respSize[proto] ??= responseSize.child(server, zone, view, proto)), responseBytes);
    requestSize.observe((this.reqSize[proto] ??= requestSize.child(server, zone, view, proto)), requestBytes);
    let byRcode = this.responses.get(plugin);
    if (!byRcode) this.responses.set(plugin, (byRcode = new Map()));
    let resp = byRcode.get(rcode);
    if (!resp) {
      resp = responseRcode.child(server, zone, view, rcodeLabel(rcode), plugin);
      byRcode.set(rcode, resp);
    }
    resp.value++;
  }
}

/** Records queries for one `server` label (one per server block), as CoreDNS's vars.Report does. */
export class DnsReporter {
  private readonly zones = new Map<string, ZoneSeries>();

  constructor(readonly server: string, readonly view = '') {}

  /** Counts one query and its reply. */
  report(r: QueryReport): void {
    this.count(r.zone, r.proto, r.family, r.qtype, r.do, r.rcode, r.plugin, r.requestBytes, r.responseBytes, r.seconds);
  }

  /** report() with the fields as arguments. */
  count(zone: string, proto: 'udp' | 'tcp', family: 1 | 2, qtype: number, dnssecOk: boolean, rcode: number, plugin: string, requestBytes: number, responseBytes: number, seconds: number): void {
    let z = this.zones.get(zone);
    if (!z) {
      z = new ZoneSeries(this.server, zone, this.view);
      this.zones.set(zone, z);
    }
    z.record(proto, family, qtype, dnssecOk, rcode, plugin, requestBytes, responseBytes, seconds);
  }
}
