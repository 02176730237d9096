/** `loop`: parse the directive, build the handler, start the self-probe once the server is up. */
import { randomBytes } from 'node:crypto';
import type { Directive } from '../../corefile/types.js';
import { argError, single, wrongArgCount } from '../../plugin/args.js';
import type { Plugin } from '../../plugin/setup.js';
import { Loop, type Exit } from './loop.js';
import { probe, type ProbeOptions } from './probe.js';

const NAME = 'loop';

/** Checks the block's `loop` line: once, no arguments, no block. */
export function parse(directives: readonly Directive[]): void {
  const d = single(NAME, directives);
  if (d.args.length > 0) throw wrongArgCount(NAME, d);
  if (d.block && d.block.length > 0) throw argError(NAME, d.block[0]!, `unknown property '${d.block[0]!.name}'`);
}

/** A random 62-bit integer in decimal, as CoreDNS puts in its probe labels. */
function randomLabel(): string {
  return (randomBytes(8).readBigUInt64BE() & ((1n << 62n) - 1n)).toString();
}

/** `<random>.<random>.<zone>`. */
export function probeName(zone: string): string {
  return `${randomLabel()}.${randomLabel()}.${zone === '.' ? '' : zone}`;
}

/**
 * Where the probe goes and how the fatal message names it, from the block's `server` label:
 * `dns://:53` -> 127.0.0.1 and `:53`; with one `bind` address, that address (CoreDNS dials its
 * first listen host).
 */
export function probeTarget(server: string, port: number): { host: string; address: string } {
  const hostPort = server.replace(/^[a-z]+:\/\//, '');
  const host = hostPort.slice(0, hostPort.lastIndexOf(':')).replace(/^\[|\]$/g, '');
  return { host: host || '127.0.0.1', address: host ? hostPort : `:${port}` };
}

/** What tests may replace: the process exit, the probe's target host and timing. */
export interface LoopOptions {
  exit?: Exit;
  host?: string;
  probe?: ProbeOptions;
  /** Called with the probe's promise when it starts (tests await it). */
  onProbe?: (p: Promise<number>) => void;
}

/** Builds the loop plugin; the server uses `plugin` (real exit). */
export function loopPlugin(opts: LoopOptions = {}): Plugin {
  return {
    name: NAME,
    setup(directives, ctx) {
      parse(directives);
      // CoreDNS probes only the first zone of the server block.
      const zone = ctx.zones[0] ?? '.';
      const target = probeTarget(ctx.server, ctx.port);
      const loop = new Loop(zone, probeName(zone), target.address, ctx.log(NAME), opts.exit);
      const stop = new AbortController();
      ctx.onStartup(() => {
        // One probe per process: with -workers only the primary thread sends it.
        if (ctx.role === 'secondary') return;
        // Not awaited: the probe needs the sockets, which open after startup hooks.
        const p = probe(loop, opts.host ?? target.host, ctx.port, stop.signal, opts.probe);
        opts.onProbe?.(p);
      });
      ctx.onShutdown(() => stop.abort());
      return loop;
    },
  };
}

/** The loop plugin. */
export const plugin: Plugin = loopPlugin();
