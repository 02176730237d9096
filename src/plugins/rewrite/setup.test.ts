import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../corefile/config-error.js';
import type { Directive } from '../../corefile/types.js';
import { compileGoRegexp, groupCount } from '../../plugin/go-regexp.js';
import { parseRewrite } from './setup.js';

const sub = (line: string, n: number): Directive => {
  const [name, ...args] = line.trim().split(/\s+/);
  return { file: 'Corefile', line: n, name: name!, args, block: null };
};
/** `rewrite ARGS` with optional block lines. */
const rw = (args: string, block?: string[]): Directive => ({
  file: 'Corefile', line: 10, name: 'rewrite', args: args ? args.split(' ') : [],
  block: block ? block.map((l, i) => sub(l, 11 + i)) : null,
});

describe('rewrite setup', () => {
  it.each([
    ['a bare name rule', [rw('name a.com b.com')], ['stop']],
    ['the block form', [rw('stop', ['name regex foo bar', 'answer name bar foo'])], ['stop']],
    ['the one-line form', [rw('stop name regex foo bar answer name bar foo')], ['stop']],
    ['continue in a block', [rw('continue', ['ttl regex (.*)\\.coredns\\.rocks 15'])], ['continue']],
    ['a block without mode', [rw('', ['name exact a.org b.org'])], ['stop']],
    ['every field', [rw('type ANY HINFO'), rw('class CH IN'), rw('continue ttl example.com. 30-300'), rw('rcode suffix example.com 2 NOERROR')], ['stop', 'stop', 'continue', 'stop']],
    ['answer keyword optional after the first', [rw('name regex (a)(b) {1}{2} answer name x y value p q')], ['stop']],
    ['Go flag syntax', [rw('name regex (?i)^(?P<host>.*)\\.Example\\.org$ {1}.example.net')], ['stop']],
  ])('accepts %s', (_n, dirs, modes) => {
    expect(parseRewrite(dirs).map((r) => r.mode)).toEqual(modes);
  });

  it.each([
    ['nothing', [rw('')], 'no rule type specified'],
    ['a field alone', [rw('name')], 'too few arguments for a name rule'],
    ['stop alone', [rw('stop')], 'stop rule must begin with a rule type'],
    ['continue alone', [rw('continue')], 'continue rule must begin with a rule type'],
    ['an answer first', [rw('stop', ['answer name bar foo', 'name regex foo bar'])], 'must begin with a name rule'],
    ['an incomplete answer', [rw('stop', ['name regex foo bar', 'answer name bar foo', 'name baz'])], '2 arguments required'],
    ['a bad regexp', [rw('stop name regex [bad[ bar answer name bar foo')], 'invalid regex matching pattern: [bad['],
    ['too many groups used', [rw('name regex (a) {1}{2}')], 'uses more subexpressions'],
    ['auto with answer name', [rw('name regex (a) b answer auto answer name x y')], 'cannot be combined'],
    ['junk after a name rule', [rw('name exact a b c d')], 'exceeded the number of arguments'],
    ['an unknown answer type', [rw('name exact a b answer foo')], 'invalid type "foo" for answer rule'],
    ['an unknown match type', [rw('name fuzzy a b')], 'supports only exact, prefix'],
    ['a bad type', [rw('type ANY BOGUS')], 'invalid type "BOGUS"'],
    ['a type rule with 3 args', [rw('type A AAAA MX')], 'exactly two arguments'],
    ['a bad class', [rw('class CH XX')], 'invalid class "XX"'],
    ['a bad ttl', [rw('ttl example.com. 30-20')], "invalid TTL '30-20'"],
    ['ttl dash', [rw('ttl example.com. -')], "invalid TTL '-'"],
    ['ttl too big', [rw('ttl example.com. 4294967296')], 'invalid TTL'],
    ['a bad ttl match', [rw('ttl fuzzy example.com. 30')], 'ttl rule supports only'],
    ['a bad rcode', [rw('rcode example.com. SERVFAIL NOPE')], "invalid replacement RCODE 'NOPE'"],
    ['rcode above 23', [rw('rcode example.com. 24 0')], "invalid matching RCODE '24'"],
    ['edns0', [rw('edns0 local set 0xffee abcd')], 'edns0 rules are not supported'],
    ['cname', [rw('cname exact a. b.')], 'cname rules are not supported'],
    ['an unknown field', [rw('zone a b')], 'invalid rule type "zone"'],
    ['a block after a full rule', [rw('name a b', ['answer auto'])], 'unexpected block'],
  ])('rejects %s', (_n, dirs, msg) => {
    let err: unknown;
    try {
      parseRewrite(dirs);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(msg);
    expect((err as Error).message).toMatch(/^plugin\/rewrite: Corefile:1\d - Error during parsing: /);
  });
});

describe('go regexp', () => {
  it.each([
    ['^a(b)(c)?$', 2], ['(?:x)(y)', 1], ['\\(no\\)', 0], ['(?P<n>a)', 1], ['[(]', 0],
  ])('%s has %d groups', (p, n) => {
    expect(groupCount(compileGoRegexp(p))).toBe(n);
  });

  it('translates flags and rejects what JS cannot do', () => {
    expect(compileGoRegexp('(?i)^ABC$').test('abc')).toBe(true);
    expect(() => compileGoRegexp('(?U)a+')).toThrow("unsupported flag 'U'");
    expect(() => compileGoRegexp('a'.repeat(10001))).toThrow('regex pattern too long: 10001 > 10000');
  });
});
