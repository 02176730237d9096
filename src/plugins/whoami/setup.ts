/** `whoami` (no arguments). */
import { single, wrongArgCount } from '../../plugin/args.js';
import type { Plugin } from '../../plugin/setup.js';
import { WhoamiHandler } from './whoami.js';

/** The `whoami` plugin. */
export const plugin: Plugin = {
  name: 'whoami',
  setup(directives) {
    const d = single('whoami', directives);
    if (d.args.length > 0 || (d.block && d.block.length > 0)) throw wrongArgCount('whoami', d);
    return new WhoamiHandler();
  },
};
