import { describe, expect, it } from 'vitest';
import { Class, Type } from '../dns/constants.js';
import type { RR } from '../dns/message.js';
import { nodeOf, Zone } from './zone.js';

const a = (name: string, address: string): RR => ({ name, type: Type.A, class: Class.IN, ttl: 5, address });

describe('Zone', () => {
  it('answers success, nodata and nxdomain', () => {
    const z = new Zone();
    z.put('svc', [{ name: 'web.shop.svc', type: Type.A, rrs: [a('web.shop.svc', '10.0.0.1')] }, { name: 'shop.svc' }]);
    const hit = z.lookup('web.shop.svc', Type.A);
    expect(hit.kind).toBe('success');
    expect(hit.kind === 'success' && hit.rrs.map((r) => r.address)).toEqual(['10.0.0.1']);
    expect(z.lookup('web.shop.svc', Type.AAAA).kind).toBe('nodata');
    expect(z.lookup('shop.svc', Type.A).kind).toBe('nodata');
    expect(z.lookup('nosuch.shop.svc', Type.A).kind).toBe('nxdomain');
    // Parents are not implied: existence is explicit.
    expect(z.lookup('svc', Type.A).kind).toBe('nxdomain');
  });

  it('returns the same precomputed result object on every hit', () => {
    const z = new Zone();
    z.put('g', [{ name: 'x', type: Type.A, rrs: [a('x', '10.0.0.1')] }]);
    expect(z.lookup('x', Type.A)).toBe(z.lookup('x', Type.A));
  });

  it('replaces only what a group contributed', () => {
    const z = new Zone();
    z.put('one', [{ name: 'x', type: Type.A, rrs: [a('x', '10.0.0.1')] }, { name: 'only-one' }]);
    z.put('two', [{ name: 'x', type: Type.A, rrs: [a('x', '10.0.0.2'), a('x', '10.0.0.1')] }]);
    const both = z.lookup('x', Type.A);
    expect(both.kind === 'success' && both.rrs.map((r) => r.address).sort()).toEqual(['10.0.0.1', '10.0.0.2']);
    z.put('one', [{ name: 'y' }]);
    expect(z.has('only-one')).toBe(false);
    expect(z.has('y')).toBe(true);
    const after = z.lookup('x', Type.A);
    expect(after.kind === 'success' && after.rrs.map((r) => r.address).sort()).toEqual(['10.0.0.1', '10.0.0.2']);
    z.drop('two');
    expect(z.lookup('x', Type.A).kind).toBe('nxdomain');
    z.drop('one');
    expect(z.size).toBe(0);
    expect(z.namesOf('one')).toEqual([]);
  });

  it('keeps glue with its RRset, and drops duplicates when groups merge', () => {
    const z = new Zone();
    const srv: RR = { name: 's', type: Type.SRV, class: Class.IN, ttl: 5, priority: 0, weight: 100, port: 80, target: 't' };
    z.put('g', [{ name: 's', type: Type.SRV, rrs: [srv], extra: [a('t', '10.0.0.1')] }]);
    z.put('h', [{ name: 's', type: Type.SRV, rrs: [{ ...srv }], extra: [a('t', '10.0.0.1'), a('u', '10.0.0.1')] }]);
    const got = z.lookup('s', Type.SRV);
    expect(got.kind === 'success' && got.rrs).toHaveLength(1);
    expect(got.kind === 'success' && got.extra.map((r) => `${r.name} ${r.address}`)).toEqual(['t 10.0.0.1', 'u 10.0.0.1']);
    z.drop('g');
    z.drop('h');
    expect(z.size).toBe(0);
  });

  it('hands the node to the next group when the first one leaves', () => {
    const z = new Zone();
    z.put('g', [{ name: 'x', type: Type.A, rrs: [a('x', '10.0.0.1')] }]);
    z.put('h', [{ name: 'x', type: Type.AAAA, rrs: [{ name: 'x', type: Type.AAAA, class: Class.IN, ttl: 5, address: 'fd00::1' }] }]);
    z.put('i', [{ name: 'x' }]);
    z.drop('g');
    expect(z.lookup('x', Type.A).kind).toBe('nodata');
    expect(z.lookup('x', Type.AAAA).kind).toBe('success');
    z.put('h', []);
    expect(z.lookup('x', Type.AAAA).kind).toBe('nodata');
    z.put('i', [{ name: 'x', type: Type.A, rrs: [a('x', '10.0.0.9')] }]);
    const hit = z.lookup('x', Type.A);
    expect(hit.kind === 'success' && hit.rrs.map((r) => r.address)).toEqual(['10.0.0.9']);
    expect(z.namesOf('i')).toEqual(['x']);
  });

  it('an entry without records only makes the name exist', () => {
    const z = new Zone();
    z.put('g', [{ name: 'e', type: Type.A, rrs: [] }]);
    expect(z.lookup('e', Type.A).kind).toBe('nodata');
  });

  it('nodeOf gives the node a Zone would hold for one group', () => {
    const entries = [
      { name: 'x', type: Type.A, rrs: [a('x', '10.0.0.1')] },
      { name: 'y' },
      { name: 'x', type: Type.A, rrs: [a('x', '10.0.0.2')] },
      { name: 'x', type: Type.AAAA, rrs: [] },
    ];
    const z = new Zone();
    z.put('g', entries);
    for (const name of ['x', 'y']) expect(nodeOf(entries, name)!.rrsets).toEqual(z.node(name)!.rrsets);
    expect(nodeOf(entries, 'x')!.rrsets.map((s) => s.rrs.length)).toEqual([2]);
    expect(nodeOf(entries, 'z')).toBeUndefined();
  });
});
