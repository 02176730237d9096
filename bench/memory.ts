/**
 * Memory: clusterdns's resident set with 1k, 10k and 50k Services (each with an EndpointSlice of 3
 * endpoints), once ready and settled, and again after a short query load (wire cache filled).
 * Budget: 60 MB + 1 KB per tracked object; next to CoreDNS's published sizing formula
 * (coredns/deployment kubernetes/Scaling_CoreDNS.md): MB = (Pods + Services) / 1000 + 54.
 */
import { deployMemoryLimitMiB, deployNodeOptions, NODE, PRODUCT_ENV, PRODUCT_NODE_FLAGS, startClusterDns } from './lib/clusterdns.ts';
import { ENDPOINTS, namespaceCount } from './lib/cluster.ts';
import { measure } from './lib/measure.ts';
import { peakRssKiB, rssFileKiB, rssKiB, scrape, sleep, start } from './lib/proc.ts';
import { fmt, LOAD_CPU, runAlone, SERVER_CPU, table, type BenchEnv, type Section } from './lib/scenario.ts';

/** Cluster sizes measured. */
export const SIZES = [1_000, 10_000, 50_000];
/**
 * How long after /ready "settled" is read: V8's memory reducer shrinks the heap once allocation has
 * been quiet for ~8 s (startup's list decoding leaves garbage until then), measured 6-10 s.
 */
const SETTLE_MS = 12_000;
/** Objects the simulator's bootstrap adds (4 namespaces, the `kubernetes` Service and its slice). */
const BOOTSTRAP_OBJECTS = 6;

/**
 * The runtime's own floor: Node 24 with the flags the image uses and the built-in modules any DNS
 * server on it needs (dgram, net, http, and https: the API server speaks only TLS), doing nothing.
 */
async function nodeFloor(): Promise<{ rss: number; file: number }> {
  const code = "require('node:dgram'); require('node:net'); require('node:http'); require('node:https'); setTimeout(() => {}, 10000)";
  const p = start('node-floor', NODE, [...PRODUCT_NODE_FLAGS, '-e', code], { cpus: SERVER_CPU, env: { ...process.env, ...PRODUCT_ENV } });
  try {
    await sleep(2000);
    return { rss: rssKiB(p.pid) / 1024, file: rssFileKiB(p.pid) / 1024 };
  } finally {
    await p.stop();
  }
}

