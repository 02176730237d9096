/**
 * The container image without Docker: the Dockerfile's promises read from its text, then its final
 * layout rebuilt in a temp dir (dist/, package.json, `npm ci --omit=dev --ignore-scripts`) owned by
 * root and run with the pinned Node 24 as an unprivileged uid, as the image runs, and queried with dig.
 * The app dir is not writable by that uid, which stands in for readOnlyRootFilesystem.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRODUCT_ENV, PRODUCT_NODE_FLAGS } from '../../bench/lib/clusterdns.ts';
import { ROOT, freePort } from '../helpers/cli.js';
import { dig } from '../helpers/dig.js';

const run = promisify(execFile);
const UID = 65534; // nobody: any non-root uid proves the point; the image uses 65532
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const lines = dockerfile.split('\n').filter((l) => l.trim() && !l.trimStart().startsWith('#'));
const stages = dockerfile.split(/^FROM\s/m).slice(1);
const runtime = stages.at(-1)!;
const json = (instr: string) => JSON.parse(lines.find((l) => l.startsWith(`${instr} `))!.slice(instr.length + 1)) as string[];
const isRoot = process.getuid?.() === 0;
const hasSetpriv = existsSync('/usr/bin/setpriv') || existsSync('/bin/setpriv');
const why = !isRoot ? 'needs root to switch to a non-root uid' : !hasSetpriv ? 'needs setpriv (util-linux)' : '';
if (why) console.warn(`image-layout.e2e: run as non-root skipped: ${why}`);

describe('Dockerfile', () => {
  it('runs Node as the benchmarks measured it: same flags and environment, and `npm start` too', () => {
    const env = lines.filter((l) => l.startsWith('ENV ')).flatMap((l) => l.slice(4).trim().split(/\s+/));
    for (const [k, v] of Object.entries(PRODUCT_ENV)) expect(env).toContain(`${k}=${v}`);
    const start = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
    expect(start.startsWith(['node', ...PRODUCT_NODE_FLAGS, 'dist/cli.js'].join(' '))).toBe(true);
  });
  it('builds on official Node 24 images and runs distroless Node 24', () => {
    expect(dockerfile).toMatch(/^ARG BUILD_IMAGE=node:24-bookworm-slim$/m);
    expect(dockerfile).toMatch(/^ARG RUNTIME_IMAGE=gcr\.io\/distroless\/nodejs24-debian12(:nonroot)?$/m);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(runtime).toMatch(/^\$\{RUNTIME_IMAGE\}/);
  });
  it('installs production dependencies only, from the lockfile', () => {
    expect(dockerfile).toMatch(/npm ci --omit=dev --ignore-scripts/);
    expect(runtime).not.toMatch(/npm (ci|install)/);
    expect(runtime).toMatch(/COPY --from=prod-deps \/app\/node_modules \.\/node_modules/);
  });
  it('runs as numeric uid 65532 (runAsNonRoot can verify it) with CoreDNS flags and ports', () => {
    expect(runtime).toMatch(/^USER 65532:65532$/m);
    expect(json('ENTRYPOINT')).toEqual(['/nodejs/bin/node', ...PRODUCT_NODE_FLAGS, 'dist/cli.js']);
    expect(json('CMD')).toEqual(['-conf', '/etc/coredns/Corefile']);
    const exposed = lines.filter((l) => l.startsWith('EXPOSE ')).flatMap((l) => l.split(/\s+/).slice(1));
    expect(exposed.sort()).toEqual(['53/tcp', '53/udp', '8080/tcp', '8181/tcp', '9153/tcp']);
  });
  it('copies from the context only files that .dockerignore lets in', () => {
    const allowed = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/\*\*$/, ''));
    const sources = lines.filter((l) => /^COPY (?!--from)/.test(l)).flatMap((l) => l.split(/\s+/).slice(1, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const s of sources) {
      expect(allowed, `COPY ${s}`).toContain(s);
      expect(existsSync(join(ROOT, s)), `COPY ${s}`).toBe(true);
    }
  });
});

describe.skipIf(why !== '')(`the image layout, run as a non-root user${why ? ` (skipped: ${why})` : ''}`, () => {
  let app = '';
  let conf = '';
  let proc: ChildProcess | undefined;
  let out = '';
  const ports = { dns: 0, health: 0, ready: 0, metrics: 0, dead: 0 };
  const asNobody = (args: string[]) => ['--reuid', String(UID), '--regid', String(UID), '--clear-groups', process.execPath, ...args];
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent', NODE_ENV: 'production' };

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` first');
    app = mkdtempSync(join(tmpdir(), 'clusterdns-image-'));
    chmodSync(app, 0o755);
    cpSync(join(ROOT, 'dist'), join(app, 'dist'), { recursive: true });
    for (const f of ['package.json', 'package-lock.json']) cpSync(join(ROOT, f), join(app, f));
    await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: app, timeout: 90_000 });
    rmSync(join(app, 'package-lock.json')); // the image has package.json only
    conf = join(app, 'etc-coredns');
    mkdirSync(conf);
    cpSync(join(ROOT, 'examples', 'cluster.yaml'), join(conf, 'cluster.yaml'));
    for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
    // Corefile.example, on loopback and high ports, the cluster from manifests, and forward aimed
    // at a closed local port (nothing here leaves the machine).
    writeFileSync(join(conf, 'Corefile'), `.:${ports.dns} {
    bind 127.0.0.1
    errors
    health 127.0.0.1:${ports.health} {
       lameduck 1s
    }
    ready 127.0.0.1:${ports.ready}
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       manifests ${conf}/cluster.yaml
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus 127.0.0.1:${ports.metrics}
    forward . 127.0.0.1:${ports.dead} {
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
`);
    proc = spawn('setpriv', asNobody([...json('ENTRYPOINT').slice(1), '-conf', join(conf, 'Corefile')]), { cwd: app, env: { ...env, ...PRODUCT_ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    const alive = () => {
      if (proc!.exitCode !== null) throw new Error(`clusterdns exited (${proc!.exitCode}): ${out}`);
    };
    await until(() => (alive(), /clusterdns-\d/.test(out)), 15_000, () => `no startup banner; output: ${out}`);
    await until(async () => (alive(), (await httpStatus(ports.ready, '/ready')) === 200), 15_000, () => `never ready; output: ${out}`);
  }, 120_000);

  afterAll(async () => {
    if (proc && proc.exitCode === null) {
      const exited = new Promise((r) => proc!.once('exit', r));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc!.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    }
    if (app) rmSync(app, { recursive: true, force: true });
  });

  it('holds the dependencies and no dev-only package (the lockfile\'s "dev": true entries)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: object };
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    for (const d of Object.keys(pkg.dependencies)) expect(existsSync(join(app, 'node_modules', d)), d).toBe(true);
    const devOnly = Object.entries(lock.packages).filter(([path, p]) => path && p.dev).map(([path]) => path);
    expect(devOnly).toContain('node_modules/typescript');
    expect(devOnly).toContain('node_modules/node');
    for (const path of devOnly) expect(existsSync(join(app, path)), path).toBe(false);
  });
  it('every built-in plugin loads from production dependencies alone (-plugins matches the repo)', async () => {
    const inImage = await run('setpriv', asNobody(['dist/cli.js', '-plugins']), { cwd: app, env, timeout: 15_000 });
    const inRepo = await run(process.execPath, [join(ROOT, 'dist', 'cli.js'), '-plugins'], { timeout: 15_000 });
    expect(inImage.stdout).toBe(inRepo.stdout);
  });
  it('the server runs as the unprivileged uid', () => {
    const status = readFileSync(`/proc/${proc!.pid}/status`, 'utf8');
    expect(/^Uid:\s+(\d+)\s+(\d+)/m.exec(status)!.slice(1)).toEqual([String(UID), String(UID)]);
  });
  it('answers cluster names over UDP and TCP', async () => {
    const udp = await dig(ports.dns, 'kubernetes.default.svc.cluster.local', 'A');
    expect(udp.status).toBe('NOERROR');
    expect(udp.answer.join('\n')).toMatch(/\bA\s+10\.96\.0\.1$/m);
    const tcp = await dig(ports.dns, 'web.shop.svc.cluster.local', 'A', ['+tcp']);
    expect(tcp.answer.join('\n')).toMatch(/\bA\s+10\.96\.10\.20$/m);
    expect((await dig(ports.dns, 'nope.shop.svc.cluster.local', 'A')).status).toBe('NXDOMAIN');
  });
  it('serves /health and CoreDNS metrics', async () => {
    expect(await httpStatus(ports.health, '/health')).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${ports.metrics}/metrics`)).text();
    expect(metrics).toMatch(/^coredns_dns_requests_total\{/m);
    expect(metrics).toMatch(/^coredns_build_info\{/m);
  });
});

async function httpStatus(port: number, path: string): Promise<number> {
  try {
    return (await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2_000) })).status;
  } catch {
    return 0;
  }
}

async function until(ok: () => boolean | Promise<boolean>, ms: number, why: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(why());
    await new Promise((r) => setTimeout(r, 50));
  }
}
