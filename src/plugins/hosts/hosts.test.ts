import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rcode, Type } from '../../dns/constants.js';
import type { Directive } from '../../corefile/types.js';
import type { Handler } from '../../plugin/handler.js';
import type { SetupContext } from '../../plugin/setup.js';
import { makeRequest, runChain, terminal } from '../../plugin/testing.js';
import { registry } from '../../plugin/metrics.js';
import { plugin } from './setup.js';

const dir = mkdtempSync(join(tmpdir(), 'hosts-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const line = (name: string, args: string[] = []): Directive => ({ file: 'Corefile', line: 3, name, args, block: null });
const hostsLine = (args: string[], block: Directive[] = []): Directive => ({ file: 'Corefile', line: 2, name: 'hosts', args, block });

/** Runs plugin.setup with a minimal context; returns the handler and the hooks it registered. */
async function build(d: Directive, zones = ['.']) {
  const startup: Array<() => unknown> = [];
  const shutdown: Array<() => unknown> = [];
  const warnings: string[] = [];
  const ctx = {
    zones,
    log: () => ({ warn: (m: string) => warnings.push(m) }),
    onStartup: (fn: () => unknown) => startup.push(fn),
    onShutdown: (fn: () => unknown) => shutdown.push(fn),
  } as unknown as SetupContext;
  const h = (await plugin.setup([d], ctx)) as Handler;
  return { h, startup, shutdown, warnings };
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const FILE = `
192.168.1.10 example.org www.example.org
192.168.1.11 example.org
2001:db8::10 example.org
10.0.0.1 onlyv4.example.org
192.168.1.20 *.apps.example.org
10.0.0.99 other.net
`;

async function ask(h: Handler, name: string, type: number) {
  const last = terminal();
  const reply = await runChain([h], makeRequest(name, type), last);
  return { reply, passed: last.calls.length === 1, answers: reply.answer.map((rr) => `${rr.name} ${rr.ttl} ${rr.type} ${rr.address ?? rr.domain}`) };
}

describe('hosts handler', async () => {
  const path = file('hosts', FILE);
  const { h } = await build(hostsLine([path, 'example.org'], [line('10.1.1.1', ['inline.example.org', 'example.org']), line('ttl', ['60'])]));

  it.each([
    ['all addresses of a name, file then inline', 'example.org.', Type.A, Rcode.NOERROR, [
      'example.org. 60 1 192.168.1.10', 'example.org. 60 1 192.168.1.11', 'example.org. 60 1 10.1.1.1']],
    ['owner keeps the client spelling', 'WWW.Example.ORG.', Type.A, Rcode.NOERROR, ['WWW.Example.ORG. 60 1 192.168.1.10']],
    ['AAAA', 'example.org.', Type.AAAA, Rcode.NOERROR, ['example.org. 60 28 2001:db8::10']],
    ['NODATA for a v4-only name asked AAAA', 'onlyv4.example.org.', Type.AAAA, Rcode.NOERROR, []],
    ['NODATA for another type', 'example.org.', Type.MX, Rcode.NOERROR, []],
    ['inline lines', 'inline.example.org.', Type.A, Rcode.NOERROR, ['inline.example.org. 60 1 10.1.1.1']],
    ['wildcard', 'x.apps.example.org.', Type.A, Rcode.NOERROR, ['x.apps.example.org. 60 1 192.168.1.20']],
    ['unknown name in zone: SERVFAIL without fallthrough', 'nope.example.org.', Type.A, Rcode.SERVFAIL, []],
    ['PTR lists every name of the address', '10.1.168.192.in-addr.arpa.', Type.PTR, Rcode.NOERROR, [
      '10.1.168.192.in-addr.arpa. 60 12 example.org.', '10.1.168.192.in-addr.arpa. 60 12 www.example.org.']],
    ['PTR for IPv6', '0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.', Type.PTR, Rcode.NOERROR, [
      '0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. 60 12 example.org.']],
  ])('%s', async (_n, name, type, rcode, answers) => {
    const got = await ask(h, name, type);
    expect(got.passed).toBe(false);
    expect(got.reply.rcode).toBe(rcode);
    expect(got.reply.aa).toBe(rcode === Rcode.NOERROR);
    expect(got.answers).toEqual(answers);
  });

  it.each([
    ['a name outside the zones', 'other.net.', Type.A],
    ['an unknown address', '9.9.9.9.in-addr.arpa.', Type.PTR],
    ['a name outside the zones (PTR target)', '99.0.0.10.in-addr.arpa.', Type.PTR],
    ['a partial reverse name', '168.192.in-addr.arpa.', Type.PTR],
  ])('passes on %s', async (_n, name, type) => {
    expect((await ask(h, name, type)).passed).toBe(true);
  });
});

describe('hosts fallthrough', async () => {
  const path = file('hosts-ft', FILE);

  it('falls through for unknown names in the fallthrough zones only', async () => {
    const { h } = await build(hostsLine([path], [line('fallthrough', ['sub.example.org'])]));
    expect((await ask(h, 'x.sub.example.org.', Type.A)).passed).toBe(true);
    expect((await ask(h, 'nope.example.org.', Type.A)).reply.rcode).toBe(Rcode.SERVFAIL);
    // Known names never fall through: NODATA.
    expect((await ask(h, 'example.org.', Type.TXT)).passed).toBe(false);
  });

  it('fallthrough_unsupported passes other types of known names on', async () => {
    const { h } = await build(hostsLine([path], [line('fallthrough'), line('fallthrough_unsupported')]));
    expect((await ask(h, 'example.org.', Type.TXT)).passed).toBe(true);
    expect((await ask(h, 'example.org.', Type.A)).passed).toBe(false);
    expect((await ask(h, 'nope.org.', Type.A)).passed).toBe(true);
  });

  it('no_reverse: no PTR, so the query passes on', async () => {
    const { h } = await build(hostsLine([path], [line('no_reverse')]));
    expect((await ask(h, '10.1.168.192.in-addr.arpa.', Type.PTR)).passed).toBe(true);
    expect((await ask(h, 'example.org.', Type.A)).answers).toHaveLength(2);
  });
});

describe('hosts file reload', () => {
  it('re-reads the file when it changes, keeps the data when it disappears', async () => {
    const path = file('hosts-reload', '10.0.0.1 a.example.org\n');
    const { h, startup, shutdown } = await build(hostsLine([path], [line('reload', ['20ms'])]));
    expect(startup).toHaveLength(1);
    for (const fn of startup) await fn();
    expect((await ask(h, 'a.example.org.', Type.A)).answers).toEqual(['a.example.org. 3600 1 10.0.0.1']);
    writeFileSync(path, '10.0.0.2 a.example.org\n10.0.0.3 b.example.org\n');
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    let answers: string[] = [];
    for (let i = 0; i < 100; i++) {
      answers = (await ask(h, 'a.example.org.', Type.A)).answers;
      if (answers[0]?.endsWith('10.0.0.2')) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(answers).toEqual(['a.example.org. 3600 1 10.0.0.2']);
    const metrics = await registry.getSingleMetricAsString('coredns_hosts_entries');
    expect(metrics).toContain(`coredns_hosts_entries{hostsfile="${path}"} 4`);
    rmSync(path);
    await new Promise((r) => setTimeout(r, 60));
    expect((await ask(h, 'b.example.org.', Type.A)).answers).toEqual(['b.example.org. 3600 1 10.0.0.3']);
    for (const fn of shutdown) await fn();
  });

  it('warns about a missing file and still serves inline lines', async () => {
    const { h, warnings } = await build(hostsLine([join(dir, 'absent')], [line('10.0.0.5', ['x.org'])]));
    expect(warnings).toEqual([`File does not exist: ${join(dir, 'absent')}`]);
    expect((await ask(h, 'x.org.', Type.A)).answers).toEqual(['x.org. 3600 1 10.0.0.5']);
  });
});
