import { describe, expect, it } from 'vitest';
import { Type } from '../../dns/constants.js';
import type { SlimEndpointSlice, SlimService } from '../../kube/objects.js';
import { nodeOf, Zone } from '../../zone/zone.js';
import { serviceEntries, type ServiceRecordOptions } from './service-records.js';
import { fixtureSource } from './testing.js';

const OPTIONS: ServiceRecordOptions[] = [
  { ttl: 30, endpointPodNames: false, ignoreEmptyService: false },
  { ttl: 5, endpointPodNames: true, ignoreEmptyService: true },
];

/** Every fixture Service with its slices. */
function fixtureServices(): Array<{ svc: SlimService; slices: SlimEndpointSlice[] }> {
  const snap = fixtureSource().snapshot();
  const slices = [...snap.endpointSlices.values()];
  return [...snap.services.values()].map((svc) => ({ svc, slices: slices.filter((s) => s.namespace === svc.namespace && s.serviceName === svc.name) }));
}

describe('serviceEntries for one name', () => {
  const services = fixtureServices();

  it('covers headless, ClusterIP and ExternalName Services of the fixture', () => {
    expect(services.some((s) => s.svc.headless)).toBe(true);
    expect(services.some((s) => s.svc.type === 'ExternalName')).toBe(true);
    expect(services.filter((s) => !s.svc.headless && s.slices.length).length).toBeGreaterThan(3);
  });

  it.each(OPTIONS.map((o) => [o] as const))('gives each name exactly the node the full computation gives (%o)', (o) => {
    let names = 0;
    for (const { svc, slices } of services) {
      const full = new Zone();
      const all = serviceEntries(svc, slices, o);
      full.put('svc', all);
      for (const name of new Set(all.map((e) => e.name))) {
        names++;
        expect(nodeOf(serviceEntries(svc, slices, o, name), name)?.rrsets, name).toEqual(full.node(name)!.rrsets);
      }
    }
    // Port, endpoint and Service names all took part.
    expect(names).toBeGreaterThan(services.length * 2);
  });

  it('gives nothing for names the Service does not make', () => {
    const o = OPTIONS[0]!;
    for (const { svc, slices } of services) {
      const own = `${svc.name}.${svc.namespace}.svc`;
      for (const name of [`nosuch.${own}`, `x.y.${own}`, `_x._tcp.${own}`, `a.b.c.${own}`, own.slice(1), `other.${svc.namespace}.svc`]) {
        expect(serviceEntries(svc, slices, o, name), name).toEqual([]);
      }
    }
  });

  it('computes the Service name of a ClusterIP Service without its endpoints', () => {
    const { svc, slices } = services.find((s) => s.svc.name === 'svc1' && s.svc.namespace === 'testns')!;
    const node = nodeOf(serviceEntries(svc, slices, OPTIONS[0]!, 'svc1.testns.svc'), 'svc1.testns.svc');
    expect(node?.rrsets.map((r) => r.type).sort()).toEqual([Type.A, Type.SRV].sort());
    // ignore empty_service: no ready endpoint makes the name disappear, asked alone or with the rest.
    const empty = { ...OPTIONS[1]!, ignoreEmptyService: true };
    expect(serviceEntries(svc, [], empty, 'svc1.testns.svc')).toEqual([]);
    expect(serviceEntries(svc, [], empty)).toEqual([]);
  });
});
