/** The product's name and version (printed by -version and in coredns_build_info). */
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** clusterdns's version from package.json. */
export const VERSION = pkg.version;
/** How -version names us. */
export const NAME = 'clusterdns';
