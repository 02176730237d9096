/**
 * clusterdns as it ships (dist/cli.js run by the pinned Node 24) with kubeadm's Corefile, adapted
 * only where a benchmark must: loopback addresses and free ports, the cluster from the simulator's
 * URL, and `forward` to the local stub instead of /etc/resolv.conf.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, start, waitHttp200, type Proc } from './proc.ts';

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, '..', '..');
/** The built product: dist/ (`npm run build`), or BENCH_DIST to measure another build. */
export let DIST = process.env.BENCH_DIST ? resolve(process.env.BENCH_DIST) : join(ROOT, 'dist');

/**
 * Copies the build (and the package.json it reads its version from) to `dir` and runs that copy
 * from now on, so a rebuild of dist/ during a long run cannot change what is measured.
 */
export function snapshotDist(dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  cpSync(DIST, join(dir, 'dist'), { recursive: true });
  cpSync(join(DIST, '..', 'package.json'), join(dir, 'package.json'));
  DIST = join(dir, 'dist');
  return DIST;
}
/** The Node 24 binary the product runs on (the devDependency, not the machine's node). */
export const NODE = join(ROOT, 'node_modules', '.bin', 'node');

/** A running clusterdns. */
export interface ClusterDns {
  proc: Proc;
  port: number;
  readyUrl: string;
  metricsUrl: string;
  corefile: string;
  /** ms from spawn until /ready answered 200 (informers synced, zone built). */
  readyMs: number;
}

/** Client certificate, its key and the CA, as files: the kubernetes plugin's `tls CERT KEY CACERT`. */
export interface TlsFiles {
  cert: string;
  key: string;
  ca: string;
}

/** kubeadm's Corefile (Corefile.example) with the benchmark's addresses; with `tls`, a `tls CERT KEY CACERT` line after `endpoint`. */
export function kubeadmCorefile(p: { port: number; health: number; ready: number; metrics: number; endpoint: string; upstream: string; tls?: TlsFiles }): string {
  const tls = p.tls ? `\n       tls ${p.tls.cert} ${p.tls.key} ${p.tls.ca}` : '';
  return `.:${p.port} {
    bind 127.0.0.1
    errors
    health 127.0.0.1:${p.health} {
       lameduck 1s
    }
    ready 127.0.0.1:${p.ready}
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       endpoint ${p.endpoint}${tls}
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
       startup_timeout 60s
    }
    prometheus 127.0.0.1:${p.metrics}
    forward . ${p.upstream} {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}
`;
}

/**
 * How the image runs Node (Dockerfile ENTRYPOINT and ENV; `npm start` too): a 1 MiB young
 * generation, so each scavenge stays well under a millisecond at full load (p99 latency), and at
 * most 2 malloc arenas (RSS under churn). test/e2e/image-layout checks the Dockerfile says the same.
 * Tried and left out: MALLOC_MMAP_THRESHOLD_=65536 (5-10 MiB less RSS after a 10k-Service startup,
 * but half the throughput: 21-26k qps against 43-55k in the same minutes).
 */
export const PRODUCT_NODE_FLAGS = ['--max-semi-space-size=1'];
export const PRODUCT_ENV = { MALLOC_ARENA_MAX: '2' };

/** The NODE_OPTIONS deploy/deployment.yaml sets (the heap cap that goes with its memory limit). */
export function deployNodeOptions(): string {
  const yaml = readFileSync(join(ROOT, 'deploy', 'deployment.yaml'), 'utf8');
  const m = /- name: NODE_OPTIONS\s*\n\s*value: "?([^"\n]+)"?/.exec(yaml);
  if (!m) throw new Error('deploy/deployment.yaml sets no NODE_OPTIONS');
  return m[1]!.trim();
}

/** deploy/deployment.yaml's memory limit, MiB (the pod is OOM-killed above it). */
export function deployMemoryLimitMiB(): number {
  const yaml = readFileSync(join(ROOT, 'deploy', 'deployment.yaml'), 'utf8');
  const m = /limits:\s*\n\s*memory:\s*(\d+)Mi\b/.exec(yaml);
  if (!m) throw new Error('deploy/deployment.yaml sets no memory limit in Mi');
  return Number(m[1]);
}

/** Options for one clusterdns run. */
export interface StartOptions {
  endpoint: string;
  /** Client TLS for an https endpoint (Sim.tls of a simulator started with `tls: true`). */
  tls?: TlsFiles;
  upstream: string;
  cpus?: string;
  /** `-workers N` or `auto` (the CPUs the process may use, at most 4); default 1, as the product's own default. */
  workers?: number | 'auto';
  /** Extra Node flags (e.g. --cpu-prof). */
  nodeArgs?: string[];
  readyTimeoutMs?: number;
  cwd?: string;
  /** Extra environment (e.g. MALLOC_ARENA_MAX for experiments). */
  env?: NodeJS.ProcessEnv;
}

/** Starts clusterdns and waits until /ready is 200. */
export async function startClusterDns(o: StartOptions): Promise<ClusterDns> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-clusterdns-'));
  const [port, health, ready, metrics] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const corefile = join(dir, 'Corefile');
  writeFileSync(corefile, kubeadmCorefile({ port, health, ready, metrics, endpoint: o.endpoint, upstream: o.upstream, tls: o.tls }));
  // BENCH_NODE_FLAGS: extra Node flags for experiments (not for recorded results).
  const experiment = (process.env.BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
  const args = [...PRODUCT_NODE_FLAGS, ...experiment, ...(o.nodeArgs ?? []), join(DIST, 'cli.js'), '-conf', corefile, '-quiet'];
  args.push('-workers', String(o.workers ?? 1));
  const t0 = performance.now();
  const proc = start('clusterdns', NODE, args, { cpus: o.cpus, cwd: o.cwd ?? dir, env: { ...process.env, ...PRODUCT_ENV, ...o.env } });
  const readyUrl = `http://127.0.0.1:${ready}/ready`;
  let readyMs: number;
  try {
    await waitHttp200(readyUrl, o.readyTimeoutMs ?? 60_000, 5, () => proc.child.exitCode === null && proc.child.signalCode === null);
    readyMs = performance.now() - t0;
  } catch (err) {
    if (proc.child.exitCode !== null) throw new Error(`clusterdns exited (${proc.child.exitCode}):\n${proc.output()}`);
    await proc.stop();
    throw err;
  }
  return { proc, port, readyUrl, metricsUrl: `http://127.0.0.1:${metrics}/metrics`, corefile, readyMs };
}
