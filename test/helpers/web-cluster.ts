/** What the API e2e tests share: the smallest cluster, and asking the server about it. */
import { Rcode, Type } from '../../src/dns/constants.js';
import type { Msg } from '../../src/dns/message.js';
import { udpQuery } from './wire-client.js';

/** The smallest cluster the API-fault tests start from: namespace `default` and Service `web` (10.96.0.50, port http/80). */
export const WEB_CLUSTER = `
apiVersion: v1
kind: Namespace
metadata: { name: default }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: default }
spec: { clusterIP: 10.96.0.50, ports: [{ name: http, port: 80 }] }
`;

/** A ClusterIP Service `name` in `default` at `ip`, port 80. */
export const defaultService = (name: string, ip: string) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { clusterIP: ip, ports: [{ port: 80 }] },
});

/** A query for `<name>.default.svc.cluster.local.` A to the server on `port`. */
export function askDefault(port: number, name: string): Promise<Msg> {
  return udpQuery(port, `${name}.default.svc.cluster.local.`, Type.A);
}

/** The address `<name>.default.svc.cluster.local.` has on the server on `port`, if it answers one. */
export async function addressInDefault(port: number, name: string): Promise<string | undefined> {
  const r = await askDefault(port, name);
  return r.rcode === Rcode.NOERROR ? r.answer[0]?.address : undefined;
}

/** Polls `cond` every 50 ms; returns the ms it took; throws with `output()` (the server's) after `ms`. */
export async function pollUntil(cond: () => boolean | Promise<boolean>, ms: number, what: string, output: () => string): Promise<number> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}; output:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - start;
}
