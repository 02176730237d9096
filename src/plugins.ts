/**
 * THE plugin order (our plugin.cfg): it fixes the chain order, whatever order the Corefile uses.
 * Same relative order as CoreDNS's plugin.cfg. Each name is a folder src/plugins/<name>/ whose
 * setup.ts exports `plugin`.
 */
import type { Plugin } from './plugin/setup.js';

/** Directives clusterdns implements, in chain order. */
export const PLUGIN_ORDER = [
  'reload', 'bind', 'ready', 'health', 'prometheus', 'errors', 'log', 'loadbalance', 'cache',
  'rewrite', 'autopath', 'hosts', 'kubernetes', 'loop', 'forward', 'whoami',
] as const;

/** CoreDNS directives we recognise but do not implement: a clearer error than "unknown". */
export const COREDNS_ONLY = [
  'root', 'metadata', 'geoip', 'cancel', 'tls', 'timeouts', 'multisocket', 'nsid', 'bufsize', 'debug',
  'trace', 'pprof', 'dnstap', 'local', 'dns64', 'acl', 'any', 'chaos', 'tsig', 'header', 'dnssec',
  'minimal', 'template', 'transfer', 'route53', 'azure', 'clouddns', 'k8s_external', 'file', 'auto',
  'secondary', 'etcd', 'grpc', 'erratic', 'on', 'sign', 'view',
] as const;

const cache = new Map<string, Plugin>();

/** Loads the plugin for a directive (its module is imported on first use). */
export async function loadPlugin(name: string): Promise<Plugin> {
  const got = cache.get(name);
  if (got) return got;
  const mod = (await import(`./plugins/${name}/setup.js`)) as { plugin: Plugin };
  cache.set(name, mod.plugin);
  return mod.plugin;
}

/** Plugins whose module is present in this build (for `-plugins`). */
export async function availablePlugins(): Promise<string[]> {
  const out: string[] = [];
  for (const name of PLUGIN_ORDER) {
    try {
      await loadPlugin(name);
      out.push(name);
    } catch {
      // Not built in.
    }
  }
  return out;
}
