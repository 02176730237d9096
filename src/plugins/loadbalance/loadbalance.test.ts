import { afterEach, describe, expect, it, vi } from 'vitest';
import { Rcode, Type } from '../../dns/constants.js';
import { replyTo, type Msg, type RR } from '../../dns/message.js';
import type { Directive } from '../../corefile/types.js';
import { makeRequest, runChain } from '../../plugin/testing.js';
import { LoadBalanceHandler, roundRobin } from './loadbalance.js';
import { parseLoadBalance } from './setup.js';

const A = (ip: string, name = 'www.example.org.'): RR => ({ name, type: Type.A, class: 1, ttl: 30, address: ip });
const AAAA = (ip: string): RR => ({ name: 'www.example.org.', type: Type.AAAA, class: 1, ttl: 30, address: ip });
const CNAME: RR = { name: 'example.org.', type: Type.CNAME, class: 1, ttl: 30, domain: 'www.example.org.' };
const MX = (p: number): RR => ({ name: 'example.org.', type: Type.MX, class: 1, ttl: 30, priority: p, exchange: `mx${p}.example.org.` });
const TXT: RR = { name: 'example.org.', type: Type.TXT, class: 1, ttl: 30, strings: ['x'] };

const backend = (fill: Partial<Msg>) => async (req: { msg: Msg }) => ({ ...replyTo(req.msg), ...fill });
const types = (rrs: RR[]) => rrs.map((rr) => rr.type);
const sorted = (rrs: RR[]) => rrs.map((rr) => JSON.stringify(rr)).sort();

afterEach(() => vi.restoreAllMocks());

describe('round robin', () => {
  it('keeps every record, puts CNAMEs first, then others, addresses, MX; never mutates its input', () => {
    const input = [A('10.0.0.1'), MX(10), TXT, A('10.0.0.2'), CNAME, AAAA('2001:db8::1'), MX(20)];
    const copy = [...input];
    for (let i = 0; i < 50; i++) {
      const out = roundRobin(input);
      expect(sorted(out)).toEqual(sorted(input));
      expect(types(out)).toEqual([Type.CNAME, Type.TXT, ...types(out.slice(2, 5)), Type.MX, Type.MX]);
      expect(new Set(types(out.slice(2, 5)))).toEqual(new Set([Type.A, Type.AAAA]));
    }
    expect(input).toEqual(copy);
  });

  it('reorders addresses: each one comes first sometimes', () => {
    const input = [A('10.0.0.1'), A('10.0.0.2'), A('10.0.0.3')];
    const firsts = new Set<string>();
    for (let i = 0; i < 300 && firsts.size < 3; i++) firsts.add(roundRobin(input)[0]!.address!);
    expect(firsts.size).toBe(3);
  });

  it('shuffles answer, authority and additional of a NOERROR reply (deterministic random)', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0); // Fisher-Yates with j = 0 rotates left.
    const answer = [A('10.0.0.1'), A('10.0.0.2'), A('10.0.0.3')];
    const extra = [A('10.1.0.1', 'a.'), A('10.1.0.2', 'b.')];
    const up = { answer, extra, ns: [] };
    const reply = await runChain([new LoadBalanceHandler()], makeRequest('www.example.org.', Type.A), backend(up));
    expect(reply.answer.map((rr) => rr.address)).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.1']);
    expect(reply.extra.map((rr) => rr.address)).toEqual(['10.1.0.2', '10.1.0.1']);
    expect(answer.map((rr) => rr.address)).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
  });

  it.each([
    ['NXDOMAIN', Rcode.NXDOMAIN, Type.A],
    ['SERVFAIL', Rcode.SERVFAIL, Type.A],
    ['AXFR', Rcode.NOERROR, Type.AXFR],
  ])('leaves a %s reply alone', async (_n, rcode, qtype) => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const answer = [A('10.0.0.1'), A('10.0.0.2')];
    const up = await backend({ answer, rcode })({ msg: makeRequest('x.', qtype).msg });
    const reply = await runChain([new LoadBalanceHandler()], makeRequest('x.', qtype), async () => up);
    expect(reply).toBe(up);
    expect(reply.answer.map((rr) => rr.address)).toEqual(['10.0.0.1', '10.0.0.2']);
  });
});

describe('prefer', () => {
  it('moves addresses of the preferred subnets first, in subnet order', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.999999); // Fisher-Yates with j = i: identity.
    const prefer = parseLoadBalance([{
      file: 'Corefile', line: 1, name: 'loadbalance', args: ['round_robin'],
      block: [{ file: 'Corefile', line: 2, name: 'prefer', args: ['192.168.1.0/24', '10.9.20.0/24', '2001:db8::/32'], block: null }],
    }]);
    const answer = [CNAME, A('172.16.0.1'), A('10.9.20.5'), AAAA('2001:db8::5'), A('192.168.1.7'), MX(1), AAAA('::ffff:192.168.1.8')];
    const reply = await runChain([new LoadBalanceHandler(prefer)], makeRequest('example.org.', Type.A), backend({ answer }));
    expect(reply.answer.map((rr) => rr.address ?? rr.type)).toEqual([
      Type.CNAME, '192.168.1.7', '::ffff:192.168.1.8', '10.9.20.5', '2001:db8::5', '172.16.0.1', Type.MX,
    ]);
  });
});

describe('loadbalance setup', () => {
  const lb = (args: string[], block: Directive[] | null = null): Directive => ({ file: 'Corefile', line: 7, name: 'loadbalance', args, block });
  const sub = (name: string, args: string[]): Directive => ({ file: 'Corefile', line: 8, name, args, block: null });

  it('accepts the default and round_robin', () => {
    expect(parseLoadBalance([lb([])])).toEqual([]);
    expect(parseLoadBalance([lb(['round_robin'])])).toEqual([]);
    expect(parseLoadBalance([lb([], [sub('prefer', ['10.0.0.0/8'])])])).toHaveLength(1);
  });

  it.each([
    ['weighted', [lb(['weighted', 'w.txt'])], 'weighted policy is not supported'],
    ['an unknown policy', [lb(['random'])], 'unknown policy: random'],
    ['extra arguments', [lb(['round_robin', 'x'])], 'unknown property for round_robin'],
    ['a bad CIDR', [lb([], [sub('prefer', ['10.0.0/8'])])], 'invalid CIDR "10.0.0/8"'],
    ['an address without length', [lb([], [sub('prefer', ['10.0.0.1'])])], 'invalid CIDR "10.0.0.1"'],
    ['prefer without CIDRs', [lb([], [sub('prefer', [])])], 'Wrong argument count'],
    ['an unknown property', [lb([], [sub('reload', ['10s'])])], "unknown property 'reload'"],
    ['two lines', [lb([]), lb([])], 'only be used once'],
  ])('rejects %s', (_n, dirs, msg) => {
    expect(() => parseLoadBalance(dirs)).toThrow(msg);
    expect(() => parseLoadBalance(dirs)).toThrow(/^plugin\/loadbalance: Corefile:\d - /);
  });
});
