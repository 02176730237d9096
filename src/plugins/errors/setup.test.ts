import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../corefile/config-error.js';
import type { Directive } from '../../corefile/types.js';
import { parseErrors } from './setup.js';

const line = (name: string, args: string[] = [], n = 2): Directive => ({ file: 'Corefile', line: n, name, args, block: null });
const errors = (args: string[] = [], block: Directive[] | null = null): Directive => ({ file: 'Corefile', line: 1, name: 'errors', args, block });

describe('errors setup', () => {
  it('parses the defaults and the block', () => {
    expect(parseErrors([errors()])).toEqual({ stacktrace: false, patterns: [] });
    expect(parseErrors([errors(['stdout'])]).stacktrace).toBe(false);
    const c = parseErrors([errors([], [
      line('stacktrace'),
      line('consolidate', ['5m', '.* i/o timeout$', 'warning']),
      line('consolidate', ['30s', '^Failed to .+', 'error', 'show_first']),
      line('consolidate', ['1s', '(?i)^BOOM']),
    ])]);
    expect(c.stacktrace).toBe(true);
    expect(c.patterns.map((p) => [p.periodMs, p.pattern, p.level, p.showFirst])).toEqual([
      [300_000, '.* i/o timeout$', 'warning', false],
      [30_000, '^Failed to .+', 'error', true],
      [1000, '(?i)^BOOM', 'error', false],
    ]);
    expect(c.patterns[2]!.regexp.test('boom here')).toBe(true);
  });

  it.each([
    ['used twice', [errors(), errors()], 'can only be used once'],
    ['a log file', [errors(['/var/log/x'])], 'invalid log file: /var/log/x'],
    ['too many args', [errors(['stdout', 'x'])], 'Wrong argument count'],
    ['unknown field', [errors([], [line('bogus')])], 'Unknown field bogus'],
    ['consolidate without regexp', [errors([], [line('consolidate', ['5m'])])], 'Wrong argument count'],
    ['bad duration', [errors([], [line('consolidate', ['5 minutes', 'x'])])], "invalid duration: '5 minutes'"],
    ['bad regexp', [errors([], [line('consolidate', ['5m', '([a-'])])], 'invalid regex pattern'],
    ['huge regexp', [errors([], [line('consolidate', ['5m', 'a'.repeat(10001)])])], 'regex pattern too long'],
    ['two levels', [errors([], [line('consolidate', ['5m', 'x', 'info', 'debug'])])], 'multiple log levels'],
    ['level after show_first', [errors([], [line('consolidate', ['5m', 'x', 'show_first', 'info'])])], 'must come before show_first'],
    ['unknown option', [errors([], [line('consolidate', ['5m', 'x', 'loud'])])], 'unknown option in consolidate: loud'],
  ])('rejects %s', (_n, dirs, msg) => {
    let err: unknown;
    try {
      parseErrors(dirs);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(msg);
    expect((err as Error).message).toMatch(/^plugin\/errors: Corefile:\d+ - Error during parsing: /);
  });
});
