import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { Rcode, Type } from '../../dns/constants.js';
import { replyTo } from '../../dns/message.js';
import type { Directive } from '../../corefile/types.js';
import type { Logger } from '../../core/log.js';
import type { Handler, Next, Request } from '../../plugin/handler.js';
import { registry } from '../../plugin/metrics.js';
import { makeRequest, makeSetupContext, runChain } from '../../plugin/testing.js';
import { parseSearch } from './resolv-conf.js';
import { plugin } from './setup.js';

const dir = mkdtempSync(join(tmpdir(), 'autopath-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const d = (args: string[], line = 4): Directive => ({ name: 'autopath', args, block: null, file: 'Corefile', line });

function makeCtx(zones = ['cluster.local.'], server = 'dns://:53') {
  const startup: Array<() => void | Promise<void>> = [];
  const handlers = new Map<string, Handler>();
  const { ctx } = makeSetupContext({
    block: { keys: zones, directives: [], file: 'Corefile', line: 1 }, zones, server,
    log: () => pino({ level: 'silent' }) as Logger, onStartup: (f) => startup.push(f), keep: (_key, create) => create(), handlers,
  });
  return { ctx, handlers, start: async () => { for (const f of startup) await f(); } };
}

/** Answers NOERROR with an A record only for `found`. */
const only = (found: string): Next => async (req: Request) => {
  const reply = replyTo(req.msg, req.qname === found ? Rcode.NOERROR : Rcode.NXDOMAIN);
  if (reply.rcode === Rcode.NOERROR) reply.answer.push({ name: req.name, type: Type.A, class: 1, ttl: 30, address: '10.0.0.1' });
  return reply;
};

async function successes(server: string): Promise<number> {
  const m = await registry.getSingleMetric('coredns_autopath_success_total')!.get();
  return m.values.find((v) => v.labels.server === server)?.value ?? 0;
}

describe('autopath setup', () => {
  it('takes the search list from a resolv.conf file, lower-cased, and counts successes per server', async () => {
    const file = join(dir, 'resolv.conf');
    writeFileSync(file, '# comment\nnameserver 10.96.0.10\nsearch Ns.svc.cluster.local svc.cluster.local\noptions ndots:5\n');
    const { ctx } = makeCtx(['cluster.local.'], 'dns://:5301');
    const h = (await plugin.setup([d([file])], ctx))!;
    const reply = await runChain([h], makeRequest('web.ns.svc.cluster.local.', Type.A), only('web.svc.cluster.local.'));
    expect(reply.answer.map((rr) => rr.name)).toEqual(['web.ns.svc.cluster.local.', 'web.svc.cluster.local.']);
    expect(await successes('dns://:5301')).toBe(1);
  });

  it('limits itself to the zones given before the file', async () => {
    const file = join(dir, 'resolv2.conf');
    writeFileSync(file, 'search a.example\n');
    const { ctx } = makeCtx(['.']);
    const h = (await plugin.setup([d(['b.example', file])], ctx))!;
    const reply = await runChain([h], makeRequest('x.a.example.', Type.A), only('x.'));
    expect(reply.rcode).toBe(Rcode.NXDOMAIN);
    expect(reply.answer).toEqual([]);
  });

  it('asks @kubernetes for the search path, found in the block at the first query', async () => {
    const { ctx, handlers } = makeCtx();
    const h = (await plugin.setup([d(['@kubernetes'])], ctx))!;
    // Set up after autopath, as the plugin order has it.
    const kube = { name: 'kubernetes', serveDNS: (req: Request, next: Next) => next(req), autoPath: () => ['ns.svc.cluster.local.', 'svc.cluster.local.', 'cluster.local.', ''] };
    handlers.set('kubernetes', kube);
    const reply = await runChain([h, kube], makeRequest('db.ns.svc.cluster.local.', Type.A), only('db.cluster.local.'));
    expect(reply.answer[0]).toMatchObject({ name: 'db.ns.svc.cluster.local.', type: Type.CNAME, domain: 'db.cluster.local.' });
  });

  it('does nothing when the named plugin is not in the block', async () => {
    const { ctx, start } = makeCtx();
    const h = (await plugin.setup([d(['@kubernetes'])], ctx))!;
    await start();
    const req = makeRequest('db.ns.svc.cluster.local.', Type.A);
    const reply = await runChain([h], req, only('db.cluster.local.'));
    expect(reply.rcode).toBe(Rcode.NXDOMAIN);
  });

  it('fails startup when the named plugin has no search path', async () => {
    const { ctx, handlers, start } = makeCtx();
    await plugin.setup([d(['@kubernetes'])], ctx);
    handlers.set('kubernetes', { name: 'kubernetes', serveDNS: (req, next) => next(req) });
    await expect(start()).rejects.toThrow('plugin/autopath: kubernetes does not implement the AutoPather interface');
  });

  it.each([
    ['no argument', [d([])], /Corefile:4 - Error during parsing: no resolv-conf specified/],
    ['a missing file', [d(['/nonexistent/resolv.conf'])], /failed to parse "\/nonexistent\/resolv.conf": ENOENT/],
    ['a bare @', [d(['@'])], /no plugin named after '@'/],
    ['twice', [d(['@kubernetes']), d(['@kubernetes'], 9)], /Corefile:9 - Error during parsing: plugin\/autopath can only be used once per Server Block/],
  ])('rejects %s', async (_what, directives, msg) => {
    await expect(async () => plugin.setup(directives, makeCtx().ctx)).rejects.toThrow(msg);
  });
});

describe('parseSearch', () => {
  it.each([
    ['search a.example B.example\n', ['a.example.', 'b.example.']],
    ['domain corp.example\n', ['corp.example.']],
    ['search a\nsearch b c\n', ['b.', 'c.']],
    ['search a\ndomain d\n', ['d.']],
    ['nameserver 1.1.1.1\n', []],
    ['', []],
  ])('%j', (text, want) => {
    expect(parseSearch(text)).toEqual(want);
  });
});
