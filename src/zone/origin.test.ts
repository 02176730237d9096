import { describe, expect, it } from 'vitest';
import { Class, Type } from '../dns/constants.js';
import { absolute, placeAnswer, placeExtra, relativeTo } from './origin.js';

describe('origin', () => {
  it('relativeTo strips the origin', () => {
    expect(relativeTo('web.shop.svc.cluster.local.', 'cluster.local.')).toBe('web.shop.svc');
    expect(relativeTo('cluster.local.', 'cluster.local.')).toBe('');
    expect(relativeTo('web.shop.', '.')).toBe('web.shop');
    expect(relativeTo('.', '.')).toBe('');
  });

  it('absolute appends the origin to relative names only', () => {
    expect(absolute('web.shop.svc', 'Cluster.Local.')).toBe('web.shop.svc.Cluster.Local.');
    expect(absolute('', 'cluster.local.')).toBe('cluster.local.');
    expect(absolute('example.org.', 'cluster.local.')).toBe('example.org.');
    expect(absolute('web', '.')).toBe('web.');
  });

  it('places answers under the query spelling and glue under the origin', () => {
    const srv = { name: '_http._tcp.web', type: Type.SRV, class: Class.IN, ttl: 5, priority: 0, weight: 100, port: 80, target: 'web' };
    const [rr] = placeAnswer([srv], '_HTTP._tcp.web.Cluster.Local.', 'Cluster.Local.');
    expect(rr).toMatchObject({ name: '_HTTP._tcp.web.Cluster.Local.', target: 'web.Cluster.Local.' });
    expect(srv.target).toBe('web'); // stored record untouched
    const [glue] = placeExtra([{ name: 'web', type: Type.A, class: Class.IN, ttl: 5, address: '10.0.0.1' }], 'cluster.local.');
    expect(glue!.name).toBe('web.cluster.local.');
  });
});
