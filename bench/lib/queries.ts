/**
 * dnsperf query files: the mix, 70% A hits on Service names, 10% AAAA on the same names
 * (NODATA: the Services are IPv4-only), 10% SRV on their named port, 10% NXDOMAIN names a pod's
 * search path produces (ndots:5 expansion of a Service FQDN, a `svc.ns` short name, an external name).
 */
import { writeFileSync } from 'node:fs';
import { namespaceCount, rng, serviceAt, ZONE } from './cluster.ts';

/** One line of a dnsperf input file. */
export interface QueryLine {
  name: string;
  type: 'A' | 'AAAA' | 'SRV';
  /** What both servers must answer. */
  expect: 'hit' | 'nodata' | 'nxdomain';
}

/** `count` queries over a cluster of `services` services, always the same for the same arguments. */
export function queryMix(services: number, count: number, seed = 42): QueryLine[] {
  const rand = rng(seed);
  const pick = (n: number): number => Math.floor(rand() * n);
  const out: QueryLine[] = [];
  const namespaces = namespaceCount(services);
  for (let q = 0; q < count; q++) {
    const r = rand();
    const s = serviceAt(pick(services));
    const bare = s.fqdn.slice(0, -1);
    if (r < 0.7) out.push({ name: bare, type: 'A', expect: 'hit' });
    else if (r < 0.8) out.push({ name: bare, type: 'AAAA', expect: 'nodata' });
    else if (r < 0.9) out.push({ name: `_http._tcp.${bare}`, type: 'SRV', expect: 'hit' });
    else {
      const clientNs = `ns-${pick(namespaces)}`;
      const kind = pick(3);
      const name =
        kind === 0 ? `${bare}.${clientNs}.svc.${ZONE}` :
        kind === 1 ? `${s.name}.${s.namespace}.${clientNs}.svc.${ZONE}` :
        `api-${pick(1000)}.example.com.${clientNs}.svc.${ZONE}`;
      out.push({ name, type: 'A', expect: 'nxdomain' });
    }
  }
  return out;
}

/** Writes `lines` as a dnsperf data file (`name type` per line). */
export function writeQueryFile(path: string, lines: readonly QueryLine[]): void {
  writeFileSync(path, lines.map((l) => `${l.name} ${l.type}\n`).join(''));
}
