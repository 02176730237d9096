import { describe, expect, it } from 'vitest';
import { Type } from '../../dns/constants.js';
import { encode } from '../../dns/encode.js';
import { newQuery, replyTo, type Msg } from '../../dns/message.js';
import { classify, typify } from '../../plugin/response.js';
import { parseFormat } from './format.js';
import { uncompressedSize } from './wire-size.js';

describe('parseFormat', () => {
  it.each([
    ['{type} x', [{ kind: 'label', label: '{type}' }, { kind: 'literal', text: ' x' }]],
    ['A } {name}', [{ kind: 'literal', text: 'A }' }, { kind: 'literal', text: ' ' }, { kind: 'label', label: '{name}' }]],
    ['{ {type} }', [{ kind: 'literal', text: '{ ' }, { kind: 'label', label: '{type}' }, { kind: 'literal', text: ' }' }]],
    ['a {X} b', [{ kind: 'literal', text: 'a {X}' }, { kind: 'literal', text: ' b' }]],
    ['{/log/type}', [{ kind: 'meta', key: 'log/type' }]],
    ['no labels {', [{ kind: 'literal', text: 'no labels {' }]],
  ])('%s', (format, nodes) => {
    expect(parseFormat(format)).toEqual(nodes);
  });
});

const reply = (fill: (m: Msg) => void): Msg => {
  const m = replyTo(newQuery('example.org.', Type.A));
  fill(m);
  return m;
};
const soa = { name: 'example.org.', type: Type.SOA, class: 1, ttl: 1, primary: 'a.', admin: 'b.' };
const ns = { name: 'example.org.', type: Type.NS, class: 1, ttl: 1, ns: 'ns.example.org.' };
const rrA = { name: 'example.org.', type: Type.A, class: 1, ttl: 1, address: '192.0.2.1' };

describe('typify / classify (CoreDNS plugin/pkg/response)', () => {
  it.each([
    ['answer', reply((m) => m.answer.push(rrA)), 'NOERROR', 'success'],
    ['empty NOERROR', reply(() => {}), 'NOERROR', 'success'],
    ['NODATA', reply((m) => m.ns.push(soa)), 'NODATA', 'denial'],
    ['NXDOMAIN', reply((m) => { m.rcode = 3; m.ns.push(soa); }), 'NXDOMAIN', 'denial'],
    ['NXDOMAIN with answer', reply((m) => { m.rcode = 3; m.answer.push(rrA); }), 'OTHERERROR', 'error'],
    ['delegation', reply((m) => m.ns.push(ns)), 'DELEGATION', 'success'],
    ['SERVFAIL', reply((m) => { m.rcode = 2; }), 'SERVERERROR', 'error'],
    ['NOTIMP', reply((m) => { m.rcode = 4; }), 'SERVERERROR', 'error'],
    ['REFUSED', reply((m) => { m.rcode = 5; }), 'OTHERERROR', 'error'],
    ['AXFR', reply((m) => { m.question = [{ name: 'example.org.', type: Type.AXFR, class: 1 }]; }), 'META', 'error'],
    ['NOTIFY', reply((m) => { m.opcode = 4; }), 'META', 'error'],
    ['UPDATE', reply((m) => { m.opcode = 5; }), 'UPDATE', 'error'],
  ])('%s', (_n, m, type, cls) => {
    expect(typify(m)).toBe(type);
    expect(classify(typify(m))).toBe(cls);
  });
});

describe('uncompressedSize', () => {
  it('equals the encoded size when nothing can be compressed', () => {
    const m = reply((x) => {
      x.question = [{ name: 'q.', type: Type.TXT, class: 1 }];
      x.answer.push({ name: 'a.', type: Type.TXT, class: 1, ttl: 1, strings: ['x'.repeat(300), ''] });
      x.ns.push({ name: 'b.', type: Type.SOA, class: 1, ttl: 1, primary: 'c.', admin: 'd.' });
      x.extra.push({ name: 'e.', type: Type.AAAA, class: 1, ttl: 1, address: '::1' }, { name: 'f.', type: Type.SRV, class: 1, ttl: 1, target: 'g.' });
      x.extra.push({ name: 'h.', type: Type.MX, class: 1, ttl: 1, exchange: 'i.' }, { name: 'j.', type: 99, class: 1, ttl: 1, rdata: new Uint8Array(7) });
      x.opt = { udpSize: 1232, version: 0, do: false, extendedRcode: 0, options: [[10, new Uint8Array(8)]] };
    });
    expect(uncompressedSize(m)).toBe(encode(m).length);
  });

  it('counts repeated names in full', () => {
    const m = reply((x) => x.answer.push(rrA, rrA));
    expect(uncompressedSize(m)).toBe(encode(m).length + 2 * (13 - 2));
  });
});
