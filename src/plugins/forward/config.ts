/**
 * Parses `forward FROM TO... { ... }` lines into frozen configs (pure: no sockets, no timers).
 * Options and defaults follow CoreDNS's plugin/forward/setup.go; options we do not implement
 * (DoT, DoH, source_address, resolver, max_age) are refused with "not supported".
 */
import type { Directive } from '../../corefile/types.js';
import { argError, durationArg, intArg, wrongArgCount } from '../../plugin/args.js';
import { Rcode } from '../../dns/constants.js';
import { fqdn, lower, wireLength } from '../../dns/name.js';
import { normalizeZone } from '../../plugin/zones.js';
import { policyByName, type PolicyName } from './policy.js';
import { parseTargets, type ReadText, type UpstreamAddr } from './parse-targets.js';

/** One `forward` stanza. Durations in milliseconds. */
export interface ForwardConfig {
  readonly from: string;
  readonly ignored: readonly string[];
  readonly upstreams: readonly UpstreamAddr[];
  readonly forceTcp: boolean;
  readonly preferUdp: boolean;
  readonly expire: number;
  readonly maxIdleConns: number;
  readonly readTimeout: number;
  readonly maxFails: number;
  /** undefined: twice the number of upstreams; 0: no cap. */
  readonly maxConnectAttempts: number | undefined;
  readonly hcInterval: number;
  readonly hcRecursionDesired: boolean;
  readonly hcDomain: string;
  readonly policy: PolicyName;
  /** 0 = unlimited. */
  readonly maxConcurrent: number;
  readonly next: readonly number[];
  readonly nextOnNodata: boolean;
  readonly failover: readonly number[];
  readonly failfastAllUnhealthy: boolean;
}

const P = 'forward';
const UNSUPPORTED = new Set(['tls', 'tls_servername', 'doh_method', 'source_address', 'resolver', 'max_age']);
const MAX_U32 = 0xffffffff;

function rcodeList(d: Directive): number[] {
  if (d.args.length === 0) throw wrongArgCount(P, d);
  return d.args.map((a) => {
    const rc = (Rcode as Record<string, number>)[a.toUpperCase()];
    if (rc === undefined) throw argError(P, d, `${a} is not a valid rcode`);
    return rc;
  });
}

function noArgs(d: Directive): true {
  if (d.args.length !== 0) throw wrongArgCount(P, d);
  return true;
}

function oneArg(d: Directive): string {
  if (d.args.length !== 1) throw wrongArgCount(P, d);
  return d.args[0]!;
}

/** Parses one stanza; `log` receives warnings. */
export function parseStanza(d: Directive, read?: ReadText, warn: (msg: string) => void = () => {}): ForwardConfig {
  if (d.args.length < 2) throw wrongArgCount(P, d);
  const zones = normalizeZone(d.args[0]!);
  if (!zones || zones.length === 0) throw argError(P, d, `unable to normalize '${d.args[0]}'`);
  if (zones.length > 1) warn(`Unsupported CIDR notation: '${d.args[0]}' expands to multiple zones. Using only '${zones[0]}'.`);
  const c = {
    from: zones[0]!, ignored: [] as string[], forceTcp: false, preferUdp: false, expire: 10_000, maxIdleConns: 0,
    readTimeout: 2000, maxFails: 2, maxConnectAttempts: undefined as number | undefined, hcInterval: 500,
    hcRecursionDesired: true, hcDomain: '.', policy: 'random' as PolicyName, maxConcurrent: 0, next: [] as number[],
    nextOnNodata: false, failover: [] as number[], failfastAllUnhealthy: false,
  };
  for (const o of d.block ?? []) {
    if (UNSUPPORTED.has(o.name)) throw argError(P, o, `'${o.name}' is not supported by this forward plugin`);
    switch (o.name) {
      case 'except':
        if (o.args.length === 0) throw wrongArgCount(P, o);
        for (const a of o.args) {
          const z = normalizeZone(a);
          if (!z) throw argError(P, o, `unable to normalize '${a}'`);
          c.ignored.push(...z);
        }
        break;
      case 'force_tcp':
        c.forceTcp = noArgs(o);
        break;
      case 'prefer_udp':
        c.preferUdp = noArgs(o);
        break;
      case 'expire':
        c.expire = durationArg(P, o, oneArg(o));
        break;
      case 'max_idle_conns':
        c.maxIdleConns = intArg(P, o, oneArg(o), 0, 2 ** 31 - 1);
        break;
      case 'read_timeout':
        c.readTimeout = durationArg(P, o, oneArg(o));
        if (c.readTimeout <= 0) throw argError(P, o, `read_timeout must be positive: ${o.args[0]}`);
        break;
      case 'max_fails':
        c.maxFails = intArg(P, o, oneArg(o), 0, MAX_U32);
        break;
      case 'max_connect_attempts':
        c.maxConnectAttempts = intArg(P, o, oneArg(o), 0, MAX_U32);
        break;
      case 'health_check': {
        if (o.args.length === 0) throw wrongArgCount(P, o);
        c.hcInterval = durationArg(P, o, o.args[0]);
        c.hcDomain = '.';
        for (let i = 1; i < o.args.length; i++) {
          const opt = o.args[i]!;
          if (opt === 'no_rec') c.hcRecursionDesired = false;
          else if (opt === 'domain') {
            const name = o.args[++i];
            if (name === undefined) throw wrongArgCount(P, o);
            if (wireLength(fqdn(name)) < 0) throw argError(P, o, `health_check: invalid domain name ${name}`);
            c.hcDomain = lower(fqdn(name));
          } else throw argError(P, o, `health_check: unknown option ${opt}`);
        }
        break;
      }
      case 'policy': {
        const name = oneArg(o);
        if (!policyByName(name)) throw argError(P, o, `unknown policy '${name}'`);
        c.policy = name as PolicyName;
        break;
      }
      case 'max_concurrent':
        c.maxConcurrent = intArg(P, o, oneArg(o), 0, 2 ** 31 - 1);
        break;
      case 'next':
        c.next.push(...rcodeList(o));
        break;
      case 'next_on_nodata':
        c.nextOnNodata = noArgs(o);
        break;
      case 'failover': {
        const rcs = rcodeList(o);
        if (rcs.includes(Rcode.NOERROR)) throw argError(P, o, 'NoError cannot be used in failover');
        c.failover.push(...rcs);
        break;
      }
      case 'failfast_all_unhealthy_upstreams':
        c.failfastAllUnhealthy = noArgs(o);
        break;
      default:
        throw argError(P, o, `unknown property '${o.name}'`);
    }
  }
  const upstreams = parseTargets(d.args.slice(1), d, read);
  return Object.freeze({ ...c, upstreams, ignored: Object.freeze(c.ignored), next: Object.freeze(c.next), failover: Object.freeze(c.failover) });
}

/** Parses every `forward` line of a block, in written order. */
export function parseForward(directives: readonly Directive[], read?: ReadText, warn?: (msg: string) => void): ForwardConfig[] {
  return directives.map((d) => parseStanza(d, read, warn));
}
