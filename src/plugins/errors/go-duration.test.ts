import { describe, expect, it } from 'vitest';
import { goDuration } from './go-duration.js';

describe('goDuration', () => {
  it.each([
    [0, '0s'], [0.0005, '500ns'], [0.0015, '1.5µs'], [250, '250ms'], [1.5, '1.5ms'], [1000, '1s'],
    [1500, '1.5s'], [30_000, '30s'], [90_000, '1m30s'], [300_000, '5m0s'], [3_600_000, '1h0m0s'],
    [3_723_500, '1h2m3.5s'], [-2000, '-2s'],
  ])('%d ms -> %s', (ms, text) => {
    expect(goDuration(ms)).toBe(text);
  });
});
