import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../corefile/config-error.js';
import type { Directive } from '../../corefile/types.js';
import { Rcode } from '../../dns/constants.js';
import { parseForward, parseStanza } from './config.js';

/** `forward ARGS { sub lines }` starting at line 10; sub-directive i sits on line 11 + i. */
function fwd(args: string[], block?: string[][]): Directive {
  return {
    name: 'forward', args, file: 'Corefile', line: 10,
    block: block ? block.map(([name, ...a], i) => ({ name: name!, args: a, block: null, file: 'Corefile', line: 11 + i })) : null,
  };
}

describe('forward config', () => {
  it('has CoreDNS defaults', () => {
    const c = parseStanza(fwd(['.', '10.0.0.1']));
    expect(c).toMatchObject({
      from: '.', ignored: [], forceTcp: false, preferUdp: false, expire: 10_000, readTimeout: 2000, maxFails: 2,
      maxConnectAttempts: undefined, hcInterval: 500, hcRecursionDesired: true, hcDomain: '.', policy: 'random',
      maxConcurrent: 0, next: [], failover: [],
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('parses every option', () => {
    const c = parseStanza(fwd(['Example.ORG', '10.0.0.1', '10.0.0.2:1053'], [
      ['except', 'a.example.org', 'B.example.org'],
      ['force_tcp'], ['prefer_udp'], ['expire', '30s'], ['max_fails', '3'], ['max_idle_conns', '4'],
      ['read_timeout', '1500ms'], ['max_connect_attempts', '5'],
      ['health_check', '2s', 'no_rec', 'domain', 'Health.example.'],
      ['policy', 'round_robin'], ['max_concurrent', '100'], ['next', 'NXDOMAIN', 'servfail'],
      ['next_on_nodata'], ['failover', 'REFUSED'], ['failfast_all_unhealthy_upstreams'],
    ]));
    expect(c).toMatchObject({
      from: 'example.org.', ignored: ['a.example.org.', 'b.example.org.'], forceTcp: true, preferUdp: true,
      expire: 30_000, maxFails: 3, maxIdleConns: 4, readTimeout: 1500, maxConnectAttempts: 5, hcInterval: 2000,
      hcRecursionDesired: false, hcDomain: 'health.example.', policy: 'round_robin', maxConcurrent: 100,
      next: [Rcode.NXDOMAIN, Rcode.SERVFAIL], nextOnNodata: true, failover: [Rcode.REFUSED], failfastAllUnhealthy: true,
    });
    expect(c.upstreams.map((u) => u.addr)).toEqual(['10.0.0.1:53', '10.0.0.2:1053']);
  });

  it('takes the first zone of a CIDR FROM and warns', () => {
    const warnings: string[] = [];
    const c = parseStanza(fwd(['10.0.0.0/15', '10.0.0.1']), undefined, (m) => warnings.push(m));
    expect(c.from).toBe('0.10.in-addr.arpa.');
    expect(warnings[0]).toMatch(/Unsupported CIDR notation/);
  });

  it('parses several stanzas in order', () => {
    const cs = parseForward([fwd(['a.example', '10.0.0.1']), fwd(['.', '10.0.0.2'])]);
    expect(cs.map((c) => c.from)).toEqual(['a.example.', '.']);
  });

  it.each<[string, Directive, RegExp, number]>([
    ['no TO', fwd(['.']), /Wrong argument count/, 10],
    ['no FROM', fwd([]), /Wrong argument count/, 10],
    ['empty except', fwd(['.', '10.0.0.1'], [['except']]), /Wrong argument count/, 11],
    ['force_tcp with arg', fwd(['.', '10.0.0.1'], [['force_tcp', 'yes']]), /Wrong argument count/, 11],
    ['bad expire', fwd(['.', '10.0.0.1'], [['expire', '-1s']]), /invalid duration/, 11],
    ['bad max_fails', fwd(['.', '10.0.0.1'], [['max_fails', 'x']]), /not a number/, 11],
    ['negative max_concurrent', fwd(['.', '10.0.0.1'], [['max_concurrent', '-1']]), /out of range/, 11],
    ['zero read_timeout', fwd(['.', '10.0.0.1'], [['read_timeout', '0']]), /read_timeout must be positive/, 11],
    ['unknown policy', fwd(['.', '10.0.0.1'], [['expire', '1s'], ['policy', 'fastest']]), /unknown policy 'fastest'/, 12],
    ['bad hc option', fwd(['.', '10.0.0.1'], [['health_check', '1s', 'fast']]), /health_check: unknown option fast/, 11],
    ['hc domain missing', fwd(['.', '10.0.0.1'], [['health_check', '1s', 'domain']]), /Wrong argument count/, 11],
    ['bad hc domain', fwd(['.', '10.0.0.1'], [['health_check', '1s', 'domain', `${'a'.repeat(64)}.org`]]), /invalid domain name/, 11],
    ['bad rcode', fwd(['.', '10.0.0.1'], [['next', 'NOPE']]), /NOPE is not a valid rcode/, 11],
    ['failover NOERROR', fwd(['.', '10.0.0.1'], [['failover', 'NOERROR']]), /NoError cannot be used in failover/, 11],
    ['tls option', fwd(['.', '10.0.0.1'], [['tls', 'cert', 'key']]), /'tls' is not supported/, 11],
    ['tls_servername', fwd(['.', '10.0.0.1'], [['tls_servername', 'dns.quad9.net']]), /'tls_servername' is not supported/, 11],
    ['unknown property', fwd(['.', '10.0.0.1'], [['bogus']]), /unknown property 'bogus'/, 11],
    ['tls target', fwd(['.', 'tls://9.9.9.9']), /DNS-over-TLS upstreams are not supported/, 10],
  ])('rejects %s', (_name, d, why, lineNo) => {
    let err: unknown;
    try {
      parseStanza(d, () => '');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(why);
    expect((err as Error).message).toContain(`plugin/forward: Corefile:${lineNo} - `);
  });
});
