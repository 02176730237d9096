/**
 * clusterdns behind a real stub resolver: a network namespace plays a pod in namespace `shop`, with
 * the /etc/resolv.conf the kubelet writes (nameserver = the DNS Service, search list, ndots:5), and
 * glibc (getent), nslookup and dig inside it must resolve the short names a pod uses.
 *
 * Network: a veth pair on a private /30 that exists only between our two ends (10.253.S.1 on the host
 * side, where clusterdns listens on :53; 10.253.S.2 inside the namespace). Nothing else is addressed.
 * Needs root and `ip netns`; skipped otherwise. The namespace, the veth and /etc/netns/<name> are
 * removed in afterAll whatever happens.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startCli, type Running } from '../helpers/cli.js';
import { dig, parseDigYaml } from '../helpers/dig.js';

const run = promisify(execFile);
const tag = randomBytes(3).toString('hex');
const NS = `cdns-test-${tag}`;
const HOST_IF = `cdh${tag}`; // interface names are limited to 15 characters
const NS_IF = `cdn${tag}`;
const ETC = join('/etc/netns', NS);

/** Why this machine cannot run the test, or '' when it can. */
function unavailable(): string {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  for (const tool of ['ip', 'getent', 'nslookup', 'dig']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `needs ${tool}`;
    }
  }
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore', timeout: 5_000 });
  } catch {
    return '`ip netns` is unavailable';
  }
  return '';
}

/** A /30 in 10.253.0.0/16 that no interface of this host uses. */
function freeSubnet(): number {
  const used = execFileSync('ip', ['-4', '-o', 'addr', 'show'], { encoding: 'utf8' });
  for (let i = 0; i < 50; i++) {
    const s = Math.floor(Math.random() * 254) + 1;
    if (!used.includes(` 10.253.${s}.`)) return s;
  }
  throw new Error('no free 10.253.x.0/30 found');
}

const why = unavailable();
if (why) console.warn(`resolver.e2e: skipped: ${why}`);

