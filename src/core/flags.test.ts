import { describe, expect, it } from 'vitest';
import { FlagError, parseFlags } from './flags.js';

describe('parseFlags (Go flag syntax, CoreDNS names)', () => {
  it.each([
    [[], { conf: 'Corefile', port: 53, quiet: false, workers: 1 }],
    [['-workers', 'auto'], { workers: 2 }],
    [['-workers=auto'], { workers: 2 }],
    [['-conf', 'x/Corefile'], { conf: 'x/Corefile' }],
    [['-conf=x'], { conf: 'x' }],
    [['--dns.port', '1053'], { port: 1053 }],
    [['-dns.port=0'], { port: 0 }],
    [['-quiet'], { quiet: true }],
    [['-quiet=false'], { quiet: false }],
    [['-version'], { version: true }],
    [['-workers', '2'], { workers: 2 }],
  ] as const)('%j', (argv, want) => {
    expect(parseFlags(argv, 2)).toMatchObject(want);
  });
  it.each([
    [['-dns.port', '70000'], /invalid value/],
    [['-dns.port'], /needs an argument/],
    [['-bogus'], /not defined/],
    [['-quiet=maybe'], /invalid boolean/],
    [['stray'], /unexpected argument/],
    [['-workers', '0'], /invalid value/],
  ] as const)('%j is rejected', (argv, re) => {
    expect(() => parseFlags(argv, 2)).toThrow(FlagError);
    expect(() => parseFlags(argv, 2)).toThrow(re);
  });
});
