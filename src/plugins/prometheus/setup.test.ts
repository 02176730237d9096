import { describe, expect, it } from 'vitest';
import type { Directive } from '../../corefile/types.js';
import { ConfigError } from '../../corefile/config-error.js';
import { parse } from './setup.js';

const d = (args: string[], block: Directive[] | null = null, line = 3): Directive => ({ name: 'prometheus', args, block, file: 'Corefile', line });
const sub = (name: string, args: string[] = []): Directive => ({ name, args, block: null, file: 'Corefile', line: 4 });

describe('prometheus parse', () => {
  it.each([
    [[], 'localhost:9153'],
    [[':9153'], ':9153'],
    [['0.0.0.0:9253'], '0.0.0.0:9253'],
    [['[::1]:9153'], '[::1]:9153'],
  ])('%j -> %s', (args, address) => {
    expect(parse([d(args)]).address).toBe(address);
  });

  it.each([
    ['localhost:9153', '127.0.0.1:9153'],
    ['LocalHost:9253', '127.0.0.1:9253'],
    [':9153', ':9153'],
    ['[::1]:9153', '[::1]:9153'],
  ])('binds %s as %s', (address, listen) => {
    expect(parse([d([address])]).listen).toBe(listen);
  });

  it('accepts runtime_metrics (no effect in Node)', () => {
    expect(parse([d([], [sub('runtime_metrics')])]).address).toBe('localhost:9153');
  });

  it.each([
    ['missing port', [d(['localhost'])], /Corefile:3 - Error during parsing: invalid address 'localhost'/],
    ['bad port', [d(['localhost:99999'])], /invalid address 'localhost:99999'/],
    ['unbracketed IPv6', [d(['::1:9153'])], /invalid address '::1:9153'/],
    ['two args', [d(['a:1', 'b:2'])], /Wrong argument count or unexpected line ending after 'b:2'/],
    ['twice', [d([]), d([], null, 7)], /Corefile:7 - Error during parsing: plugin\/prometheus can only be used once per Server Block/],
    ['unknown option', [d([], [sub('bogus')])], /Corefile:4 - Error during parsing: unknown option: bogus/],
    ['tls', [d([], [sub('tls', ['/etc/web.yml'])])], /tls is not supported/],
    ['runtime_metrics with args', [d([], [sub('runtime_metrics', ['x'])])], /Wrong argument count/],
  ])('rejects %s', (_what, directives, msg) => {
    let err: unknown;
    try {
      parse(directives);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/^plugin\/prometheus: /);
    expect((err as Error).message).toMatch(msg);
  });
});