describe.skipIf(why !== '')(`a pod's resolver in a network namespace${why ? ` (skipped: ${why})` : ''}`, () => {
  let server: Running | undefined;
  let made = { ns: false, etcNetns: false };
  let hostAddr = '';
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe', timeout: 10_000 });
  /** Runs a command inside the namespace; resolves with stdout and the exit code (never rejects). */
  const inNs = async (cmd: string[]) => {
    try {
      const r = await run('ip', ['netns', 'exec', NS, ...cmd], { timeout: 20_000 });
      return { code: 0, out: r.stdout };
    } catch (e) {
      const err = e as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof err.code === 'number' ? err.code : -1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
    }
  };

  beforeAll(async () => {
    const s = freeSubnet();
    hostAddr = `10.253.${s}.1`;
    made.etcNetns = !existsSync('/etc/netns');
    ip('netns', 'add', NS);
    made.ns = true;
    ip('link', 'add', HOST_IF, 'type', 'veth', 'peer', 'name', NS_IF);
    ip('link', 'set', NS_IF, 'netns', NS);
    ip('addr', 'add', `${hostAddr}/30`, 'dev', HOST_IF);
    ip('link', 'set', HOST_IF, 'up');
    ip('-n', NS, 'link', 'set', 'lo', 'up');
    ip('-n', NS, 'addr', 'add', `10.253.${s}.2/30`, 'dev', NS_IF);
    ip('-n', NS, 'link', 'set', NS_IF, 'up');
    // `ip netns exec` bind-mounts these over /etc: the kubelet's resolv.conf for a pod in `shop`
    // (short timeouts so that a failure shows fast), and plain files+dns lookups so that no
    // host-side resolver daemon (systemd-resolved, nscd) answers instead of clusterdns.
    mkdirSync(ETC, { recursive: true });
    writeFileSync(join(ETC, 'resolv.conf'), [
      `nameserver ${hostAddr}`,
      'search shop.svc.cluster.local svc.cluster.local cluster.local',
      'options ndots:5 timeout:2 attempts:2',
      '',
    ].join('\n'));
    const nss = existsSync('/etc/nsswitch.conf') ? readFileSync('/etc/nsswitch.conf', 'utf8') : '';
    writeFileSync(join(ETC, 'nsswitch.conf'), `${nss.replace(/^hosts:.*$/m, '').trimEnd()}\nhosts: files dns\n`);
    server = await startCli(`cluster.local:{port} in-addr.arpa:{port} {
    bind ${hostAddr}
    errors
    kubernetes cluster.local in-addr.arpa {
        manifests ${join(ROOT, 'examples', 'cluster.yaml')}
        pods insecure
    }
}
`, { port: 53 });
    // Ready once the manifests are loaded: poll from the host side, bounded.
    const end = Date.now() + 15_000;
    for (;;) {
      const r = await dig(53, 'kubernetes.default.svc.cluster.local', 'A', [], hostAddr);
      if (r.status === 'NOERROR' && r.answer.length > 0) break;
      if (Date.now() > end) throw new Error(`clusterdns never answered on ${hostAddr}:53: ${server.output()}`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }, 60_000);

  afterAll(async () => {
    await server?.stop().catch(() => undefined);
    if (made.ns) {
      try { ip('netns', 'del', NS); } catch { /* already gone */ }
      // Deleting the namespace destroys the peer and so the pair; make sure of the host end.
      try { ip('link', 'del', HOST_IF); } catch { /* gone with the namespace */ }
    }
    rmSync(ETC, { recursive: true, force: true });
    if (made.etcNetns && existsSync('/etc/netns') && readdirSync('/etc/netns').length === 0) rmSync('/etc/netns', { recursive: true });
    made = { ns: false, etcNetns: false };
  });

  it('glibc resolves kubernetes.default through the search list', async () => {
    const r = await inNs(['getent', 'hosts', 'kubernetes.default']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^10\.96\.0\.1\s+kubernetes\.default\.svc\.cluster\.local\b/m);
  });
  it("glibc resolves a short name in the pod's own namespace", async () => {
    const r = await inNs(['getent', 'hosts', 'web']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^10\.96\.10\.20\s+web\.shop\.svc\.cluster\.local\b/m);
  });
  it('glibc gets every ready address of a headless service', async () => {
    const r = await inNs(['getent', 'ahostsv4', 'db.shop']);
    expect(r.code).toBe(0);
    const addrs = new Set(r.out.split('\n').map((l) => l.split(/\s+/)[0]).filter(Boolean));
    expect([...addrs].sort()).toEqual(['10.244.1.20', '10.244.2.21']);
  });
  it('glibc reverse-resolves a service IP', async () => {
    const r = await inNs(['getent', 'hosts', '10.96.10.20']);
    expect(r.out).toMatch(/^10\.96\.10\.20\s+web\.shop\.svc\.cluster\.local\b/m);
  });
  it('a name that exists nowhere fails cleanly (exit 2, not a hang)', async () => {
    const t = Date.now();
    const r = await inNs(['getent', 'hosts', 'no-such-service']);
    expect(r.code).toBe(2);
    expect(Date.now() - t).toBeLessThan(10_000);
  });
  it('nslookup web.shop finds the service via the search list', async () => {
    const r = await inNs(['nslookup', 'web.shop']);
    expect(r.out).toContain(`Server:\t\t${hostAddr}`);
    expect(r.out).toMatch(/Name:\s+web\.shop\.svc\.cluster\.local\nAddress: 10\.96\.10\.20\n/);
  });
  it('dig +search web uses resolv.conf (server, search list, ndots)', async () => {
    const r = await inNs(['dig', '+yaml', '+search', '+tries=1', '+time=3', 'web', 'A']);
    const reply = parseDigYaml(r.out);
    expect(reply.status).toBe('NOERROR');
    expect(reply.answer.join('\n')).toMatch(/^web\.shop\.svc\.cluster\.local\.\s+\d+\s+IN\s+A\s+10\.96\.10\.20$/m);
  });
  it('dig +search finds the SRV records of a headless service port', async () => {
    const r = await inNs(['dig', '+yaml', '+search', '+tries=1', '+time=3', '_postgres._tcp.db', 'SRV']);
    const answer = parseDigYaml(r.out).answer.join('\n');
    expect(answer).toMatch(/SRV\s+0\s+\d+\s+5432\s+db-0\.db\.shop\.svc\.cluster\.local\.$/m);
    expect(answer).toMatch(/SRV\s+0\s+\d+\s+5432\s+db-1\.db\.shop\.svc\.cluster\.local\.$/m);
  });
});
