/** `bind ADDRESS...`: listen only on these addresses (default: every interface). */
import { argError, wrongArgCount } from '../../plugin/args.js';
import type { Plugin } from '../../plugin/setup.js';
import { isIP } from 'node:net';

export const plugin: Plugin = {
  name: 'bind',
  setup(directives, ctx) {
    const hosts: string[] = [];
    for (const d of directives) {
      if (d.args.length === 0) throw wrongArgCount('bind', d);
      for (const a of d.args) {
        if (!isIP(a)) throw argError('bind', d, `not a valid IP address: '${a}' (interface names are not supported)`);
        hosts.push(a);
      }
    }
    ctx.bind([...new Set(hosts)]);
    return undefined;
  },
};
