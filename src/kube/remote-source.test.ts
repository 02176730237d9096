import { describe, expect, it } from 'vitest';
import type { SlimService } from './objects.js';
import { RemoteSource, type SourceMessage } from './remote-source.js';

const svc = (name: string, resourceVersion = '1'): SlimService => ({
  namespace: 'ns', name, resourceVersion, type: 'ClusterIP', clusterIPs: ['10.96.0.9'], headless: false, externalName: '',
  ports: [{ name: 'http', port: 80, protocol: 'TCP' }], publishNotReadyAddresses: false,
});

describe('RemoteSource', () => {
  it('shares port lists again after the message channel copied them, and hands each event the key its map uses', () => {
    const src = new RemoteSource('k', () => {}, () => {});
    const keys: Array<string | undefined> = [];
    src.subscribe((ev) => keys.push(ev.key));
    // structuredClone: what postMessage does to every message.
    const snapshot: SourceMessage = structuredClone({ t: 'snapshot', key: 'k', synced: true, lastChange: 1, objects: { Service: [svc('a'), svc('b')], EndpointSlice: [], Pod: [], Namespace: [] } });
    src.receive(snapshot);
    src.receive(structuredClone({ t: 'event', key: 'k', lastChange: 2, ev: { kind: 'Service', type: 'upsert', obj: svc('c') } }) as SourceMessage);
    const services = src.snapshot().services;
    expect(services.get('ns/b')!.ports).toBe(services.get('ns/a')!.ports);
    expect(services.get('ns/c')!.ports).toBe(services.get('ns/a')!.ports);
    expect(keys).toEqual(['ns/a', 'ns/b', 'ns/c']);
    // A delete's old state is the object this side held (its indexes were built from it).
    const held = services.get('ns/a');
    const olds: unknown[] = [];
    src.subscribe((ev) => olds.push(ev.old));
    src.receive(structuredClone({ t: 'event', key: 'k', lastChange: 3, ev: { kind: 'Service', type: 'delete', obj: svc('a', '2'), old: svc('a', '0') } }) as SourceMessage);
    expect(services.has('ns/a')).toBe(false);
    expect(keys.at(-1)).toBe('ns/a');
    expect(olds).toEqual([held]);
    expect(olds[0]).toBe(held);
  });
});
