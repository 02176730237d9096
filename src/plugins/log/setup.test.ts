import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../corefile/config-error.js';
import type { Directive } from '../../corefile/types.js';
import { COMBINED_LOG_FORMAT, COMMON_LOG_FORMAT } from './format.js';
import { parseLog } from './setup.js';

const sub = (name: string, args: string[]): Directive => ({ file: 'Corefile', line: 3, name, args, block: null });
const log = (args: string[], block: Directive[] | null = null): Directive => ({ file: 'Corefile', line: 2, name: 'log', args, block });
const view = (d: Directive[]) => parseLog(d).map((r) => [r.scope, r.format, [...r.classes].sort()]);

describe('log setup', () => {
  it.each([
    ['no arguments', [log([])], [['.', COMMON_LOG_FORMAT, ['all']]]],
    ['one name', [log(['Example.ORG'])], [['example.org.', COMMON_LOG_FORMAT, ['all']]]],
    ['name and {common}', [log(['example.org.', '{common}'])], [['example.org.', COMMON_LOG_FORMAT, ['all']]]],
    ['name and {combined}', [log(['example.org', '{combined}'])], [['example.org.', COMBINED_LOG_FORMAT, ['all']]]],
    ['a lone format', [log(['{combined}'])], [['.', COMBINED_LOG_FORMAT, ['all']]]],
    ['two names, custom format', [log(['a.org', 'b.net', '{when} {common}'])], [
      ['a.org.', `{when} ${COMMON_LOG_FORMAT}`, ['all']], ['b.net.', `{when} ${COMMON_LOG_FORMAT}`, ['all']],
    ]],
    ['two names, no format', [log(['a.org', 'b.net'])], [['a.org.', COMMON_LOG_FORMAT, ['all']], ['b.net.', COMMON_LOG_FORMAT, ['all']]]],
    ['class lines OR together', [log([], [sub('class', ['denial']), sub('class', ['error', 'denial'])])], [['.', COMMON_LOG_FORMAT, ['denial', 'error']]]],
    ['two log lines keep their order', [log(['a.org']), log(['.', '{name}'], [sub('class', ['success'])])], [
      ['a.org.', COMMON_LOG_FORMAT, ['all']], ['.', '{name}', ['success']],
    ]],
  ])('%s', (_n, dirs, want) => {
    expect(view(dirs)).toEqual(want);
  });

  it.each([
    ['an unknown class', [log([], [sub('class', ['abracadabra'])])], 'invalid Class: abracadabra'],
    ['class without values', [log([], [sub('class', [])])], 'Wrong argument count'],
    ['an unknown property', [log([], [sub('unknown', [])])], "unknown property 'unknown'"],
  ])('rejects %s', (_n, dirs, msg) => {
    expect(() => parseLog(dirs)).toThrow(ConfigError);
    expect(() => parseLog(dirs)).toThrow(msg);
  });
});
