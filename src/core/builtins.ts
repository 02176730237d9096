/**
 * Node built-ins that must not be imported as ES modules. An `import ... from 'node:http'` builds
 * the module's ES namespace, which reads every export, and http's lazy `WebSocket`/`MessageEvent`
 * getters load undici, http2 and web streams: +13 MiB RSS for a server that never uses them
 * (measured: `node a.mjs` with `import http from 'node:http'` 59.6 MiB, with
 * `process.getBuiltinModule('node:http')` 46.1 MiB). `process.getBuiltinModule` returns the
 * CommonJS exports and reads nothing. Type-only imports of these modules are fine.
 */
import type * as Http from 'node:http';
import type * as Https from 'node:https';

/** node:http, without its ES namespace. */
export const http: typeof Http = process.getBuiltinModule('node:http');

/** node:https, loaded on first use: it brings TLS and OpenSSL's state (~6 MiB), needed only for https API servers. */
export function https(): typeof Https {
  return process.getBuiltinModule('node:https');
}
