import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../corefile/config-error.js';
import type { Directive } from '../../corefile/types.js';
import { effectiveCapacity, parseCache, type CacheConfig } from './config.js';

function line(args: string[], block: string[][] = []): Directive {
  return {
    name: 'cache', args, file: 'Corefile', line: 3,
    block: block.map(([name, ...a], i) => ({ name: name!, args: a, block: null, file: 'Corefile', line: 4 + i })),
  };
}

const parse = (args: string[], block: string[][] = [], zones = ['cluster.local.']) => parseCache([line(args, block)], zones);

describe('cache config', () => {
  it('has CoreDNS defaults', () => {
    expect(parse([])).toEqual<CacheConfig>({
      zones: ['cluster.local.'], successCap: 9984, denialCap: 9984, successTtl: 3600, successMinTtl: 5, denialTtl: 1800,
      denialMinTtl: 5, servfail: 5000, prefetch: 0, prefetchDuration: 60_000, prefetchPercentage: 10, staleUpTo: 0,
      verifyStale: false, verifyStaleTimeout: 0, staleTtl: 0, staleRecheck: 0, successDisabled: [], denialDisabled: [], keepTtl: false,
    });
  });

  it('rounds capacities as CoreDNS shards do', () => {
    expect([0, 10, 1024, 5000, 10_000, 100_000].map(effectiveCapacity)).toEqual([1024, 1024, 1024, 4864, 9984, 99_840]);
  });

  it.each<[string, string[], string[][], Partial<CacheConfig>]>([
    ['TTL', ['30'], [], { successTtl: 30, denialTtl: 30, zones: ['cluster.local.'] }],
    ['TTL and zones', ['25', 'Example.NL', '10.0.0.0/8'], [], { successTtl: 25, zones: ['example.nl.', '10.in-addr.arpa.'] }],
    ['a zone that is not a number', ['aaa', 'example.nl'], [], { successTtl: 3600, zones: ['aaa.', 'example.nl.'] }],
    ['success', [], [['success', '5000', '1800', '30']], { successCap: 4864, successTtl: 1800, successMinTtl: 30 }],
    ['denial', [], [['denial', '2500', '15', '2']], { denialCap: 2304, denialTtl: 15, denialMinTtl: 2 }],
    ['prefetch', [], [['prefetch', '10', '2m', '20%']], { prefetch: 10, prefetchDuration: 120_000, prefetchPercentage: 20 }],
    ['serve_stale', [], [['serve_stale']], { staleUpTo: 3_600_000, verifyStale: false }],
    ['serve_stale verify', [], [['serve_stale', '20m', 'VERIFY', '100ms', '30s', '1m']], { staleUpTo: 1_200_000, verifyStale: true, verifyStaleTimeout: 100, staleTtl: 30, staleRecheck: 60_000 }],
    ['serve_stale immediate', [], [['serve_stale', '1h', 'immediate', '30s', '30s']], { staleUpTo: 3_600_000, staleTtl: 30, staleRecheck: 30_000 }],
    ['servfail', [], [['servfail', '0']], { servfail: 0 }],
    ['disable success', [], [['disable', 'success', 'Sub.Example.org']], { successDisabled: ['sub.example.org.'] }],
    ['disable denial', [], [['disable', 'denial']], { denialDisabled: ['.'] }],
    ['keepttl', [], [['keepttl']], { keepTtl: true }],
  ])('parses %s', (_n, args, block, want) => {
    expect(parse(args, block)).toMatchObject(want);
  });

  it.each<[string, Directive[], RegExp, number]>([
    ['twice', [line([]), line([])], /can only be used once per Server Block/, 3],
    ['zero TTL', [line(['0'])], /cache TTL can not be zero or negative: 0/, 3],
    ['negative TTL', [line(['-1', 'example.nl'])], /zero or negative: -1/, 3],
    ['success without capacity', [line([], [['success']])], /Wrong argument count/, 4],
    ['bad capacity', [line([], [['success', '15'], ['denial', 'aaa']])], /not a number: 'aaa'/, 5],
    ['zero success TTL', [line([], [['success', '10', '0']])], /zero or negative/, 4],
    ['negative min TTL', [line([], [['denial', '10', '10', '-1']])], /min TTL can not be negative/, 4],
    ['unknown property', [line([], [['positive', '0']])], /unknown property 'positive'/, 4],
    ['negative prefetch', [line([], [['prefetch', '-1']])], /prefetch amount should be positive/, 4],
    ['bad prefetch duration', [line([], [['prefetch', '0', 'blurp']])], /invalid duration/, 4],
    ['prefetch without %', [line([], [['prefetch', '1', '1m', '20']])], /percentage should be '%'/, 4],
    ['prefetch % range', [line([], [['prefetch', '1', '1m', '95%']])], /range \[10, 90\]: 95/, 4],
    ['serve_stale number', [line([], [['serve_stale', '20']])], /invalid duration/, 4],
    ['serve_stale negative', [line([], [['serve_stale', '-20m']])], /invalid duration/, 4],
    ['serve_stale mode', [line([], [['serve_stale', '1m', 'nono']])], /refresh mode: nono/, 4],
    ['serve_stale fractional TTL', [line([], [['serve_stale', '1h', 'immediate', '1500ms']])], /whole number of seconds/, 4],
    ['serve_stale recheck', [line([], [['serve_stale', '1h', 'immediate', '30s', '6m']])], /cannot exceed 5 minutes/, 4],
    ['serve_stale too many', [line([], [['serve_stale', '1h', 'immediate', '30s', '30s', '1s']])], /Wrong argument count/, 4],
    ['serve_stale_policy', [line([], [['serve_stale_policy', 'prefer_positive']])], /not supported/, 4],
    ['servfail too long', [line([], [['servfail', '6m']])], /over 5 minutes is not permitted/, 4],
    ['servfail args', [line([], [['servfail']])], /Wrong argument count/, 4],
    ['disable type', [line([], [['disable', 'both']])], /must be "success" or "denial"/, 4],
    ['keepttl args', [line([], [['keepttl', 'yes']])], /Wrong argument count/, 4],
  ])('rejects %s', (_n, ds, why, lineNo) => {
    let err: unknown;
    try {
      parseCache(ds, ['.']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(why);
    expect((err as Error).message).toContain(`plugin/cache: Corefile:${lineNo} - `);
  });
});
