/** Directive-name validation against the plugins this build knows. */
import { ConfigError } from './config-error.js';
import type { ServerBlock } from './types.js';

/**
 * Fails on the first top-level directive (in Corefile order) whose name is not in `known`, with
 * CoreDNS's message `Unknown directive '<name>'` at its file:line. Sub-directives inside a `{ }`
 * block belong to their plugin, which checks them itself.
 */
export function validateDirectives(blocks: readonly ServerBlock[], known: readonly string[]): void {
  const names = new Set(known);
  for (const block of blocks) {
    for (const d of block.directives) {
      if (!names.has(d.name)) throw new ConfigError(`Unknown directive '${d.name}'`, d);
    }
  }
}
