/** Registers the `forward` directive: parse every line of the block, build one chained handler. */
import type { Plugin } from '../../plugin/setup.js';
import { parseForward } from './config.js';
import { Forward, ForwardHandler } from './forward.js';

/** The forward plugin. */
export const plugin: Plugin = {
  name: 'forward',
  setup(directives, ctx) {
    const log = ctx.log('forward');
    const configs = parseForward(directives, undefined, (msg) => log.warn(msg));
    const handler = new ForwardHandler(configs.map((c) => new Forward(c)));
    ctx.onShutdown(() => handler.stop());
    return handler;
  },
};
