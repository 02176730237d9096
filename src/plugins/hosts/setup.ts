/**
 * `hosts [FILE [ZONES...]] { INLINE... ; ttl SECONDS ; no_reverse ; reload DURATION ;
 * fallthrough [ZONES...] ; fallthrough_unsupported }`
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Directive } from '../../corefile/types.js';
import { argError, durationArg, single, wrongArgCount } from '../../plugin/args.js';
import type { Plugin } from '../../plugin/setup.js';
import { Fallthrough, pluginZones } from '../../plugin/zones.js';
import { HostsHandler, type HostsConfig } from './hosts.js';
import { HostsSource } from './hosts-source.js';
import { parseIP } from './hostsfile.js';

const NAME = 'hosts';

/** The parsed `hosts` line. */
export interface HostsSetup extends HostsConfig {
  readonly path: string;
  readonly inline: string;
  readonly autoReverse: boolean;
  readonly reloadMs: number;
}

/** Parses the `hosts` line of a block whose zones are `blockZones`. Pure: touches no file. */
export function parseHosts(directives: readonly Directive[], blockZones: readonly string[]): HostsSetup {
  const d = single(NAME, directives);
  const [file, ...zoneArgs] = d.args;
  const zones = pluginZones(zoneArgs, blockZones);
  if (!zones) throw argError(NAME, d, `invalid zone in '${zoneArgs.join(' ')}'`);
  let ttl = 3600;
  let reloadMs = 5000;
  let autoReverse = true;
  let fall: Fallthrough | undefined;
  let fallUnsupported = false;
  const inline: string[] = [];
  for (const sub of d.block ?? []) {
    switch (sub.name) {
      case 'fallthrough':
        fall = Fallthrough.from(sub.args);
        if (!fall) throw argError(NAME, sub, `invalid zone in fallthrough '${sub.args.join(' ')}'`);
        break;
      case 'fallthrough_unsupported':
        if (sub.args.length > 0) throw wrongArgCount(NAME, sub);
        fallUnsupported = true;
        break;
      case 'no_reverse':
        autoReverse = false;
        break;
      case 'ttl': {
        if (sub.args.length !== 1) throw argError(NAME, sub, 'ttl needs a time in second');
        const n = /^\d+$/.test(sub.args[0]!) ? Number(sub.args[0]) : NaN;
        if (Number.isNaN(n)) throw argError(NAME, sub, 'ttl needs a number of second');
        if (n <= 0 || n > 65535) throw argError(NAME, sub, 'ttl provided is invalid');
        ttl = n;
        break;
      }
      case 'reload':
        if (sub.args.length !== 1) throw argError(NAME, sub, 'reload needs a duration (zero seconds to disable)');
        reloadMs = durationArg(NAME, sub, sub.args[0]);
        break;
      default:
        // CoreDNS quietly drops lines that are not `ADDRESS NAME...`; a typo deserves an error.
        if (!parseIP(sub.name)) throw argError(NAME, sub, `unknown property '${sub.name}'`);
        if (sub.args.length === 0) throw argError(NAME, sub, `no host name after address '${sub.name}'`);
        inline.push([sub.name, ...sub.args].join(' '));
    }
  }
  if (fallUnsupported && !fall) throw argError(NAME, d, 'fallthrough_unsupported requires fallthrough');
  return Object.freeze({
    path: file === undefined ? '/etc/hosts' : resolve(file),
    inline: inline.join('\n'),
    zones, ttl, reloadMs, autoReverse, fallUnsupported,
    fall: fall ?? Fallthrough.none(),
  });
}

/** The `hosts` plugin. */
export const plugin: Plugin = {
  name: NAME,
  async setup(directives, ctx) {
    const cfg = parseHosts(directives, ctx.zones);
    const log = ctx.log(NAME);
    try {
      if (statSync(cfg.path).isDirectory()) log.warn(`Hosts file "${cfg.path}" is a directory`);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw argError(NAME, directives[0]!, `unable to access hosts file '${cfg.path}': ${(err as Error).message}`);
      log.warn(`File does not exist: ${cfg.path}`);
    }
    const source = new HostsSource({ path: cfg.path, inline: cfg.inline, origins: cfg.zones, autoReverse: cfg.autoReverse });
    // Read now, so the first query already sees the file; then watch it once the server runs.
    await source.reload();
    ctx.onStartup(() => source.start(cfg.reloadMs));
    ctx.onShutdown(() => source.stop());
    return new HostsHandler(cfg, source);
  },
};
