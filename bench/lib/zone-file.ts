/**
 * Knot's copy of the cluster: the `cluster.local` zone file holding what the kubernetes plugin
 * serves for the generated cluster (Service A, SRV on the named port, endpoint A records, the
 * apex SOA/NS and `dns-version`), so both servers answer the query files alike. Reverse zones are
 * left out: no query of the mix goes there.
 */
import { writeFileSync } from 'node:fs';
import { clusterIP, ENDPOINTS, podIP, serviceAt, ZONE } from './cluster.ts';

/** TTL the kubeadm Corefile sets (`ttl 30`). */
const TTL = 30;

/** Writes the zone file of a cluster of `services` services to `path`. */
export function writeZoneFile(path: string, services: number): void {
  const lines: string[] = [
    `$ORIGIN ${ZONE}.`,
    `$TTL ${TTL}`,
    `@ IN SOA ns.dns.${ZONE}. hostmaster.${ZONE}. 1 7200 1800 86400 ${TTL}`,
    `@ IN NS ns.dns.${ZONE}.`,
    `ns.dns IN A 10.96.0.10`,
    `dns-version 28800 IN TXT "1.1.0"`,
    `kubernetes.default.svc IN A 10.96.0.1`,
  ];
  for (let i = 0; i < services; i++) {
    const s = serviceAt(i);
    const rel = `${s.name}.${s.namespace}.svc`;
    lines.push(`${rel} IN A ${clusterIP(i)}`);
    // CoreDNS: priority 0, weight 100 (one target), the Service port, the Service name as target.
    lines.push(`_http._tcp.${rel} IN SRV 0 100 80 ${rel}`);
    for (let e = 0; e < ENDPOINTS; e++) {
      const ip = podIP(i, e);
      lines.push(`${ip.replaceAll('.', '-')}.${rel} IN A ${ip}`);
    }
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}
