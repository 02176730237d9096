import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Rcode, Type } from '../../dns/constants.js';
import { replyTo } from '../../dns/message.js';
import { coreHooks } from '../../core/router.js';
import { PluginError, type Next } from '../../plugin/handler.js';
import { makeRequest, runChain } from '../../plugin/testing.js';
import type { Level } from './consolidate.js';
import { ErrorsHandler, type ErrorsConfig } from './errors.js';
import { compileGoRegexp } from '../../plugin/go-regexp.js';

function setup(config: Partial<ErrorsConfig> = {}) {
  const lines: Array<[Level, string]> = [];
  const h = new ErrorsHandler({ stacktrace: false, patterns: [], ...config }, (l, s) => lines.push([l, s]));
  return { h, lines };
}

const throwing = (err: unknown): Next => async () => {
  throw err;
};

const pattern = (text: string, periodMs: number, level: Level = 'error', showFirst = false) => ({
  pattern: text, regexp: compileGoRegexp(text), periodMs, level, showFirst,
});

describe('errors handler', () => {
  it('passes a reply through untouched and logs nothing', async () => {
    const { h, lines } = setup();
    const req = makeRequest('example.org.', Type.A);
    const ok = replyTo(req.msg, Rcode.NOERROR);
    const got = await runChain([h], req, async () => ok);
    expect(got).toBe(ok);
    expect(lines).toEqual([]);
  });

  it.each([
    ['PluginError with its rcode', new PluginError('forward', 'no healthy upstreams'), Rcode.SERVFAIL, '2 example.org. A: plugin/forward: no healthy upstreams'],
    ['PluginError REFUSED', new PluginError('acl', 'blocked', Rcode.REFUSED), Rcode.REFUSED, '5 example.org. A: plugin/acl: blocked'],
    ['plain Error', new Error('kaboom'), Rcode.SERVFAIL, '2 example.org. A: kaboom'],
    ['thrown string', 'weird', Rcode.SERVFAIL, '2 example.org. A: weird'],
  ])('%s -> rcode and CoreDNS-style line', async (_n, err, rcode, line) => {
    const { h, lines } = setup();
    const req = makeRequest('Example.ORG.', Type.A);
    const reply = await runChain([h], req, throwing(err));
    expect(reply.rcode).toBe(rcode);
    expect(reply.qr).toBe(true);
    expect(reply.id).toBe(req.msg.id);
    expect(reply.question).toEqual(req.msg.question);
    expect(lines).toEqual([['error', line]]);
  });

  it('counts non-PluginErrors as panics and logs the stack with stacktrace', async () => {
    const seen: unknown[] = [];
    const saved = coreHooks.onPanic;
    coreHooks.onPanic = (e) => seen.push(e);
    try {
      const { h, lines } = setup({ stacktrace: true });
      const err = new TypeError('x is undefined');
      await runChain([h], makeRequest('a.b.', Type.AAAA), throwing(err));
      await runChain([h], makeRequest('a.b.', Type.AAAA), throwing(new PluginError('p', 'planned')));
      expect(seen).toEqual([err]);
      expect(lines[0]).toEqual(['error', '2 a.b. AAAA: x is undefined']);
      expect(lines[1]![1]).toContain('TypeError: x is undefined');
      expect(lines).toHaveLength(3);
    } finally {
      coreHooks.onPanic = saved;
    }
  });
});

describe('consolidate', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('summarises matching errors once per period at its level; others still log', async () => {
    const { h, lines } = setup({ patterns: [pattern('i/o timeout$', 30_000, 'warning')] });
    const req = makeRequest('example.org.', Type.A);
    for (let i = 0; i < 3; i++) await runChain([h], req, throwing(new PluginError('forward', 'read udp: i/o timeout')));
    await runChain([h], req, throwing(new PluginError('forward', 'other')));
    expect(lines).toEqual([['error', '2 example.org. A: plugin/forward: other']]);
    vi.advanceTimersByTime(30_000);
    expect(lines[1]).toEqual(['warning', "3 errors like 'i/o timeout$' occurred in last 30s"]);
    // A new period starts with the next error.
    await runChain([h], req, throwing(new PluginError('forward', 'read udp: i/o timeout')));
    vi.advanceTimersByTime(30_000);
    expect(lines[2]).toEqual(['warning', "1 errors like 'i/o timeout$' occurred in last 30s"]);
  });

  it('show_first logs the first error at the pattern level and summarises only when more came', async () => {
    const { h, lines } = setup({ patterns: [pattern('^plugin/forward', 300_000, 'info', true)] });
    const req = makeRequest('example.org.', Type.A);
    await runChain([h], req, throwing(new PluginError('forward', 'boom')));
    vi.advanceTimersByTime(300_000);
    expect(lines).toEqual([['info', '2 example.org. A: plugin/forward: boom']]);
    for (let i = 0; i < 2; i++) await runChain([h], req, throwing(new PluginError('forward', 'boom')));
    vi.advanceTimersByTime(300_000);
    expect(lines.slice(1)).toEqual([
      ['info', '2 example.org. A: plugin/forward: boom'],
      ['info', "2 errors like '^plugin/forward' occurred in last 5m0s"],
    ]);
  });

  it('stop flushes the pending summary and logs later errors directly', async () => {
    const { h, lines } = setup({ patterns: [pattern('boom', 60_000)] });
    const req = makeRequest('example.org.', Type.A);
    await runChain([h], req, throwing(new PluginError('x', 'boom')));
    await runChain([h], req, throwing(new PluginError('x', 'boom')));
    h.stop();
    expect(lines).toEqual([['error', "2 errors like 'boom' occurred in last 1m0s"]]);
    await runChain([h], req, throwing(new PluginError('x', 'boom')));
    expect(lines[1]).toEqual(['error', '2 example.org. A: plugin/x: boom']);
    expect(vi.getTimerCount()).toBe(0);
  });
});
