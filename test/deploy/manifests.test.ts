/**
 * deploy/ checked offline: every object against the Kubernetes schemas (kubernetes-models), the RBAC
 * read-only and no wider than what the code watches, and the objects pointing at each other correctly
 * (selectors, ServiceAccount, ConfigMap mount, probe ports vs the Corefile, image tag vs version).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IConfigMap, IService, IServiceAccount } from 'kubernetes-models/v1';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { IClusterRole, IClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { parseCorefile } from '../../src/corefile/parser.js';
import type { Directive } from '../../src/corefile/types.js';
import { PLUGIN_ORDER } from '../../src/plugins.js';
import { ROOT } from '../helpers/cli.js';
import { find, loadManifests, manifestFiles, selects, validateObject, type Manifest } from './load-manifests.js';

const DEPLOY = join(ROOT, 'deploy');
const OPTIONAL = join(DEPLOY, 'optional');
const all = loadManifests(DEPLOY);
const optional = loadManifests(OPTIONAL);
const deployment = find<IDeployment>(all, 'Deployment', 'coredns');
const pod = deployment.spec!.template;
const container = pod.spec!.containers.find((c) => c.name === 'coredns')!;
const service = find<IService>(all, 'Service', 'kube-dns');
const configMap = find<IConfigMap>(all, 'ConfigMap', 'coredns');
const role = find<IClusterRole>(all, 'ClusterRole', 'system:coredns');
const binding = find<IClusterRoleBinding>(all, 'ClusterRoleBinding', 'system:coredns');
const label = (m: Manifest) => `${m.file} ${m.obj.kind}/${m.obj.metadata.name}`;

describe('schemas', () => {
  it.each([...all, ...optional].map((m) => [label(m), m] as const))('%s is a valid Kubernetes object', (_n, m) => {
    expect(() => validateObject(m)).not.toThrow();
  });
  it('the validator is not a no-op: it rejects a wrong type deep in a pod spec', () => {
    const broken = structuredClone(all.find((m) => m.obj.kind === 'Deployment')!);
    const spec = (broken.obj as unknown as IDeployment).spec!.template.spec!;
    (spec.containers[0]!.ports![0] as { containerPort: unknown }).containerPort = 'fifty-three';
    expect(() => validateObject(broken)).toThrow(/containerPort must be integer/);
  });
  it.each([['deploy', DEPLOY], ['deploy/optional', OPTIONAL]])('%s/kustomization.yaml lists exactly the manifests of its folder', (_n, dir) => {
    const k = YAML.parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
    expect([...k.resources].sort()).toEqual(manifestFiles(dir));
  });
  it.skipIf(!hasKubectl())('kubectl kustomize builds deploy/ into the same objects', () => {
    const out = execFileSync('kubectl', ['kustomize', DEPLOY], { encoding: 'utf8', timeout: 20_000 });
    const built = YAML.parseAllDocuments(out).map((d) => d.toJS() as Manifest['obj']);
    const key = (o: Manifest['obj']) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    expect(built.map(key).sort()).toEqual(all.map((m) => key(m.obj)).sort());
  });
});

describe('RBAC', () => {
  const READ = new Set(['get', 'list', 'watch']);
  it('the role is read-only: get/list/watch only, no wildcard, no non-resource URLs', () => {
    for (const rule of role.rules!) {
      for (const verb of rule.verbs) expect(READ.has(verb), `verb ${verb}`).toBe(true);
      expect(rule.resources ?? []).not.toContain('*');
      expect(rule.apiGroups ?? []).not.toContain('*');
      expect(rule.nonResourceURLs).toBeUndefined();
      expect(rule.resourceNames).toBeUndefined();
    }
  });
  it('grants services, pods, namespaces and discovery.k8s.io endpointslices, nothing else', () => {
    const granted = role.rules!.flatMap((r) => r.apiGroups!.flatMap((g) => r.resources!.map((res) => `${g}/${res}`)));
    expect(granted.sort()).toEqual(['/namespaces', '/pods', '/services', 'discovery.k8s.io/endpointslices']);
    for (const r of role.rules!) expect([...r.verbs].sort()).toEqual(['list', 'watch']);
  });
  it('covers every collection the API source lists and watches (src/kube)', () => {
    const used = new Set<string>();
    const dir = join(ROOT, 'src', 'kube');
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
      const text = readFileSync(join(dir, f), 'utf8');
      for (const m of text.matchAll(/'\/api\/v1\/([a-z]+)'/g)) used.add(`/${m[1]}`);
      for (const m of text.matchAll(/'\/apis\/([a-z0-9.-]+)\/v[0-9a-z]+\/([a-z]+)'/g)) used.add(`${m[1]}/${m[2]}`);
    }
    expect(used.size).toBeGreaterThan(0);
    const granted = new Set(role.rules!.flatMap((r) => r.apiGroups!.flatMap((g) => r.resources!.map((res) => `${g}/${res}`))));
    expect([...used].filter((u) => !granted.has(u))).toEqual([]);
  });
  it('the binding ties that role to the ServiceAccount the pods run as', () => {
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata!.name });
    const sa = find<IServiceAccount>(all, 'ServiceAccount', pod.spec!.serviceAccountName!);
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: sa.metadata!.name, namespace: sa.metadata!.namespace }]);
    expect(sa.metadata!.namespace).toBe(deployment.metadata!.namespace);
  });
});

describe('cross references', () => {
  const podLabels = pod.metadata!.labels as Record<string, string>;
  it('the Deployment, Service and PDB selectors pick the pods', () => {
    expect(selects(deployment.spec!.selector.matchLabels, podLabels)).toBe(true);
    expect(selects(service.spec!.selector, podLabels)).toBe(true);
    const pdb = all.find((m) => m.obj.kind === 'PodDisruptionBudget')!.obj as unknown as IPodDisruptionBudget;
    expect(selects(pdb.spec!.selector!.matchLabels, podLabels)).toBe(true);
    expect(pdb.metadata!.namespace).toBe('kube-system');
  });
  it('the Service is kube-system/kube-dns on 10.96.0.10 with dns, dns-tcp and metrics', () => {
    expect(service.metadata!.namespace).toBe('kube-system');
    expect(service.metadata!.labels!['k8s-app']).toBe('kube-dns');
    expect(service.spec!.clusterIP).toBe('10.96.0.10');
    const ports = service.spec!.ports!.map((p) => `${p.name} ${p.port}/${p.protocol}`);
    expect(ports).toEqual(['dns 53/UDP', 'dns-tcp 53/TCP', 'metrics 9153/TCP']);
  });
  it('each Service port reaches a container port of the same protocol', () => {
    for (const p of service.spec!.ports!) {
      const target = p.targetPort ?? p.port;
      const hit = container.ports!.find((c) => (typeof target === 'number' ? c.containerPort === target : c.name === target) && c.protocol === p.protocol);
      expect(hit, `service port ${p.name}`).toBeDefined();
    }
  });
  it('the ConfigMap is mounted where -conf looks for the Corefile', () => {
    const mount = container.volumeMounts!.find((v) => v.mountPath === '/etc/coredns')!;
    const volume = pod.spec!.volumes!.find((v) => v.name === mount.name)!;
    expect(volume.configMap!.name).toBe(configMap.metadata!.name);
    const item = volume.configMap!.items!.find((i) => i.key === 'Corefile')!;
    const args = container.args!;
    expect(args[args.indexOf('-conf') + 1]).toBe(`${mount.mountPath}/${item.path}`);
    // One thread per pod: each -workers thread holds its own zone, and the memory limit is sized for one.
    expect(args[args.indexOf('-workers') + 1]).toBe('1');
    expect(configMap.data![item.key]).toBeTruthy();
  });
});

describe('the ConfigMap Corefile', () => {
  const text = configMap.data!.Corefile!;
  const example = readFileSync(join(ROOT, 'Corefile.example'), 'utf8');
  const strip = (blocks: ReturnType<typeof parseCorefile>) =>
    JSON.parse(JSON.stringify(blocks, (k, v: unknown) => (k === 'file' || k === 'line' ? undefined : v)));
  const blocks = parseCorefile(text, 'Corefile', { env: {} });
  const directive = (name: string): Directive => blocks[0]!.directives.find((d) => d.name === name)!;
  const portOf = (addr: string) => Number(addr.slice(addr.lastIndexOf(':') + 1));

  it('is Corefile.example, word for word (its leading comment aside)', () => {
    expect(text).toBe(example.replace(/^(#[^\n]*\n)+/, ''));
    expect(strip(blocks)).toEqual(strip(parseCorefile(example, 'Corefile.example', { env: {} })));
  });
  it('uses only directives clusterdns implements', () => {
    const known = new Set<string>(PLUGIN_ORDER);
    expect(blocks.flatMap((b) => b.directives.map((d) => d.name)).filter((n) => !known.has(n))).toEqual([]);
  });
  it('serves :53 and the probes and metrics port match health, ready and prometheus', () => {
    expect(blocks.map((b) => b.keys)).toEqual([['.:53']]);
    expect(container.ports!.filter((p) => p.containerPort === 53).map((p) => p.protocol).sort()).toEqual(['TCP', 'UDP']);
    expect(container.livenessProbe!.httpGet).toMatchObject({ path: '/health', port: portOf(directive('health').args[0] ?? ':8080') });
    expect(container.readinessProbe!.httpGet).toMatchObject({ path: '/ready', port: portOf(directive('ready').args[0] ?? ':8181') });
    expect(container.ports!.find((p) => p.name === 'metrics')!.containerPort).toBe(portOf(directive('prometheus').args[0] ?? ':9153'));
  });
});

describe('the Deployment', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const dockerUser = /^USER\s+(\d+)(?::(\d+))?\s*$/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  it('runs the image tagged with package.json version', () => {
    expect(container.image).toBe(`ghcr.io/clusterdns/clusterdns:${pkg.version}`);
  });
  it('is CoreDNS-shaped: 2 replicas, cluster-critical, dnsPolicy Default, CoreDNS resources, control-plane toleration', () => {
    expect(deployment.metadata).toMatchObject({ name: 'coredns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } });
    expect(deployment.spec!.replicas).toBe(2);
    expect(pod.spec!.priorityClassName).toBe('system-cluster-critical');
    expect(pod.spec!.dnsPolicy).toBe('Default');
    expect(container.resources).toEqual({ limits: { memory: '170Mi' }, requests: { cpu: '100m', memory: '70Mi' } });
    expect(pod.spec!.tolerations).toContainEqual({ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' });
  });
  it('spreads replicas over nodes by anti-affinity on its own pod label', () => {
    const term = pod.spec!.affinity!.podAntiAffinity!.preferredDuringSchedulingIgnoredDuringExecution![0]!.podAffinityTerm;
    expect(term.topologyKey).toBe('kubernetes.io/hostname');
    const expr = term.labelSelector!.matchExpressions![0]!;
    expect(expr.operator).toBe('In');
    expect(expr.values).toContain((pod.metadata!.labels as Record<string, string>)[expr.key]);
  });
  it('runs non-root as the Dockerfile USER, read-only, no privilege escalation, all capabilities dropped', () => {
    const psc = pod.spec!.securityContext!;
    expect(psc.runAsNonRoot).toBe(true);
    expect(dockerUser).not.toBeNull();
    expect(psc.runAsUser).toBe(Number(dockerUser![1]));
    const csc = container.securityContext!;
    expect(csc).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(csc.capabilities!.drop).toEqual(['ALL']);
    expect(csc.privileged ?? false).toBe(false);
  });
  it('can bind :53 without root: the unprivileged-port sysctl or NET_BIND_SERVICE', () => {
    const sysctl = pod.spec!.securityContext!.sysctls?.find((s) => s.name === 'net.ipv4.ip_unprivileged_port_start');
    const cap = container.securityContext!.capabilities!.add?.includes('NET_BIND_SERVICE');
    expect(sysctl?.value === '0' || cap === true).toBe(true);
  });
});

describe('deploy/optional autoscaler', () => {
  const args = (find<IDeployment>(optional, 'Deployment', 'clusterdns-autoscaler').spec!.template.spec!.containers[0]!.command ?? []);
  const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=').slice(1).join('=');
  it('targets the coredns Deployment and reads its own ConfigMap', () => {
    const [kind, name] = flag('target')!.split('/');
    expect(kind!.toLowerCase()).toBe('deployment');
    expect(name).toBe(deployment.metadata!.name);
    expect(flag('namespace')).toBe(deployment.metadata!.namespace);
    const cm = find<IConfigMap>(optional, 'ConfigMap', flag('configmap')!);
    expect(JSON.parse(cm.data!.linear!)).toMatchObject({ min: 2 });
  });
  it('writes only scale subresources and its ConfigMap, within kube-system', () => {
    for (const m of optional.filter((x) => x.obj.kind === 'ClusterRole')) {
      for (const r of (m.obj as unknown as IClusterRole).rules!) expect(r.verbs.every((v) => ['get', 'list', 'watch'].includes(v))).toBe(true);
    }
    const writes = optional
      .filter((x) => x.obj.kind === 'Role')
      .flatMap((m) => (m.obj as unknown as IClusterRole).rules!.filter((r) => r.verbs.some((v) => !['get', 'list', 'watch'].includes(v))))
      .flatMap((r) => r.resources!);
    expect(writes.every((res) => res.endsWith('/scale') || res === 'configmaps')).toBe(true);
  });
});

function hasKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}
