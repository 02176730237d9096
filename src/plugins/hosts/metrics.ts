/** The hosts plugin's metrics, under CoreDNS's names. */
import { gauge } from '../../plugin/metrics.js';

/** `coredns_hosts_entries{hostsfile}`: entries from the file plus the inline lines. */
export const hostsEntries = gauge({
  name: 'coredns_hosts_entries',
  help: 'The combined number of entries in hosts and Corefile.',
  labelNames: ['hostsfile'] as const,
});

/** `coredns_hosts_reload_timestamp_seconds`: the file's mtime at the last (re)load. */
export const hostsReloadTime = gauge({
  name: 'coredns_hosts_reload_timestamp_seconds',
  help: 'The timestamp of the last reload of hosts file.',
});
