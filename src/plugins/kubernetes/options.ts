/**
 * `kubernetes [ZONES...] { ... }` -> a frozen options object, as CoreDNS's ParseStanza reads it.
 * Every bad line is a ConfigError naming its Corefile line.
 */
import type { Directive } from '../../corefile/types.js';
import { argError, durationArg, intArg, single, wrongArgCount } from '../../plugin/args.js';
import { Fallthrough, pluginZones } from '../../plugin/zones.js';
import { parseLabelSelector, type LabelSelector } from '../../kube/label-selector.js';

/** How `<ip>.<ns>.pod.<zone>` names are answered. */
export type PodMode = 'disabled' | 'insecure' | 'verified';

/** The parsed kubernetes block. */
export interface KubernetesOptions {
  /** All zones (lower-case FQDNs, CIDRs expanded to reverse zones). */
  readonly zones: readonly string[];
  /** The first non-reverse zone: PTR targets are built in it. */
  readonly primaryZone: string;
  readonly endpoint?: string;
  readonly tls?: { readonly cert: string; readonly key: string; readonly ca: string };
  readonly kubeconfig?: { readonly file: string; readonly context?: string };
  /** `manifests PATH`: serve objects from YAML files instead of the API. */
  readonly manifests?: string;
  /** `namespaces`: only these are exposed (empty = all). */
  readonly namespaces: ReadonlySet<string>;
  readonly namespaceLabels?: LabelSelector;
  readonly labels?: LabelSelector;
  readonly podMode: PodMode;
  readonly endpointPodNames: boolean;
  readonly ttl: number;
  readonly noEndpoints: boolean;
  readonly fallthrough: Fallthrough;
  readonly ignoreEmptyService: boolean;
  readonly startupTimeoutMs: number;
  /** `ptr_hostname_only`: an IP with a hostname endpoint gets only its hostname PTR(s). */
  readonly ptrHostnameOnly: boolean;
}

const PLUGIN = 'kubernetes';
const REVERSE = /(^|\.)(in-addr|ip6)\.arpa\.$/;

/** True for a zone under in-addr.arpa. or ip6.arpa. */
export function isReverseZone(zone: string): boolean {
  return REVERSE.test(zone);
}

function noArgs(d: Directive): void {
  if (d.args.length) throw wrongArgCount(PLUGIN, d);
}

function selector(d: Directive, what: string): LabelSelector {
  if (!d.args.length) throw wrongArgCount(PLUGIN, d);
  const text = d.args.join(' ');
  try {
    return parseLabelSelector(text);
  } catch (err) {
    throw argError(PLUGIN, d, `unable to parse ${what} selector value: '${text}': ${(err as Error).message}`);
  }
}

/** Parses the plugin's directives (it may appear once per server block). */
export function parseKubernetes(directives: readonly Directive[], blockZones: readonly string[]): KubernetesOptions {
  const d = single(PLUGIN, directives);
  const zones = pluginZones(d.args, blockZones);
  if (!zones || !zones.length) throw argError(PLUGIN, d, `invalid zone in '${d.args.join(' ')}'`);
  const primaryZone = zones.find((z) => !isReverseZone(z));
  if (!primaryZone) throw argError(PLUGIN, d, 'non-reverse zone name must be used');
  const o: { -readonly [K in keyof KubernetesOptions]: KubernetesOptions[K] } = {
    zones,
    primaryZone,
    namespaces: new Set<string>(),
    podMode: 'disabled',
    endpointPodNames: false,
    ttl: 5,
    noEndpoints: false,
    fallthrough: Fallthrough.none(),
    ignoreEmptyService: false,
    startupTimeoutMs: 5000,
    ptrHostnameOnly: false,
  };
  for (const sub of d.block ?? []) parseOption(sub, o);
  if (o.namespaces.size && o.namespaceLabels) throw argError(PLUGIN, d, 'namespaces and namespace_labels cannot both be set');
  if (o.manifests && (o.endpoint || o.kubeconfig || o.tls)) {
    throw argError(PLUGIN, d, 'manifests cannot be combined with endpoint, tls or kubeconfig');
  }
  return Object.freeze(o);
}

