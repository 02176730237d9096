import { afterEach, describe, expect, it } from 'vitest';
import { Rcode, Type } from '../../dns/constants.js';
import { replyTo } from '../../dns/message.js';
import type { Request } from '../../plugin/handler.js';
import { makeRequest, runChain } from '../../plugin/testing.js';
import { Cache } from './cache.js';
import { parseCache } from './config.js';
import { invalidateZone, onZoneChanged, registerCache, registeredCaches } from '../../plugin/invalidation.js';

const unregister: Array<() => void> = [];
afterEach(() => unregister.splice(0).forEach((u) => u()));

function newCache(): Cache {
  const c = new Cache(parseCache([{ name: 'cache', args: [], block: null, file: 'Corefile', line: 1 }], ['.']));
  unregister.push(registerCache(c));
  return c;
}

const nx = async (req: Request) => ({
  ...replyTo(req.msg, Rcode.NXDOMAIN),
  ns: [{ name: 'cluster.local.', type: Type.SOA, class: 1, ttl: 5, primary: 'ns.dns.cluster.local.', admin: 'hostmaster.cluster.local.', serial: 1, refresh: 7200, retry: 1800, expiration: 86400, minimum: 5 }],
});

describe('invalidation registry', () => {
  it('drops entries under the zone in every registered cache', async () => {
    const a = newCache();
    const b = newCache();
    for (const c of [a, b]) {
      await runChain([c], makeRequest('web.shop.svc.cluster.local.', Type.A), nx);
      await runChain([c], makeRequest('db.other.svc.cluster.local.', Type.A), nx);
    }
    expect(invalidateZone('Shop.SVC.cluster.local')).toBe(2);
    expect([a.store.denial.size, b.store.denial.size]).toEqual([1, 1]);
    onZoneChanged('cluster.local.');
    expect([a.store.denial.size, b.store.denial.size]).toEqual([0, 0]);
  });

  it('forgets unregistered caches and ignores text that is not a zone', async () => {
    const before = registeredCaches();
    const c = new Cache(parseCache([{ name: 'cache', args: [], block: null, file: 'Corefile', line: 1 }], ['.']));
    const off = registerCache(c);
    expect(registeredCaches()).toBe(before + 1);
    await runChain([c], makeRequest('x.example.', Type.A), nx);
    expect(invalidateZone('bad zone')).toBe(0);
    off();
    expect(registeredCaches()).toBe(before);
    expect(invalidateZone('example.')).toBe(0);
    expect(c.store.denial.size).toBe(1);
  });
});
