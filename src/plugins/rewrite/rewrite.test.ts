import { describe, expect, it } from 'vitest';
import { Class, Rcode, Type } from '../../dns/constants.js';
import { decode } from '../../dns/decode.js';
import { encode } from '../../dns/encode.js';
import { newQuery, replyTo, type Msg, type RR } from '../../dns/message.js';
import type { Directive } from '../../corefile/types.js';
import { PluginError, type Next, type Request } from '../../plugin/handler.js';
import { makeRequest, runChain } from '../../plugin/testing.js';
import { RewriteHandler } from './rewrite.js';
import { parseRewrite } from './setup.js';

/** One `rewrite` line per string, split on spaces (enough for these tests). */
const handler = (...lines: string[]) =>
  new RewriteHandler(parseRewrite(lines.map((l, i): Directive => ({ file: 'Corefile', line: i + 1, name: 'rewrite', args: l.split(' '), block: null }))));

/** A backend that answers what it was asked: an A (or the asked type) at the asked name, plus `more`. */
function backend(more: (req: Request) => RR[] = () => []) {
  const seen: Request[] = [];
  const next: Next = async (req) => {
    seen.push(req);
    const m = replyTo(req.msg);
    m.aa = true;
    m.answer = [{ name: req.name, type: req.qtype, class: req.qclass, ttl: 300, address: '10.0.0.1' }, ...more(req)];
    return m;
  };
  return { next, seen };
}

const show = (rrs: RR[]) => rrs.map((rr) => `${rr.name} ${rr.ttl} ${rr.type}${rr.domain ? ` ${rr.domain}` : ''}${rr.target ? ` ${rr.target}` : ''}`);

async function run(lines: string[], name: string, type: number = Type.A, more?: (req: Request) => RR[]) {
  const b = backend(more);
  const req = makeRequest(name, type);
  const reply = await runChain([handler(...lines)], req, b.next);
  return { req, reply, sent: b.seen[0]!, answers: show(reply.answer) };
}

