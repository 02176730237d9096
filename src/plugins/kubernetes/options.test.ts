import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../corefile/config-error.js';
import { parseCorefile } from '../../corefile/parser.js';
import { parseKubernetes } from './options.js';

function parse(body: string, zones = ['cluster.local.']) {
  const [block] = parseCorefile(`cluster.local {\n${body}\n}`, 'Corefile');
  return parseKubernetes(block!.directives.filter((d) => d.name === 'kubernetes'), zones);
}

function error(body: string): string {
  try {
    parse(body);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('parseKubernetes', () => {
  it('has CoreDNS defaults', () => {
    const o = parse('kubernetes');
    expect(o).toMatchObject({ zones: ['cluster.local.'], primaryZone: 'cluster.local.', podMode: 'disabled', ttl: 5, startupTimeoutMs: 5000 });
    expect(o.fallthrough.through('x.cluster.local.')).toBe(false);
    expect(Object.isFrozen(o)).toBe(true);
  });

  it('reads every option', () => {
    const o = parse(`kubernetes cluster.local 10.0.0.0/8 fd00::/8 {
      endpoint http://127.0.0.1:8080 http://ignored
      tls cert.pem key.pem ca.pem
      kubeconfig kube.yaml ctx
      namespaces a b
      labels app in (web, db),tier!=cache
      pods verified
      endpoint_pod_names
      ttl 3600
      noendpoints
      fallthrough in-addr.arpa
      ignore empty_service
      startup_timeout 1m30s
      ptr_hostname_only
      apiserver_qps 50
    }`);
    expect(o.zones).toEqual(['cluster.local.', '10.in-addr.arpa.', 'd.f.ip6.arpa.']);
    expect(o).toMatchObject({
      endpoint: 'http://127.0.0.1:8080', tls: { cert: 'cert.pem', key: 'key.pem', ca: 'ca.pem' }, kubeconfig: { file: 'kube.yaml', context: 'ctx' },
      podMode: 'verified', endpointPodNames: true, ttl: 3600, noEndpoints: true, ignoreEmptyService: true, startupTimeoutMs: 90_000, ptrHostnameOnly: true,
    });
    expect([...o.namespaces]).toEqual(['a', 'b']);
    expect(o.labels!.text).toBe('app in (web, db),tier!=cache');
    expect(o.fallthrough.through('1.in-addr.arpa.')).toBe(true);
    expect(o.fallthrough.through('x.cluster.local.')).toBe(false);
  });

  it('takes the server block zones when none are given, the first forward one as primary', () => {
    expect(parse('kubernetes', ['in-addr.arpa.', 'cluster.local.']).primaryZone).toBe('cluster.local.');
  });

  it.each([
    ['kubernetes {\n pods sometimes\n}', 'Corefile:3 - Error during parsing: wrong value for pods: sometimes'],
    ['kubernetes {\n ttl 3601\n}', 'Corefile:3 - Error during parsing: value 3601 out of range [0, 3600]'],
    ['kubernetes {\n ttl -1\n}', 'out of range'],
    ['kubernetes {\n ttl five\n}', "not a number: 'five'"],
    ['kubernetes {\n\n bogus 1\n}', "Corefile:4 - Error during parsing: unknown property 'bogus'"],
    ['kubernetes {\n tls a b\n}', 'Wrong argument count'],
    ['kubernetes {\n ignore full_service\n}', "unable to parse ignore value: 'full_service'"],
    ['kubernetes {\n startup_timeout soon\n}', "invalid duration: 'soon'"],
    ['kubernetes {\n labels a=b=c\n}', 'unable to parse label selector'],
    ['kubernetes {\n namespace_labels x>1\n}', 'unable to parse namespace_labels selector'],
    ['kubernetes {\n namespaces a\n namespace_labels x=y\n}', 'namespaces and namespace_labels cannot both be set'],
    ['kubernetes {\n manifests /tmp/m\n endpoint http://x\n}', 'manifests cannot be combined'],
    ['kubernetes {\n endpoint_pod_names yes\n}', 'Wrong argument count'],
    ['kubernetes {\n zonal\n}', "'zonal' is not supported"],
    ['kubernetes in-addr.arpa', 'non-reverse zone name must be used'],
    ['kubernetes 10.0.0.0/99', 'invalid zone'],
    ['kubernetes\nkubernetes', 'can only be used once per Server Block'],
  ])('%j -> %s', (body, message) => {
    const m = error(body);
    expect(m).toContain(message);
    expect(m).toMatch(/^plugin\/kubernetes: Corefile:\d+ - /);
  });
});
