import { describe, expect, it } from 'vitest';
import { lookupName, mapSize, parseHosts, parseIP } from './hostsfile.js';

describe('parseIP', () => {
  it.each([
    ['10.0.0.1', { family: 1, ip: '10.0.0.1' }],
    ['::1', { family: 2, ip: '::1' }],
    ['FE80:0:0:0:0:0:0:1%eth0', { family: 2, ip: 'fe80::1' }],
    ['2001:db8:0:0:1:0:0:1', { family: 2, ip: '2001:db8::1:0:0:1' }],
    ['::ffff:192.0.2.1', { family: 1, ip: '192.0.2.1' }],
    ['010.0.0.1', undefined],
    ['256.0.0.1', undefined],
    ['10.0.0', undefined],
    ['localhost', undefined],
    ['1::2::3', undefined],
  ])('%s', (text, want) => {
    expect(parseIP(text)).toEqual(want);
  });
});

const HOSTS = `
# The following lines are desirable for IPv4 capable hosts
127.0.0.1       localhost
192.168.1.10    Example.COM            example   # trailing comment
::1             localhost ip6-localhost ip6-loopback
fdfc:a744:27b5:3b0e::1  example.com example
10.0.0.1 example.com
bogus line here
10.0.0.9
192.168.1.20    *.apps.example.com
10.9.9.9 elsewhere.net.
`;

describe('parseHosts', () => {
  const m = parseHosts(HOSTS, ['.'], true);

  it('collects every address of a name, in file order, names lower-cased', () => {
    expect(lookupName(m, 'example.com.', 1)).toEqual(['192.168.1.10', '10.0.0.1']);
    expect(lookupName(m, 'example.com.', 2)).toEqual(['fdfc:a744:27b5:3b0e::1']);
    expect(lookupName(m, 'example.', 1)).toEqual(['192.168.1.10']);
    expect(lookupName(m, 'localhost.', 2)).toEqual(['::1']);
  });

  it('builds the reverse map from every name of a line', () => {
    expect(m.addr.get('192.168.1.10')).toEqual(['example.com.', 'example.']);
    expect(m.addr.get('::1')).toEqual(['localhost.', 'ip6-localhost.', 'ip6-loopback.']);
    expect(m.addr.has('192.168.1.20')).toBe(false); // wildcards get no PTR
  });

  it('wildcards match exactly one more label, never the parent', () => {
    expect(lookupName(m, 'web.apps.example.com.', 1)).toEqual(['192.168.1.20']);
    expect(lookupName(m, 'apps.example.com.', 1)).toEqual([]);
    expect(lookupName(m, 'a.web.apps.example.com.', 1)).toEqual([]);
    expect(lookupName(m, 'web.apps.example.com.', 2)).toEqual([]);
  });

  it('skips names outside the zones and honours no_reverse', () => {
    const scoped = parseHosts(HOSTS, ['example.com.'], false);
    expect(lookupName(scoped, 'localhost.', 1)).toEqual([]);
    expect(lookupName(scoped, 'elsewhere.net.', 1)).toEqual([]);
    expect(lookupName(scoped, 'example.com.', 1)).toEqual(['192.168.1.10', '10.0.0.1']);
    expect(scoped.addr.size).toBe(0);
  });

  it('counts entries as CoreDNS does (forward + reverse)', () => {
    // forward: localhost(1) example.com(2) example(1) | v6: localhost, ip6-localhost, ip6-loopback, example.com, example (5) | wild 1 | elsewhere 1
    // reverse: 127.0.0.1(1) 192.168.1.10(2) ::1(3) fdfc(2) 10.0.0.1(1) 10.9.9.9(1)
    expect(mapSize(m)).toBe(4 + 5 + 1 + 1 + 10);
  });
});
