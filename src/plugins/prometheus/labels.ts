/** Label values as CoreDNS writes them: query types (plugin/metrics/vars/monitor.go) and rcodes (miekg/dns). */
import { Type } from '../../dns/constants.js';

const NSEC3 = 50;

/** The types CoreDNS names in its `type` label; every other type is counted as "other". */
const MONITORED: ReadonlyMap<number, string> = new Map([
  [Type.AAAA, 'AAAA'], [Type.A, 'A'], [Type.CNAME, 'CNAME'], [Type.DNSKEY, 'DNSKEY'], [Type.DS, 'DS'],
  [Type.MX, 'MX'], [NSEC3, 'NSEC3'], [Type.NSEC, 'NSEC'], [Type.NS, 'NS'], [Type.PTR, 'PTR'],
  [Type.RRSIG, 'RRSIG'], [Type.SOA, 'SOA'], [Type.SRV, 'SRV'], [Type.TXT, 'TXT'], [Type.HTTPS, 'HTTPS'],
  [Type.SVCB, 'SVCB'], [Type.IXFR, 'IXFR'], [Type.AXFR, 'AXFR'], [Type.ANY, 'ANY'],
]);

/** The `type` label for a query type. */
export function qtypeLabel(qtype: number): string {
  return MONITORED.get(qtype) ?? 'other';
}

// miekg/dns RcodeToString: 16 prints as BADSIG (it shares the code with BADVERS).
const RCODES = [
  'NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET',
  'NOTAUTH', 'NOTZONE', 'DSOTYPENI', undefined, undefined, undefined, undefined, 'BADSIG', 'BADKEY',
  'BADTIME', 'BADMODE', 'BADNAME', 'BADALG', 'BADTRUNC', 'BADCOOKIE',
] as const;

/** The `rcode` label: the official name, or `RCODE<n>` for unnamed codes. */
export function rcodeLabel(rcode: number): string {
  return RCODES[rcode] ?? `RCODE${rcode}`;
}