function parseOption(sub: Directive, o: { -readonly [K in keyof KubernetesOptions]: KubernetesOptions[K] }): void {
  const args = sub.args;
  switch (sub.name) {
    case 'endpoint':
      // CoreDNS accepts several (deprecated) and uses the first.
      if (!args.length) throw wrongArgCount(PLUGIN, sub);
      o.endpoint = args[0]!;
      return;
    case 'tls':
      if (args.length !== 3) throw wrongArgCount(PLUGIN, sub);
      o.tls = { cert: args[0]!, key: args[1]!, ca: args[2]! };
      return;
    case 'kubeconfig':
      if (args.length !== 1 && args.length !== 2) throw wrongArgCount(PLUGIN, sub);
      o.kubeconfig = args.length === 2 ? { file: args[0]!, context: args[1]! } : { file: args[0]! };
      return;
    case 'manifests':
      if (args.length !== 1) throw wrongArgCount(PLUGIN, sub);
      o.manifests = args[0]!;
      return;
    case 'namespaces':
      if (!args.length) throw wrongArgCount(PLUGIN, sub);
      o.namespaces = new Set([...o.namespaces, ...args]);
      return;
    case 'namespace_labels':
      o.namespaceLabels = selector(sub, 'namespace_labels');
      return;
    case 'labels':
      o.labels = selector(sub, 'label');
      return;
    case 'pods':
      if (args.length !== 1) throw wrongArgCount(PLUGIN, sub);
      if (args[0] !== 'disabled' && args[0] !== 'insecure' && args[0] !== 'verified') {
        throw argError(PLUGIN, sub, `wrong value for pods: ${args[0]}, must be one of: disabled, verified, insecure`);
      }
      o.podMode = args[0];
      return;
    case 'endpoint_pod_names':
      noArgs(sub);
      o.endpointPodNames = true;
      return;
    case 'ttl':
      if (args.length !== 1) throw wrongArgCount(PLUGIN, sub);
      o.ttl = intArg(PLUGIN, sub, args[0], 0, 3600);
      return;
    case 'noendpoints':
      noArgs(sub);
      o.noEndpoints = true;
      return;
    case 'fallthrough': {
      const f = Fallthrough.from(args);
      if (!f) throw argError(PLUGIN, sub, `invalid zone in fallthrough '${args.join(' ')}'`);
      o.fallthrough = f;
      return;
    }
    case 'ignore':
      if (args.length !== 1) throw wrongArgCount(PLUGIN, sub);
      if (args[0] !== 'empty_service') throw argError(PLUGIN, sub, `unable to parse ignore value: '${args[0]}'`);
      o.ignoreEmptyService = true;
      return;
    case 'startup_timeout':
      if (args.length !== 1) throw wrongArgCount(PLUGIN, sub);
      o.startupTimeoutMs = durationArg(PLUGIN, sub, args[0]);
      return;
    case 'ptr_hostname_only':
      noArgs(sub);
      o.ptrHostnameOnly = true;
      return;
    case 'apiserver_qps':
    case 'apiserver_burst':
    case 'apiserver_max_inflight':
      // Accepted for Corefile compatibility; the list+watch client does not rate-limit.
      if (args.length !== 1) throw wrongArgCount(PLUGIN, sub);
      if (!/^\d+(\.\d+)?$/.test(args[0]!)) throw argError(PLUGIN, sub, `invalid ${sub.name} '${args[0]}'`);
      return;
    case 'multicluster':
    case 'zonal':
      throw argError(PLUGIN, sub, `'${sub.name}' is not supported by clusterdns`);
    default:
      throw argError(PLUGIN, sub, `unknown property '${sub.name}'`);
  }
}
