/**
 * `kubernetes` setup: parse the block, get (or reuse) the cluster source, build the handler.
 * The source (informers) is shared by the process's threads and kept across reloads under a key
 * made of the options it depends on, so a reload that leaves those alone does not relist the
 * cluster (CoreDNS relists every time).
 */
import { createHash } from 'node:crypto';
import { ConfigError } from '../../corefile/config-error.js';
import type { Directive } from '../../corefile/types.js';
import { collectGarbage } from '../../core/heap.js';
import type { Logger } from '../../core/log.js';
import { ApiSource } from '../../kube/api-source.js';
import { KubeConnectionError, resolveConnection } from '../../kube/config.js';
import { ManifestSource } from '../../kube/manifest-source.js';
import type { ClusterSource } from '../../kube/source.js';
import type { Plugin, SetupContext } from '../../plugin/setup.js';
import { Kubernetes } from './kubernetes.js';
import { parseKubernetes, type KubernetesOptions } from './options.js';
import { readResolvSearch } from './resolv-search.js';

const NAME = 'kubernetes';

/** Sources already started (a kept source is started by the first config that uses it). */
const started = new WeakSet<ClusterSource>();

/** The options a source depends on; equal keys share one source. */
export function sourceKey(o: KubernetesOptions): string {
  const parts = {
    endpoint: o.endpoint,
    tls: o.tls,
    kubeconfig: o.kubeconfig,
    manifests: o.manifests,
    labels: o.labels?.text,
    namespaceLabels: o.namespaceLabels?.text,
    pods: o.podMode === 'verified',
    endpoints: !o.noEndpoints,
    podNames: o.endpointPodNames,
  };
  return `${NAME}:${createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16)}`;
}

/** Builds the source the options ask for (no I/O until start). Throws ConfigError for a bad connection. */
export function createSource(o: KubernetesOptions, d: Directive, log: Logger): ClusterSource {
  if (o.manifests) {
    return new ManifestSource({
      path: o.manifests,
      log,
      ...(o.labels && { labelSelector: o.labels.text }),
      ...(o.namespaceLabels && { namespaceLabelSelector: o.namespaceLabels.text }),
      podNames: o.endpointPodNames,
    });
  }
  try {
    const connection = resolveConnection({
      ...(o.endpoint !== undefined && { endpoint: o.endpoint }),
      ...(o.tls && { tls: { ...o.tls } }),
      ...(o.kubeconfig && { kubeconfig: { ...o.kubeconfig } }),
    });
    return new ApiSource({
      connection,
      ...(o.labels && { labelSelector: o.labels.text }),
      ...(o.namespaceLabels && { namespaceLabelSelector: o.namespaceLabels.text }),
      pods: o.podMode === 'verified',
      endpoints: !o.noEndpoints,
      podNames: o.endpointPodNames,
      log,
    });
  } catch (err) {
    if (err instanceof KubeConnectionError) throw new ConfigError(err.message, d, NAME);
    throw err;
  }
}

/**
 * Waits for the first sync, at most `timeoutMs`, logging as CoreDNS does while it waits. Resolves
 * either way: the server then starts, answering SERVFAIL for names it cannot deny yet.
 */
export async function waitForSync(source: ClusterSource, timeoutMs: number, log: Logger): Promise<void> {
  if (source.synced) return;
  let timer: NodeJS.Timeout | undefined;
  let ticker: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), timeoutMs);
    ticker = setInterval(() => log.info('waiting for Kubernetes API before starting server'), 500);
  });
  try {
    const late = await Promise.race([source.whenSynced().then(() => false), timedOut]);
    if (late) log.warn('starting server with unsynced Kubernetes API');
  } finally {
    clearTimeout(timer);
    clearInterval(ticker);
  }
}

/** Collects the initial sync's garbage (see src/core/heap.ts) and says what it freed at debug level. */
export function afterInitialSync(log: Logger, collect: () => ReturnType<typeof collectGarbage> = collectGarbage): void {
  const c = collect();
  if (!c) return;
  const mib = (b: number): string => (b / 1048576).toFixed(1);
  log.debug(`initial sync: collected ${mib(c.beforeBytes)} -> ${mib(c.afterBytes)} MiB of heap in ${c.ms.toFixed(0)} ms`);
}

/** Sets up one block's handler against `source` (tests pass their own source). */
export function setupWith(o: KubernetesOptions, source: ClusterSource, ctx: Pick<SetupContext, 'onShutdown'> & Partial<Pick<SetupContext, 'lookup'>>): Kubernetes {
  const k = new Kubernetes(o, source);
  k.hostSearch = readResolvSearch();
  const lookup = ctx.lookup;
  if (lookup) k.resolve = (name, type, req) => lookup(name, type, req);
  ctx.onShutdown(() => k.close());
  return k;
}

/** The kubernetes plugin. */
export const plugin: Plugin = {
  name: NAME,
  setup(directives, ctx) {
    const o = parseKubernetes(directives, ctx.zones);
    const d = directives[0]!;
    const log = ctx.log(NAME);
    const source = ctx.shareSource(sourceKey(o), () => createSource(o, d, log));
    const k = setupWith(o, source, ctx);
    // As CoreDNS: ns.dns.<zone> answers with the addresses the server is bound to, when `bind` names
    // specific non-loopback ones; otherwise the host's non-loopback addresses.
    const bound = ctx.listenHosts.filter((h) => h !== '::' && h !== '0.0.0.0' && !h.startsWith('127.') && h !== '::1');
    if (bound.length > 0) k.localIPs = [...bound];
    ctx.onStartup(async () => {
      if (!started.has(source)) {
        started.add(source);
        source.start();
        // Before the first query, not under load: the initial list's garbage (src/core/heap.ts).
        void source.whenSynced().then(() => afterInitialSync(log));
      }
      await waitForSync(source, o.startupTimeoutMs, log);
    });
    return k;
  },
};