describe('rewrite name', () => {
  it.each([
    ['exact maps the answer back by default', ['name example.net example.org'], 'Example.NET.', 'example.org.', ['Example.NET. 300 1']],
    ['exact with answer auto', ['name exact coredns.rocks service.consul answer auto'], 'coredns.rocks.', 'service.consul.', ['coredns.rocks. 300 1']],
    ['exact, no match', ['name exact coredns.org service.consul'], 'coredns.rocks.', 'coredns.rocks.', ['coredns.rocks. 300 1']],
    ['prefix without auto leaves answers', ['name prefix foo bar'], 'foo.example.com.', 'bar.example.com.', ['bar.example.com. 300 1']],
    ['prefix with auto', ['name prefix foo. bar. answer auto'], 'foo.example.com.', 'bar.example.com.', ['foo.example.com. 300 1']],
    ['prefix needs a label boundary', ['name prefix foo bar'], 'coredns.foo.', 'coredns.foo.', ['coredns.foo. 300 1']],
    ['suffix without auto', ['name suffix .ingress.coredns.rocks nginx.coredns.rocks'], 'coredns.ingress.coredns.rocks.', 'corednsnginx.coredns.rocks.', ['corednsnginx.coredns.rocks. 300 1']],
    ['suffix with auto swaps back', ['name suffix .coredns.rocks .service.consul answer auto'], 'A.coredns.rocks.', 'a.service.consul.', ['a.coredns.rocks. 300 1']],
    ['substring', ['name substring service.us-west-1.example.org service.us-west-1.consul'], 'ftp.service.us-west-1.example.org.', 'ftp.service.us-west-1.consul.', ['ftp.service.us-west-1.consul. 300 1']],
    ['substring with auto', ['name substring us-west-1.example.org us-east-1.example.org answer auto'], 'ftp.us-west-1.example.org.', 'ftp.us-east-1.example.org.', ['ftp.us-west-1.example.org. 300 1']],
    ['regex with groups', ['name regex (.*)-(us-west-1)\\.example\\.org {1}.service.{2}.consul'], 'ftp-us-west-1.example.org.', 'ftp.service.us-west-1.consul.', ['ftp.service.us-west-1.consul. 300 1']],
    ['regex with answer name', ['name regex (.*)-(us-west-1)\\.example\\.org {1}.service.{2}.consul answer name (.*)\\.service\\.(us-west-1)\\.consul {1}-{2}.example.org'],
      'ftp-us-west-1.example.org.', 'ftp.service.us-west-1.consul.', ['ftp-us-west-1.example.org. 300 1']],
    ['regex with answer auto', ['name regex ^(.*)\\.old\\.$ {1}.new. answer auto'], 'X.old.', 'x.new.', ['X.old. 300 1']],
  ])('%s', async (_n, lines, qname, sentName, answers) => {
    const got = await run(lines, qname);
    expect(got.sent.name).toBe(sentName);
    expect(got.sent.qname).toBe(sentName.toLowerCase());
    expect(got.sent.msg.question[0]!.name).toBe(sentName);
    expect(got.reply.question).toBe(got.req.msg.question);
    expect(got.answers).toEqual(answers);
  });

  it('rewrites record values with auto and answer value, in every section', async () => {
    const more = (req: Request): RR[] => [
      { name: req.name, type: Type.CNAME, class: 1, ttl: 300, domain: `www.${req.name}` },
      { name: req.name, type: Type.SRV, class: 1, ttl: 300, priority: 0, weight: 0, port: 80, target: 'x.service.consul.' },
    ];
    const got = await run(['name exact example.net example.org answer value (.*)\\.service\\.consul\\. {1}.coredns.rocks'], 'example.net.', Type.A, more);
    expect(got.answers).toEqual(['example.net. 300 1', 'example.net. 300 5 www.example.net.', 'example.net. 300 33 x.coredns.rocks.']);
  });

  it('answer value rewrites a PTR target', async () => {
    const ptr = (req: Request): RR[] => [{ name: req.name, type: Type.PTR, class: 1, ttl: 60, domain: 'ftp-us-west-1.service.consul.' }];
    const got = await run(['name suffix .arpa .arpa answer value (.*)\\.service\\.consul\\. {1}.coredns.rocks.'], '30.30.30.10.in-addr.arpa.', Type.PTR, ptr);
    expect(got.answers[1]).toBe('30.30.30.10.in-addr.arpa. 60 12 ftp-us-west-1.coredns.rocks.');
  });

  it('continue applies the next rule; replies are mapped back in reverse order', async () => {
    const got = await run(['continue name exact a.org b.org', 'name exact b.org c.org', 'name exact c.org d.org'], 'a.org.');
    expect(got.sent.name).toBe('c.org.');
    expect(got.answers).toEqual(['a.org. 300 1']);
    const stopped = await run(['stop name exact a.org b.org', 'name exact b.org c.org'], 'a.org.');
    expect(stopped.sent.name).toBe('b.org.');
    expect(stopped.answers).toEqual(['a.org. 300 1']);
  });

  it('a name that cannot be sent is an error', async () => {
    const h = handler(`name prefix a ${'x'.repeat(64)}`);
    await expect(runChain([h], makeRequest('a.example.', Type.A), backend().next)).rejects.toThrow(PluginError);
    await expect(runChain([h], makeRequest('a.example.', Type.A), backend().next)).rejects.toThrow(/plugin\/rewrite: invalid name after rewrite: x{64}\.example\./);
  });
});

