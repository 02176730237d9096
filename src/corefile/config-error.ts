import type { Pos } from './types.js';

/** A configuration error, formatted as CoreDNS does: `plugin/NAME: FILE:LINE - Error during parsing: MSG`. */
export class ConfigError extends Error {
  constructor(
    readonly reason: string,
    readonly pos?: Pos,
    readonly plugin?: string,
  ) {
    const where = pos ? `${pos.file}:${pos.line} - ` : '';
    const who = plugin ? `plugin/${plugin}: ` : '';
    super(`${who}${where}Error during parsing: ${reason}`);
    this.name = 'ConfigError';
  }
}
