import { describe, expect, it } from 'vitest';
import { SelectorError, matchLabels, parseLabelSelector } from './label-selector.ts';

const labels = { app: 'web', tier: 'front', 'example.com/team': 'dns', n: '5' };

describe('label selectors (apimachinery labels.Parse semantics)', () => {
  it.each([
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app=db', false],
    ['app!=db', true],
    ['app!=web', false],
    ['missing!=x', true], // != matches objects without the label
    ['app in (web,db)', true],
    ['app in (db)', false],
    ['app notin (db, cache)', true],
    ['app notin (web)', false],
    ['missing notin (x)', true],
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['app=web,tier=front', true],
    ['app=web,tier=back', false],
    [' app = web , !missing ', true],
    ['example.com/team=dns', true],
    ['n>4', true],
    ['n>5', false],
    ['n<6', true],
    ['missing=', false],
  ])('%j -> %s', (sel, want) => {
    expect(matchLabels(parseLabelSelector(sel), labels)).toBe(want);
  });

  it('an empty value matches a label set to the empty string', () => {
    expect(matchLabels(parseLabelSelector('e='), { e: '' })).toBe(true);
    expect(matchLabels(parseLabelSelector('e='), {})).toBe(false);
  });

  it('parses `key=` as equality with the empty value', () => {
    expect(parseLabelSelector('app=')).toEqual([{ key: 'app', op: '=', values: [''] }]);
  });

  it.each(['app in ()', 'app in (a', '=x', 'app=a b', 'app=web,', 'bad key=x', 'app=-x', 'app notin', 'n>x', 'a/b/c=1'])(
    'rejects %j with a SelectorError',
    (sel) => {
      expect(() => parseLabelSelector(sel)).toThrow(SelectorError);
    },
  );
});
