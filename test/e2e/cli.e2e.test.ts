/** The CLI as CoreDNS users call it: flags, Corefile errors, signals. */
import { execFile } from 'node:child_process';
import { writeFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Type } from '../../src/dns/constants.js';
import { ROOT, startCli, freePort } from '../helpers/cli.js';
import { dig } from '../helpers/dig.js';
import { udpQuery } from '../helpers/wire-client.js';
import { startApiServer } from '../apiserver/server.js';

const run = promisify(execFile);
const cli = (args: string[]) =>
  run(process.execPath, [join(ROOT, 'dist', 'cli.js'), ...args], { timeout: 10_000 }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );

const HOSTS = (ip: string) => `example.test:{port} {
  bind 127.0.0.1
  hosts {
    ${ip} www.example.test
  }
}
`;

describe('flags', () => {
  it('-version prints name, version and platform', async () => {
    const r = await cli(['-version']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^clusterdns-\d+\.\d+\.\d+\n\w+\/\w+, node v24/);
  });
  it('-plugins lists the built-in plugins as CoreDNS does', async () => {
    const r = await cli(['-plugins']);
    expect(r.out).toContain('Server types:\n  dns');
    for (const p of ['dns.kubernetes', 'dns.forward', 'dns.cache', 'dns.health', 'dns.ready']) expect(r.out).toContain(p);
  });
  it('an unknown flag exits 2 with the usage, like Go flag', async () => {
    const r = await cli(['-nope']);
    expect(r.code).toBe(2);
    expect(r.out).toContain('flag provided but not defined: -nope');
    expect(r.out).toContain('-dns.port');
  });
  it('-dns.port=N and -dns.port N both set the port of keys without one', async () => {
    for (const form of ['eq', 'space'] as const) {
      const port = await freePort();
      const args = form === 'eq' ? [`-dns.port=${port}`] : ['-dns.port', String(port)];
      const srv = await startCli('example.test {\n bind 127.0.0.1\n hosts {\n 192.0.2.9 a.example.test\n }\n}\n', { args, port });
      const r = await udpQuery(port, 'a.example.test.', Type.A);
      expect(r.answer[0]!.address).toBe('192.0.2.9');
      await srv.stop();
    }
  });
  it('-pidfile writes the pid and removes it on exit; -quiet hides the banner', async () => {
    const srv = await startCli(HOSTS('192.0.2.1'), { args: ['-pidfile', 'pid', '-quiet'], wait: false });
    const pidfile = join(srv.dir, 'pid');
    const end = Date.now() + 10_000;
    while (!existsSync(pidfile) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(readFileSync(pidfile, 'utf8').trim()).toBe(String(srv.proc.pid));
    expect(srv.output()).not.toContain('clusterdns-');
    expect(await srv.stop()).toBe(0);
    expect(existsSync(pidfile)).toBe(false);
  });
});

describe('Corefile errors', () => {
  it.each([
    ['an unknown directive', '.:1 {\n  bind 127.0.0.1\n  bogus\n}\n', /Corefile:3 - Error during parsing: Unknown directive 'bogus'/],
    ['a bad health address', '.:1 {\n  health not-an-address\n}\n', /plugin\/health: .*Corefile:2 - Error during parsing: invalid address/],
    ['a missing closing brace', '.:1 {\n  bind 127.0.0.1\n', /Corefile:\d+/],
    ['a CoreDNS plugin we do not implement', '.:1 {\n  dnssec\n}\n', /Corefile:2 .*does not implement/],
  ])('%s exits 1 before binding, naming Corefile:line', async (_n, text, re) => {
    const srv = await startCli(text, { wait: false });
    const code = await new Promise<number | null>((r) => srv.proc.once('exit', (c) => r(c)));
    expect(code).toBe(1);
    expect(srv.output()).toMatch(re);
  });
  it('a missing Corefile is a clear error', async () => {
    const r = await cli(['-conf', '/nonexistent/Corefile']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('/nonexistent/Corefile');
  });
});

describe('signals', () => {
  it('SIGUSR1 reloads an edited Corefile; a broken one keeps the old config serving', async () => {
    const srv = await startCli(HOSTS('192.0.2.1'));
    writeFileSync(srv.corefile, HOSTS('192.0.2.2').replaceAll('{port}', String(srv.port)));
    srv.proc.kill('SIGUSR1');
    await srv.waitFor(/Reloaded configuration/);
    expect((await dig(srv.port, 'www.example.test')).answer).toEqual(['www.example.test. 3600 IN A 192.0.2.2']);
    writeFileSync(srv.corefile, 'example.test:1 {\n  bogus\n}\n');
    srv.proc.kill('SIGUSR1');
    await srv.waitFor(/Reload failed/);
    expect((await dig(srv.port, 'www.example.test')).answer).toEqual(['www.example.test. 3600 IN A 192.0.2.2']);
    expect(await srv.stop('SIGTERM')).toBe(0);
  });
  it('SIGINT stops cleanly', async () => {
    const srv = await startCli(HOSTS('192.0.2.1'));
    expect(await srv.stop('SIGINT')).toBe(0);
  });
  it('a signal sent the moment the banner appears finds its handler (exit 0, not killed)', async () => {
    // Whoever watches the banner or the pidfile may signal at once: the handlers are in place first.
    for (let i = 0; i < 5; i++) {
      const srv = await startCli(HOSTS('192.0.2.1'), { wait: false });
      await new Promise<void>((r) => srv.proc.stdout!.on('data', () => /clusterdns-\d/.test(srv.output()) && r()));
      expect(await srv.stop(i % 2 ? 'SIGINT' : 'SIGTERM')).toBe(0);
    }
  });
  it('SIGTERM during startup (waiting for the API) stops cleanly once startup ends, without announcing', async () => {
    const sim = await startApiServer({});
    sim.faults.down(60_000);
    const corefile = `cluster.local:{port} {\n  bind 127.0.0.1\n  kubernetes {\n    endpoint ${sim.url}\n    startup_timeout 2s\n  }\n}\n`;
    const srv = await startCli(corefile, { args: ['-pidfile', 'pid'], wait: false });
    try {
      await srv.waitFor(/retrying in \d+ ms/);
      expect(await srv.stop('SIGTERM')).toBe(0);
      expect(srv.output()).toContain('[SIGTERM] shutting down');
      expect(srv.output()).not.toMatch(/clusterdns-\d/);
      expect(existsSync(join(srv.dir, 'pid'))).toBe(false);
    } finally {
      await sim.close();
    }
  });
});
