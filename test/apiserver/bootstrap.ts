/**
 * What every real cluster has before anyone applies anything: the four system namespaces and the
 * `kubernetes` service in `default` with its Endpoints and EndpointSlice (kube-apiserver's bootstrap
 * controllers create them). Optional (ApiServerOptions.bootstrap) so unit tests can start empty.
 */

/** The objects, in creation order. `apiHost`/`apiPort` is the simulator's own address. */
export function bootstrapObjects(apiHost: string, apiPort: number): any[] {
  const ns = (name: string): any => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  const host = /^\d+\.\d+\.\d+\.\d+$/.test(apiHost) ? apiHost : '127.0.0.1';
  return [
    ns('default'),
    ns('kube-node-lease'),
    ns('kube-public'),
    ns('kube-system'),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: apiPort }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: [{ addresses: [{ ip: host }], ports: [{ name: 'https', port: apiPort, protocol: 'TCP' }] }],
    },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [host], conditions: { ready: true } }],
      ports: [{ name: 'https', port: apiPort, protocol: 'TCP' }],
    },
  ];
}
