/**
 * Records at and near a zone's apex: the SOA (plugin/backend_lookup.go SOA()), and the addresses
 * behind `ns.dns.<zone>` (plugin/kubernetes/ns.go nsAddrs): if an address this server has is a
 * ready endpoint of some Service, that Service's cluster IPs (or, headless, its endpoints) under
 * its own name; otherwise the server's addresses under `ns.dns.<zone>`.
 */
import { networkInterfaces } from 'node:os';
import { Class, Type } from '../../dns/constants.js';
import type { RR } from '../../dns/message.js';
import { addressesOf, clusterIPsOf, type SlimEndpointSlice, type SlimService } from '../../kube/objects.js';
import { absolute } from '../../zone/origin.js';
import { addressRecord, canonicalIP, type AddressRecord } from './addresses.js';
import { endpointName } from './service-records.js';

/** The SOA of `zone` (spelled as the client did): TTL min(ttl, 300), minimum = ttl. */
export function soaRecord(zone: string, ttl: number, serial: number): RR {
  return {
    name: zone,
    type: Type.SOA,
    class: Class.IN,
    ttl: Math.min(ttl, 300),
    primary: absolute('ns.dns', zone),
    admin: absolute('hostmaster', zone),
    serial: serial >>> 0,
    refresh: 7200,
    retry: 1800,
    expiration: 86400,
    minimum: ttl,
  };
}

/** A name server address: owner and record. */
export interface NameServer {
  readonly name: string;
  readonly rec: AddressRecord;
}

/** What nsAddresses looks things up in. */
export interface NameServerLookup {
  slicesAt(ip: string): SlimEndpointSlice[];
  service(namespace: string, name: string): SlimService | undefined;
  readonly endpointPodNames: boolean;
}

/** Addresses for the NS of `zone` (spelled as the client did), given this server's `localIPs`. */
export function nsAddresses(zone: string, localIPs: readonly string[], k: NameServerLookup): NameServer[] {
  const out: NameServer[] = [];
  let found = false;
  for (const local of localIPs) {
    for (const slice of k.slicesAt(local)) {
      found = true;
      const svc = k.service(slice.namespace, slice.serviceName);
      if (!svc) continue;
      const svcName = absolute(`${svc.name}.${svc.namespace}.svc`, zone);
      if (svc.headless) {
        for (const e of slice.endpoints) {
          if (!e.ready) continue;
          for (const ip of addressesOf(e)) {
            const rec = addressRecord(ip);
            const ep = endpointName({ ip, hostname: e.hostname, targetRefName: e.targetRefName }, k.endpointPodNames);
            if (rec) out.push({ name: `${ep}.${svcName}`, rec });
          }
        }
      } else {
        for (const ip of clusterIPsOf(svc)) {
          const rec = addressRecord(ip);
          if (rec) out.push({ name: svcName, rec });
        }
      }
    }
  }
  if (!found) {
    for (const ip of localIPs) {
      const rec = addressRecord(ip);
      if (rec) out.push({ name: absolute('ns.dns', zone), rec });
    }
  }
  return out;
}

/** This host's non-loopback addresses (CoreDNS's boundIPs when no `bind` narrows them). */
export function hostAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal) out.push(canonicalIP(a.address));
  }
  return out;
}
