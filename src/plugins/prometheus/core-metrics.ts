/**
 * Metrics the core server records itself (CoreDNS core/dnsserver and plugin/metrics/setup.go):
 * panics, build info, enabled plugins, and queries answered before the plugin chain ("dropped").
 * Importing this module registers them; the series exist whether or not a block enables prometheus,
 * as in CoreDNS where they are package-level.
 */
import type { DroppedQuery } from '../../core/router.js';
import { counter, gauge } from '../../plugin/metrics.js';
import { VERSION } from '../../version.js';
import { DnsReporter } from './dns-metrics.js';

/** `coredns_panics_total`: counts handler crashes (the prometheus setup hooks it to the router's `coreHooks.onPanic`). */
export const panics = counter({ name: 'coredns_panics_total', help: 'A metrics that counts the number of panics.' });

/** `coredns_build_info{version,revision,goversion}` (goversion holds the Node version). */
export const buildInfo = gauge({
  name: 'coredns_build_info',
  help: "A metric with a constant '1' value labeled by version, revision, and goversion from which CoreDNS was built.",
  labelNames: ['version', 'revision', 'goversion'] as const,
});

/** `coredns_plugin_enabled{server,zone,view,name}`. */
export const pluginEnabled = gauge({
  name: 'coredns_plugin_enabled',
  help: 'A metric that indicates whether a plugin is enabled on per server and zone basis.',
  labelNames: ['server', 'zone', 'view', 'name'] as const,
});

let buildInfoSet = false;

/** Sets the one build_info series; defaults to package.json's version and the running Node. */
export function setBuildInfo(version = VERSION, revision = process.env.CLUSTERDNS_REVISION ?? ''): void {
  buildInfo.reset();
  buildInfo.labels(version, revision, `node${process.versions.node}`).set(1);
  buildInfoSet = true;
}

/** Sets build_info with the defaults unless the core already set it. */
export function ensureBuildInfo(): void {
  if (!buildInfoSet) setBuildInfo();
}

/** Marks `names` enabled for every zone of a server block (CoreDNS does this at startup). */
export function markPluginsEnabled(server: string, zones: readonly string[], names: Iterable<string>): void {
  const list = [...names];
  for (const zone of zones) for (const name of list) pluginEnabled.labels(server, zone, '', name).set(1);
}

/** Zone label of queries that never entered a chain; it has no trailing dot, so no real zone collides. */
export const DROPPED = 'dropped';

const dropReporters = new Map<string, DnsReporter>();

/**
 * Records a query the server answered itself before any chain (no zone matched: REFUSED; no
 * question: SERVFAIL), as CoreDNS's errorAndMetricsFunc does: zone "dropped", plugin "".
 */
export function reportDropped(q: DroppedQuery): void {
  let r = dropReporters.get(q.server);
  if (!r) dropReporters.set(q.server, (r = new DnsReporter(q.server)));
  r.report({ ...q, zone: DROPPED, plugin: '', seconds: 0 });
}