describe('rewrite type, class, ttl, rcode', () => {
  it('type: the next plugin sees the new type, the client its own question', async () => {
    const got = await run(['type ANY HINFO'], 'example.org.', Type.ANY);
    expect(got.sent.qtype).toBe(Type.HINFO);
    expect(got.sent.msg.question[0]!.type).toBe(Type.HINFO);
    expect(got.reply.question[0]!.type).toBe(Type.ANY);
    // Only the question changed: the name and its case stay.
    expect(got.sent.name).toBe('example.org.');
  });

  it('class: CH becomes IN', async () => {
    const msg = newQuery('example.org.', Type.A, { question: [{ name: 'example.org.', type: Type.A, class: Class.CH }] });
    const b = backend();
    const reply = await runChain([handler('class CH IN')], makeRequest('example.org.', Type.A, { msg, qclass: Class.CH }), b.next);
    expect(b.seen[0]!.qclass).toBe(Class.IN);
    expect(reply.question[0]!.class).toBe(Class.CH);
  });

  it.each([
    ['exact value', 'ttl example.org 15', [15, 15, 15]],
    ['range', 'ttl example.org. 30-300', [30, 300, 100]],
    ['cap', 'ttl example.org. -30', [5, 30, 30]],
    ['floor', 'ttl example.org. 30-', [30, 1000, 100]],
    ['regex', 'ttl regex (.*)\\.org 15', [15, 15, 15]],
    ['no match', 'ttl suffix example.net 15', [5, 1000, 100]],
  ])('ttl %s', async (_n, line, ttls) => {
    const shared: Msg = { ...replyTo(newQuery('example.org.', Type.A)), answer: [
      { name: 'example.org.', type: Type.A, class: 1, ttl: 5, address: '10.0.0.1' },
      { name: 'example.org.', type: Type.A, class: 1, ttl: 1000, address: '10.0.0.2' },
    ], extra: [{ name: 'ns.example.org.', type: Type.A, class: 1, ttl: 100, address: '10.0.0.3' }] };
    const reply = await runChain([handler(line)], makeRequest('example.org.', Type.A), async () => shared);
    expect([...reply.answer, ...reply.extra].map((rr) => rr.ttl)).toEqual(ttls);
    // The backend's message (a cache entry, say) is never changed.
    expect(shared.answer.map((rr) => rr.ttl)).toEqual([5, 1000]);
  });

  it.each([
    ['matching name and rcode', 'rcode regex (.*)\\.coredns\\.rocks SERVFAIL NOERROR', 'a.coredns.rocks.', Rcode.SERVFAIL, Rcode.NOERROR],
    ['numeric codes', 'rcode exact a.coredns.rocks 2 3', 'a.coredns.rocks.', Rcode.SERVFAIL, Rcode.NXDOMAIN],
    ['other rcode', 'rcode a.coredns.rocks SERVFAIL NOERROR', 'a.coredns.rocks.', Rcode.REFUSED, Rcode.REFUSED],
    ['other name', 'rcode a.coredns.rocks SERVFAIL NOERROR', 'b.coredns.rocks.', Rcode.SERVFAIL, Rcode.SERVFAIL],
  ])('rcode: %s', async (_n, line, qname, from, want) => {
    const reply = await runChain([handler(line)], makeRequest(qname, Type.AAAA), async (req) => replyTo(req.msg, from));
    expect(reply.rcode).toBe(want);
  });
});

describe('rewrite plumbing', () => {
  it('passes unmatched queries through untouched', async () => {
    const req = makeRequest('other.org.', Type.A);
    const up = replyTo(req.msg);
    let sent: Request | undefined;
    const reply = await runChain([handler('name exact a.org b.org')], req, async (r) => {
      sent = r;
      return up;
    });
    expect(sent).toBe(req);
    expect(reply).toBe(up);
  });

  it('the encoded reply carries the question exactly as the client sent it', async () => {
    const msg = decode(encode(newQuery('WwW.Example.NET.', Type.A, { id: 99 })));
    const req = makeRequest('WwW.Example.NET.', Type.A, { msg });
    const reply = await runChain([handler('name suffix example.net example.org')], req, backend().next);
    const wire = encode(reply);
    expect(wire.subarray(12, 12 + msg.question[0]!.raw!.length)).toEqual(Buffer.from(msg.question[0]!.raw!));
    expect(decode(wire).answer[0]!.name).toBe('www.example.org.');
  });

  it('copies the responder set below back to the client request', async () => {
    const req = makeRequest('a.org.', Type.A);
    await runChain([handler('name a.org b.org')], req, async (r) => {
      r.responder = 'kubernetes';
      return replyTo(r.msg);
    });
    expect(req.responder).toBe('kubernetes');
  });

  it('rethrows errors from below (the errors plugin answers with the original question)', async () => {
    const err = new PluginError('forward', 'boom');
    await expect(runChain([handler('name a.org b.org')], makeRequest('a.org.', Type.A), async () => { throw err; })).rejects.toBe(err);
  });
});

describe('rewrite README example', () => {
  it('continue suffix + ttl floor: rewritten name, mapped back, TTLs raised', async () => {
    const got = await run(['continue name suffix .corp.internal .svc.cluster.local answer auto', 'ttl suffix .svc.cluster.local 30-'], 'web.corp.internal.');
    expect(got.sent.name).toBe('web.svc.cluster.local.');
    expect(got.answers).toEqual(['web.corp.internal. 300 1']);
    const low = await runChain([handler('continue name suffix .corp.internal .svc.cluster.local answer auto', 'ttl suffix .svc.cluster.local 30-')],
      makeRequest('web.corp.internal.', Type.A),
      async (req) => ({ ...replyTo(req.msg), answer: [{ name: req.name, type: Type.A, class: 1, ttl: 5, address: '10.0.0.1' }] }));
    expect(show(low.answer)).toEqual(['web.corp.internal. 30 1']);
  });
});