export async function run(env: BenchEnv): Promise<Section> {
  const deployed = deployNodeOptions();
  const rows: Array<Array<string | number>> = [];
  const floor = await nodeFloor();
  rows.push(['Node 24 alone (dgram, net, http, https loaded; no clusterdns)', '', '', '', fmt(floor.rss, 1), '', '', '', '', fmt(floor.file, 1), fmt(floor.rss - floor.file, 1), '', '', '']);
  const data: Record<string, unknown> = {};
  let emptyKiB = NaN;
  // An empty cluster first: the fixed cost, against which the per-object cost is read.
  // Last, 10k again unpinned: V8 and libuv size their thread pools by the CPUs they may use, and
  // `-workers auto` runs one thread per CPU (each worker thread keeps its own zone and caches).
  const runs = [
    ...[0, ...SIZES].map((services) => ({ services, pinned: true, workers: 1 })),
    { services: 10_000, pinned: false, workers: 1 },
    { services: 10_000, pinned: false, workers: 'auto' },
    // As deploy/ runs it: its NODE_OPTIONS (a heap cap sized for its memory limit) on top.
    ...[1_000, 10_000, 50_000].map((services) => ({ services, pinned: true, workers: 1, deploy: true })),
  ];
  for (const { services, pinned, workers, deploy } of runs as Array<{ services: number; pinned: boolean; workers: number | 'auto'; deploy?: boolean }>) {
    const sim = await env.sim(services);
    const srv = await startClusterDns({ endpoint: sim.url, tls: sim.tls, upstream: env.stub.addr, cpus: pinned ? SERVER_CPU : undefined, workers, readyTimeoutMs: 120_000, env: deploy ? { NODE_OPTIONS: deployed } : undefined });
    try {
      await sleep(3000);
      const early = rssKiB(srv.proc.pid);
      await sleep(SETTLE_MS - 3000);
      const settled = rssKiB(srv.proc.pid);
      const mib = async (metric: string): Promise<string> => fmt((await scrape(srv.metricsUrl, metric)) / 1048576, 1);
      const heap = `${await mib('nodejs_heap_size_used_bytes')} / ${await mib('nodejs_heap_size_total_bytes')} / ${await mib('nodejs_external_memory_bytes')}`;
      if (services > 0) await measure([srv.proc.pid], { port: srv.port, file: env.queries(services).file, seconds: 3, cpus: pinned ? LOAD_CPU : undefined, qps: 20_000 });
      const loaded = rssKiB(srv.proc.pid);
      const fileBacked = rssFileKiB(srv.proc.pid);
      const peak = peakRssKiB(srv.proc.pid);
      // Tracked: what the informers keep (Services, EndpointSlices, Namespaces; `pods insecure` watches no Pods).
      const tracked = services * 2 + namespaceCount(services) + BOOTSTRAP_OBJECTS;
      const budgetMiB = 60 + tracked / 1024;
      const coreDnsMB = (services * ENDPOINTS + services) / 1000 + 54;
      const worst = Math.max(settled, loaded) / 1024;
      if (services === 0) emptyKiB = worst * 1024;
      const perObject = services > 0 && pinned && !deploy ? fmt((worst * 1024 - emptyKiB) / (tracked - BOOTSTRAP_OBJECTS), 2) : '';
      const label = services === 0 ? '0 (empty cluster)' : `${fmt(services)}${deploy ? `, as deployed (NODE_OPTIONS=${deployed})` : pinned ? '' : workers === 'auto' ? ', unpinned, -workers auto (one thread per CPU)' : ', unpinned, -workers 1'}`;
      rows.push([label, fmt(tracked), fmt(srv.readyMs), fmt(early / 1024, 1), fmt(settled / 1024, 1), heap, services > 0 ? fmt(loaded / 1024, 1) : '', fmt(peak / 1024, 1), perObject, fmt(fileBacked / 1024, 1), fmt(Math.max(settled, loaded) / 1024 - fileBacked / 1024, 1), fmt(budgetMiB, 1), worst <= budgetMiB ? 'yes' : '**no**', fmt(coreDnsMB, 0)]);
      if (services === 0) continue;
      if (deploy) {
        data[`deployed${services}MiB`] = worst;
        data[`deployedPeak${services}MiB`] = peak / 1024;
        data.deployLimitMiB = deployMemoryLimitMiB();
        continue;
      }
      if (!pinned) {
        data[workers === 'auto' ? 'unpinnedAutoWorkers10kMiB' : 'unpinned10kMiB'] = worst;
        continue;
      }
      data[`rss${services}MiB`] = worst;
      data[`budget${services}MiB`] = budgetMiB;
      data[`peak${services}MiB`] = peak / 1024;
      data[`ready${services}Ms`] = srv.readyMs;
      data.emptyMiB = emptyKiB / 1024;
      data.nodeFloorMiB = floor.rss;
    } finally {
      await srv.proc.stop();
    }
  }
  const markdown = [
    `clusterdns pinned to CPU ${SERVER_CPU} with the kubeadm Corefile and \`-workers 1\` (the "unpinned" rows: not pinned, as in a pod whose CPU limit does not change the CPUs the process may use; then with \`-workers auto\`, one thread per CPU), the simulator on CPU ${LOAD_CPU}, over HTTPS with a client certificate (a real API server speaks only TLS, and TLS's state is part of the footprint). RSS (VmRSS) 3 s after /ready, settled (${SETTLE_MS / 1000} s after /ready: V8's memory reducer shrinks the heap once allocation has been quiet for ~8 s), then after 3 s of the query mix at 20k qps (the larger of settled and after load is held against the budget); peak = VmHWM over the whole run (startup's list decoding included). "JS heap" is used / total / external as the process's own metrics report them. "KiB per object" = (RSS - empty cluster's RSS) / objects added. MiB throughout; the budget is 60 MiB + 1 KiB per tracked object (Services + EndpointSlices + Namespaces). CoreDNS's formula counts the ${ENDPOINTS} Pods behind each Service. "File-backed" (RssFile) is the part of RSS that maps files, mostly the node binary's pages: shared and reclaimable, unlike the anonymous rest; the first row is Node itself with the image's flags and nothing of ours, the floor any Node server starts from. The "as deployed" rows add deploy/'s NODE_OPTIONS (${deployed}: the heap cap that goes with its 170Mi limit, which makes V8 collect sooner).`,
    '',
    table(['Services', 'tracked objects', 'ready ms', 'RSS 3 s after ready', 'RSS settled', 'JS heap MiB', 'RSS after load', 'peak RSS', 'KiB per object', 'of it file-backed', 'anonymous (RSS - file)', 'budget', 'within budget', 'CoreDNS formula MB'], rows),
  ].join('\n');
  return { title: 'Memory', markdown, data };
}

if (import.meta.main) await runAlone(run);
