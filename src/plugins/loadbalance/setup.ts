/** `loadbalance [round_robin] { prefer CIDR... }`; the `weighted` policy is refused. */
import ipaddr from 'ipaddr.js';
import type { Directive } from '../../corefile/types.js';
import { argError, single, wrongArgCount } from '../../plugin/args.js';
import type { Plugin } from '../../plugin/setup.js';
import { LoadBalanceHandler, type Subnet } from './loadbalance.js';

const NAME = 'loadbalance';

function parseCidr(d: Directive, text: string): Subnet {
  const ok = text.includes(':') ? ipaddr.IPv6.isValidCIDR(text) : ipaddr.IPv4.isValidCIDRFourPartDecimal(text);
  if (!ok) throw argError(NAME, d, `invalid CIDR "${text}"`);
  return ipaddr.parseCIDR(text);
}

/** Parses the `loadbalance` line into its preferred subnets. */
export function parseLoadBalance(directives: readonly Directive[]): Subnet[] {
  const d = single(NAME, directives);
  const [policy, ...more] = d.args;
  if (policy === 'weighted') {
    throw argError(NAME, d, 'the weighted policy is not supported by clusterdns; use round_robin');
  }
  if (policy !== undefined && policy !== 'round_robin') throw argError(NAME, d, `unknown policy: ${policy}`);
  if (more.length > 0) throw argError(NAME, d, `unknown property for ${policy}`);
  const prefer: Subnet[] = [];
  for (const sub of d.block ?? []) {
    if (sub.name !== 'prefer') throw argError(NAME, sub, `unknown property '${sub.name}'`);
    if (sub.args.length === 0) throw wrongArgCount(NAME, sub);
    for (const cidr of sub.args) prefer.push(parseCidr(sub, cidr));
  }
  return prefer;
}

/** The `loadbalance` plugin. */
export const plugin: Plugin = {
  name: NAME,
  setup(directives) {
    return new LoadBalanceHandler(parseLoadBalance(directives));
  },
};
