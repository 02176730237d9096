import { describe, expect, it } from 'vitest';
import { Class, Type } from '../../dns/constants.js';
import { Zone } from '../../zone/zone.js';
import { ForwardNames, serviceOwner } from './forward-names.js';

describe('serviceOwner', () => {
  it('is the last three labels of a name at or below a Service', () => {
    expect(serviceOwner('web.shop.svc')).toBe('web.shop.svc');
    expect(serviceOwner('web-0.web.shop.svc')).toBe('web.shop.svc');
    expect(serviceOwner('_http._tcp.web.shop.svc')).toBe('web.shop.svc');
  });

  it('is undefined above Services and outside svc', () => {
    for (const rel of ['', 'svc', 'shop.svc', '.svc', '.shop.svc', 'web.shop.pod', 'web.shop.svcx', '10-0-0-1.shop.pod']) expect(serviceOwner(rel), rel).toBeUndefined();
  });
});

describe('ForwardNames', () => {
  const fixed = new Zone();
  fixed.put('apex', [{ name: '' }, { name: 'svc' }, { name: 'shop.svc' }]);
  const view = new Zone();
  view.put('svc', [{ name: 'web.shop.svc', type: Type.A, rrs: [{ name: 'web.shop.svc', type: Type.A, class: Class.IN, ttl: 5, address: '10.0.0.1' }] }, { name: 'web-0.web.shop.svc' }]);
  const asked: string[] = [];
  const names = new ForwardNames(fixed, {
    nodeAt: (owner, rel) => (asked.push(`${owner} ${rel}`), owner === 'web.shop.svc' ? view.node(rel) : undefined),
    viewOf: (owner) => (owner === 'web.shop.svc' ? view : undefined),
    owners: () => ['web.shop.svc', 'web.shop.svc', 'gone.shop.svc'],
  });

  it('answers fixed names without computing, and Service names from their owner', () => {
    expect(names.has('shop.svc')).toBe(true);
    expect(asked).toEqual([]);
    expect(names.lookup('web.shop.svc', Type.A).kind).toBe('success');
    expect(names.lookup('web.shop.svc', Type.AAAA).kind).toBe('nodata');
    expect(names.lookup('web-0.web.shop.svc', Type.A).kind).toBe('nodata');
    expect(names.lookup('web-1.web.shop.svc', Type.A).kind).toBe('nxdomain');
    expect(names.lookup('other.shop.svc', Type.A).kind).toBe('nxdomain');
    expect(names.lookup('pod', Type.A).kind).toBe('nxdomain');
    expect(asked).toEqual(['web.shop.svc web.shop.svc', 'web.shop.svc web.shop.svc', 'web.shop.svc web-0.web.shop.svc', 'web.shop.svc web-1.web.shop.svc', 'other.shop.svc other.shop.svc']);
  });

  it('counts every name once', () => {
    expect(names.size).toBe(3 + 2);
  });
});
