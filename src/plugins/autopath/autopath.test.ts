import { describe, expect, it } from 'vitest';
import { Rcode, Type } from '../../dns/constants.js';
import { replyTo, type Msg, type RR } from '../../dns/message.js';
import { PluginError, type Handler, type Next, type Request } from '../../plugin/handler.js';
import { makeRequest, runChain } from '../../plugin/testing.js';
import { AutoPath } from './autopath.js';
import { joinSearch, trimZone } from './cname.js';

const POD_IP = '10.244.0.5';
const SEARCH = ['default.svc.cluster.local.', 'svc.cluster.local.', 'cluster.local.', ''];

/** Records each plugin can answer, by lower-case name. */
const KUBE: Record<string, RR[]> = {
  'web.default.svc.cluster.local.': [{ name: 'web.default.svc.cluster.local.', type: Type.A, class: 1, ttl: 5, address: '10.96.0.10' }],
  'db.other.svc.cluster.local.': [{ name: 'db.other.svc.cluster.local.', type: Type.A, class: 1, ttl: 7, address: '10.96.0.20' }],
};
const UPSTREAM: Record<string, RR[]> = {
  'example.com.': [{ name: 'example.com.', type: Type.A, class: 1, ttl: 300, address: '93.184.216.34' }],
};

/** A fake kubernetes plugin: answers cluster.local. names, knows one pod's search path. */
function fakeKube(): Handler & { autoPath(req: Request): string[] | null; asked: string[] } {
  const asked: string[] = [];
  return {
    name: 'kubernetes',
    asked,
    autoPath: (req) => (req.remoteAddress === POD_IP ? [...SEARCH] : null),
    async serveDNS(req: Request, next: Next): Promise<Msg> {
      if (!req.qname.endsWith('cluster.local.')) return next(req);
      asked.push(req.name);
      req.responder = 'kubernetes';
      const rrs = KUBE[req.qname];
      const reply = replyTo(req.msg, rrs ? Rcode.NOERROR : Rcode.NXDOMAIN);
      reply.answer = (rrs ?? []).filter((rr) => rr.type === req.qtype);
      return reply;
    },
  };
}

/** A fake upstream (forward) at the end of the chain. */
const upstream: Next = async (req) => {
  req.responder = 'forward';
  const rrs = UPSTREAM[req.qname];
  const reply = replyTo(req.msg, rrs ? Rcode.NOERROR : Rcode.NXDOMAIN);
  reply.answer = (rrs ?? []).filter((rr) => rr.type === req.qtype);
  return reply;
};

function chain(zones = ['cluster.local.']) {
  let successes = 0;
  const kube = fakeKube();
  const ap = new AutoPath(zones, { resolve: () => (req) => kube.autoPath(req) }, () => successes++);
  const ask = async (name: string, type: number = Type.A, from = POD_IP) => {
    const req = makeRequest(name, type, { remoteAddress: from });
    const reply = await runChain([ap, kube], req, upstream);
    return { req, reply, kube, successes: () => successes };
  };
  return ask;
}

const show = (m: Msg) => m.answer.map((rr) => `${rr.name} ${rr.ttl} ${rr.type === Type.CNAME ? `CNAME ${rr.domain}` : `A ${rr.address}`}`);

