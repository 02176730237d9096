import { describe, expect, it } from 'vitest';
import type { SlimEndpointSlice, SlimService } from '../../kube/objects.js';
import { programmingDuration, recordProgrammingLatency } from './metrics.js';

const slice = (t?: number): SlimEndpointSlice => ({
  namespace: 'ns', name: 's', resourceVersion: '1', serviceName: 'svc', addressType: 'IPv4', endpoints: [], ports: [],
  ...(t === undefined ? {} : { lastChangeTriggerTime: t }),
});
const svc = (headless: boolean): SlimService => ({
  namespace: 'ns', name: 'svc', resourceVersion: '1', type: 'ClusterIP', clusterIPs: headless ? ['None'] : ['10.0.0.1'], headless,
  externalName: '', ports: [], publishNotReadyAddresses: false,
});

async function counts(): Promise<Record<string, number>> {
  const m = await programmingDuration.get();
  const out: Record<string, number> = {};
  for (const v of m.values) if (v.metricName?.endsWith('_count')) out[v.labels.service_kind as string] = v.value;
  return out;
}

describe('dns_programming_duration_seconds', () => {
  it('observes slices with a trigger time and a known service, by service kind', async () => {
    programmingDuration.reset();
    recordProgrammingLatency(slice(1000), svc(false), 3500);
    recordProgrammingLatency(slice(1000), svc(true), 2000);
    recordProgrammingLatency(slice(), svc(true), 2000);
    recordProgrammingLatency(slice(1000), undefined, 2000);
    expect(await counts()).toEqual({ cluster_ip: 1, headless_with_selector: 1 });
    const m = await programmingDuration.get();
    const sum = m.values.find((v) => v.metricName?.endsWith('_sum') && v.labels.service_kind === 'cluster_ip');
    expect(sum?.value).toBe(2.5);
  });
});
