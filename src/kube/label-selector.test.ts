import { describe, expect, it } from 'vitest';
import { parseLabelSelector } from './label-selector.js';

describe('parseLabelSelector', () => {
  it.each([
    ['a=b', { a: 'b' }, true],
    ['a==b', { a: 'c' }, false],
    ['a!=b', {}, true],
    ['a!=b', { a: 'b' }, false],
    ['a', { a: '' }, true],
    ['!a', { a: 'x' }, false],
    ['env in (staging, qa),app=nginx', { env: 'qa', app: 'nginx' }, true],
    ['env in (staging, qa),app=nginx', { env: 'prod', app: 'nginx' }, false],
    ['env notin (prod)', { env: 'qa' }, true],
    ['example.com/team=x', { 'example.com/team': 'x' }, true],
    ['', { anything: 'x' }, true],
  ])('%j matches %j: %s', (text, labels, want) => {
    expect(parseLabelSelector(text).matches(labels)).toBe(want);
  });

  it.each(['a=b=c', 'a>1', 'a in (b', ',', 'a=b,', 'Bad_Prefix!/x=y', '-a=b', `a=${'x'.repeat(64)}`])('rejects %j', (text) => {
    expect(() => parseLabelSelector(text)).toThrow();
  });
});
