import { describe, expect, it } from 'vitest';
import { Rcode, Type } from '../../dns/constants.js';
import { newQuery, replyTo, type Msg, type RR } from '../../dns/message.js';
import { PluginError, type Next, type Request } from '../../plugin/handler.js';
import { makeRequest, runChain } from '../../plugin/testing.js';
import { LogHandler } from './log.js';
import { parseLog } from './setup.js';
import type { Directive } from '../../corefile/types.js';

const log = (args: string[] = [], classes?: string[]): Directive => ({
  file: 'Corefile', line: 1, name: 'log', args,
  block: classes ? [{ file: 'Corefile', line: 2, name: 'class', args: classes, block: null }] : null,
});

function handler(...dirs: Directive[]) {
  const lines: string[] = [];
  return { h: new LogHandler(parseLog(dirs.length ? dirs : [log()]), (l) => lines.push(l)), lines };
}

const a = (name: string, address: string): RR => ({ name, type: Type.A, class: 1, ttl: 5, address });
const soa: RR = { name: 'example.org.', type: Type.SOA, class: 1, ttl: 5, primary: 'ns.example.org.', admin: 'h.example.org.', serial: 1, refresh: 1, retry: 1, expiration: 1, minimum: 1 };

/** A backend answering with `fill` applied to a fresh reply. */
const answer = (fill: (m: Msg) => void): Next => async (req: Request) => {
  const m = replyTo(req.msg, Rcode.NOERROR);
  m.aa = true;
  fill(m);
  return m;
};

const positive = answer((m) => m.answer.push(a(m.question[0]!.name, '192.0.2.1')));

describe('log handler', () => {
  it('writes the Common Log Format line', async () => {
    const { h, lines } = handler();
    const reply = await runChain([h], makeRequest('example.org.', Type.A), positive);
    expect(reply.answer).toHaveLength(1);
    expect(lines).toHaveLength(1);
    // 29 = 12 + 13 + 4; 56 adds the uncompressed answer (13 + 10 + 4).
    expect(lines[0]).toMatch(/^10\.0\.0\.1:40000 - 4242 "A IN example\.org\. udp 29 false 512" NOERROR qr,aa,rd 56 \d+(\.\d+)?s$/);
  });

  it('measures sizes uncompressed, as CoreDNS logs them', async () => {
    const { h, lines } = handler();
    const name = 'kubernetes.default.svc.cluster.local.';
    await runChain([h], makeRequest(name, Type.A), positive);
    expect(lines[0]).toContain(`"A IN ${name} udp 54 false 512" NOERROR qr,aa,rd 106 `);
    const ptr = '1.0.96.10.in-addr.arpa.';
    await runChain([h], makeRequest(ptr, Type.PTR), answer((m) => m.answer.push({ name: ptr, type: Type.PTR, class: 1, ttl: 5, domain: name })));
    expect(lines[1]).toContain(`"PTR IN ${ptr} udp 40 false 512" NOERROR qr,aa,rd 112 `);
  });

  const edns = (udpSize: number, d: boolean) =>
    newQuery('example.org.', Type.A, { id: 7, opt: { udpSize, version: 0, do: d, extendedRcode: 0, options: [] } });
  it.each([
    ['IPv6 client in brackets', { remoteAddress: '2001:db8::1', family: 2 as const }, '[2001:db8::1]:40000 - 4242 "A IN example.org. udp 29 false 512"'],
    ['TCP reports 65535', { proto: 'tcp' as const }, '10.0.0.1:40000 - 4242 "A IN example.org. tcp 29 false 65535"'],
    ['EDNS size and DO', { msg: edns(4096, true), do: true }, '10.0.0.1:40000 - 7 "A IN example.org. udp 40 true 4096"'],
    ['EDNS size below 512 reads 512', { msg: edns(100, false) }, '10.0.0.1:40000 - 7 "A IN example.org. udp 40 false 512"'],
  ])('%s', async (_n, over, head) => {
    const { h, lines } = handler();
    await runChain([h], makeRequest('example.org.', Type.A, over), positive);
    expect(lines[0]!.startsWith(`${head} NOERROR qr,aa,rd `)).toBe(true);
  });

  it('logs names under the scope only; the first matching rule decides', async () => {
    const { h, lines } = handler(log(['example.org', 'EXAMPLE.net.', '{>id} {name}']), log(['.', '{name} catch-all']));
    for (const n of ['www.example.org.', 'example.net.', 'example.com.', 'notexample.org.']) {
      await runChain([h], makeRequest(n, Type.A), positive);
    }
    expect(lines).toEqual(['4242 www.example.org.', '4242 example.net.', 'example.com. catch-all', 'notexample.org. catch-all']);
  });

  it.each([
    ['success', 'NOERROR with answer', true, positive],
    ['success', 'NXDOMAIN', false, answer((m) => { m.rcode = Rcode.NXDOMAIN; m.ns.push(soa); })],
    ['denial', 'NXDOMAIN', true, answer((m) => { m.rcode = Rcode.NXDOMAIN; m.ns.push(soa); })],
    ['denial', 'NODATA', true, answer((m) => m.ns.push(soa))],
    ['denial', 'NOERROR with answer', false, positive],
    ['error', 'REFUSED', true, answer((m) => { m.rcode = Rcode.REFUSED; })],
    ['error', 'SERVFAIL', true, answer((m) => { m.rcode = Rcode.SERVFAIL; })],
    ['error', 'NODATA', false, answer((m) => m.ns.push(soa))],
    ['all', 'REFUSED', true, answer((m) => { m.rcode = Rcode.REFUSED; })],
  ])('class %s and a %s reply: logged=%s', async (cls, _what, logged, next) => {
    const { h, lines } = handler(log([], [cls]));
    await runChain([h], makeRequest('example.org.', Type.A), next);
    expect(lines.length).toBe(logged ? 1 : 0);
  });

  it('logs the SERVFAIL a thrown error becomes, and rethrows', async () => {
    const { h, lines } = handler(log([], ['error']));
    const err = new PluginError('forward', 'no healthy upstreams');
    await expect(runChain([h], makeRequest('example.org.', Type.MX), async () => { throw err; })).rejects.toBe(err);
    expect(lines[0]).toMatch(/"MX IN example\.org\. udp 29 false 512" SERVFAIL qr,rd 29 /);
  });

  it('renders {combined}, metadata and unknown placeholders', async () => {
    const { h, lines } = handler(log(['.', '{combined} {/log/class} {/log/type} {/other} {nope} {local}']));
    await runChain([h], makeRequest('Example.org.', Type.AAAA, { localAddress: '::1' }), answer((m) => m.ns.push(soa)));
    expect(lines[0]).toMatch(/"AAAA IN example\.org\. udp 29 false 512" NOERROR qr,aa,rd \d+ [\d.]+s "0" denial NODATA - \{nope\} \[::1\]$/);
  });
});