describe('autopath', () => {
  it.each([
    ['a service in the pod\'s namespace: found at once, owner is the query name, no CNAME',
      'web.default.svc.cluster.local.', Rcode.NOERROR, ['web.default.svc.cluster.local. 5 A 10.96.0.10'], ['web.default.svc.cluster.local.'], 1],
    ['a service in another namespace (client typed db.other)',
      'db.other.default.svc.cluster.local.', Rcode.NOERROR,
      ['db.other.default.svc.cluster.local. 7 CNAME db.other.svc.cluster.local.', 'db.other.svc.cluster.local. 7 A 10.96.0.20'],
      ['db.other.default.svc.cluster.local.', 'db.other.svc.cluster.local.'], 1],
    ['an external name: every search domain, then the bare name upstream',
      'example.com.default.svc.cluster.local.', Rcode.NOERROR,
      ['example.com.default.svc.cluster.local. 300 CNAME example.com.', 'example.com. 300 A 93.184.216.34'],
      ['example.com.default.svc.cluster.local.', 'example.com.svc.cluster.local.', 'example.com.cluster.local.'], 1],
    ['nothing anywhere: the first NXDOMAIN, no CNAME',
      'nope.default.svc.cluster.local.', Rcode.NXDOMAIN, [],
      ['nope.default.svc.cluster.local.', 'nope.svc.cluster.local.', 'nope.cluster.local.'], 0],
  ])('%s', async (_what, qname, rcode, answer, asked, successes) => {
    const r = await chain()(qname);
    expect(r.reply.rcode).toBe(rcode);
    expect(show(r.reply)).toEqual(answer);
    expect(r.reply.question).toBe(r.req.msg.question);
    expect(r.kube.asked).toEqual(asked);
    expect(r.req.responder).toBe('autopath');
    expect(r.successes()).toBe(successes);
  });

  it('keeps the client\'s spelling in the question and the CNAME owner', async () => {
    const r = await chain()('DB.Other.Default.SVC.cluster.local.');
    expect(r.reply.question[0]!.name).toBe('DB.Other.Default.SVC.cluster.local.');
    expect(show(r.reply)[0]).toBe('DB.Other.Default.SVC.cluster.local. 7 CNAME db.other.svc.cluster.local.');
    expect(r.kube.asked[1]).toBe('DB.Other.svc.cluster.local.');
  });

  it('returns a NODATA reply as found, without a CNAME', async () => {
    const r = await chain()('db.other.default.svc.cluster.local.', Type.AAAA);
    expect(r.reply.rcode).toBe(Rcode.NOERROR);
    expect(r.reply.answer).toEqual([]);
    expect(r.kube.asked).toHaveLength(2);
    expect(r.successes()).toBe(1);
  });

  it.each([
    ['a client that is not a known pod', 'example.com.default.svc.cluster.local.', '10.9.9.9'],
    ['a name outside the first search domain', 'db.other.svc.cluster.local.', POD_IP],
    ['a name outside the autopath zones', 'example.com.', POD_IP],
  ])('passes %s through untouched', async (_what, qname, from) => {
    const r = await chain()(qname, Type.A, from);
    expect(r.req.responder).not.toBe('autopath');
    expect(r.kube.asked.length).toBeLessThanOrEqual(1);
    if (r.kube.asked.length) expect(r.kube.asked[0]).toBe(qname);
    expect(r.successes()).toBe(0);
  });

  it('fails the first search domain\'s own name with SERVFAIL, as CoreDNS does', async () => {
    const err = await chain()('default.svc.cluster.local.').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PluginError);
    expect((err as PluginError).rcode).toBe(Rcode.SERVFAIL);
    expect((err as Error).message).toMatch(/^plugin\/autopath: trimzone: overshot qname/);
  });

  it('lets an error from further down the chain through', async () => {
    const boom: Handler = { name: 'kubernetes', serveDNS: async () => { throw new PluginError('kubernetes', 'down'); } };
    const ap = new AutoPath(['.'], { search: ['a.example.', ''] }, () => undefined);
    await expect(runChain([ap, boom], makeRequest('x.a.example.', Type.A))).rejects.toThrow('plugin/kubernetes: down');
  });

  it('with a fixed search list tries each element and the bare name', async () => {
    const seen: string[] = [];
    const ap = new AutoPath(['.'], { search: ['a.example.', 'b.example.', ''] }, () => undefined);
    const last: Next = async (req) => {
      seen.push(req.qname);
      const reply = replyTo(req.msg, req.qname === 'host.b.example.' ? Rcode.NOERROR : Rcode.NXDOMAIN);
      if (reply.rcode === Rcode.NOERROR) reply.answer.push({ name: req.name, type: Type.A, class: 1, ttl: 60, address: '192.0.2.1' });
      return reply;
    };
    const reply = await runChain([ap], makeRequest('host.a.example.', Type.A), last);
    expect(seen).toEqual(['host.a.example.', 'host.b.example.']);
    expect(show(reply)).toEqual(['host.a.example. 60 CNAME host.b.example.', 'host.b.example. 60 A 192.0.2.1']);
  });
});

describe('joinSearch and trimZone', () => {
  it.each([
    ['db', 'svc.cluster.local.', 'db.svc.cluster.local.'],
    ['db', 'corp.example', 'db.corp.example.'],
    ['db.ns', '', 'db.ns.'],
    ['db.ns', '.', 'db.ns.'],
  ])('joinSearch(%s, %j) = %s', (base, el, want) => {
    expect(joinSearch(base, el)).toBe(want);
  });

  it.each([
    ['a.b.ns.svc.cluster.local.', 'ns.svc.cluster.local.', 'a.b'],
    ['A\\.x.ns.svc.cluster.local.', 'ns.svc.cluster.local.', 'A\\.x'],
    ['ns.svc.cluster.local.', 'ns.svc.cluster.local.', undefined],
    ['x.', '.', 'x'],
  ])('trimZone(%s, %s) = %s', (q, z, want) => {
    expect(trimZone(q, z)).toBe(want);
  });
});
