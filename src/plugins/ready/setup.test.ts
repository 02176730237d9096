import { afterEach, describe, expect, it } from 'vitest';
import type { Directive } from '../../corefile/types.js';
import type { HttpListener } from '../../plugin/http-listener.js';
import { makeSetupContext } from '../../plugin/testing.js';
import { plugin } from './setup.js';

const line = (args: string[]): Directive => ({ name: 'ready', args, block: null, file: 'Corefile', line: 3 });

async function get(port: number): Promise<{ status: number; body: string }> {
  const r = await fetch(`http://127.0.0.1:${port}/ready`);
  return { status: r.status, body: await r.text() };
}

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

describe('ready', () => {
  it('503 names the plugins not ready, sorted and comma separated as CoreDNS; then 200 OK; 503 while stopping', async () => {
    const t = makeSetupContext();
    stop = t.stop;
    const flags = { kubernetes: false, alpha: false };
    t.ctx.lifecycle.readiness.set('kubernetes', [() => flags.kubernetes]);
    t.ctx.lifecycle.readiness.set('alpha', [() => flags.alpha]);
    plugin.setup([line(['127.0.0.1:0'])], t.ctx);
    await t.start();
    const port = ([...t.kept.values()][0] as HttpListener).port;
    expect(await get(port)).toEqual({ status: 503, body: 'alpha,kubernetes' });
    flags.alpha = true;
    expect(await get(port)).toEqual({ status: 503, body: 'kubernetes' });
    flags.kubernetes = true;
    expect(await get(port)).toEqual({ status: 200, body: 'OK' });
    // Once ready, a plugin is not asked again (CoreDNS).
    flags.kubernetes = false;
    expect(await get(port)).toEqual({ status: 200, body: 'OK' });
    t.ctx.lifecycle.stopping = true;
    expect(await get(port)).toEqual({ status: 503, body: 'shutting down' });
  });

  it('rejects extra arguments and a bad address', () => {
    const t = makeSetupContext();
    expect(() => plugin.setup([line(['a:1', 'b:2'])], t.ctx)).toThrow(/Corefile:3/);
    expect(() => plugin.setup([line(['nonsense'])], t.ctx)).toThrow(/invalid address 'nonsense'/);
  });
});
