import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Type } from '../../dns/constants.js';
import type { Logger } from '../../core/log.js';
import { makeRequest, runChain, terminal } from '../../plugin/testing.js';
import { Loop } from './loop.js';

/** A pino logger whose records land in `lines`. */
function captureLog(): { log: Logger; lines: Array<{ level: number; msg: string }> } {
  const lines: Array<{ level: number; msg: string }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
      cb();
    },
  });
  return { log: pino({ base: null }, stream) as Logger, lines };
}

const QNAME = '4547991504243258144.3688648895315093531.';

function setup(zone = '.', qname = QNAME) {
  const exits: number[] = [];
  const { log, lines } = captureLog();
  const loop = new Loop(zone, qname, ':1053', log, (code) => exits.push(code));
  const next = terminal();
  const ask = (name: string, type: number = Type.HINFO, over = {}) => runChain([loop], makeRequest(name, type, { remoteAddress: '127.0.0.1', remotePort: 55953, ...over }), next);
  return { loop, exits, lines, next, ask };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('loop handler', () => {
  it('exits with CoreDNS\'s fatal message when the probe comes back a third time', async () => {
    const t = setup();
    await t.ask(QNAME);
    await t.ask(QNAME);
    expect(t.exits).toEqual([]);
    await t.ask(QNAME);
    await flush();
    expect(t.exits).toEqual([1]);
    expect(t.lines.find((l) => l.level === 60)?.msg).toBe(
      `Loop (127.0.0.1:55953 -> :1053) detected for zone ".", see https://coredns.io/plugins/loop#troubleshooting. Query: "HINFO ${QNAME}"`,
    );
    // Every query still went down the chain, and the exit happens once.
    await t.ask(QNAME);
    expect(t.next.calls).toHaveLength(4);
    expect(t.exits).toEqual([1]);
  });

  it('matches the probe name case-insensitively and writes an IPv6 peer in brackets', async () => {
    const t = setup('cluster.local.', `1.2.cluster.local.`);
    for (let i = 0; i < 3; i++) await t.ask('1.2.CLUSTER.local.', Type.HINFO, { remoteAddress: '::1', remotePort: 53000 });
    await flush();
    expect(t.exits).toEqual([1]);
    expect(t.lines.at(-1)?.msg).toMatch(/^Loop \(\[::1\]:53000 -> :1053\) detected for zone "cluster.local."/);
  });

  it.each([
    ['another type', QNAME, Type.A],
    ['another HINFO name', 'other.name.', Type.HINFO],
  ])('does not count %s', async (_what, name, type) => {
    const t = setup();
    for (let i = 0; i < 5; i++) await t.ask(name, type);
    expect(t.exits).toEqual([]);
    expect(t.next.calls).toHaveLength(5);
  });

  it('does not count outside its zone', async () => {
    const t = setup('cluster.local.', '1.2.cluster.local.');
    for (let i = 0; i < 5; i++) await t.ask('1.2.example.', Type.HINFO);
    expect(t.exits).toEqual([]);
  });

  it('forgets sightings on reset and stops counting once disabled', async () => {
    const t = setup();
    await t.ask(QNAME);
    await t.ask(QNAME);
    t.loop.reset();
    await t.ask(QNAME);
    await t.ask(QNAME);
    t.loop.disable();
    expect(t.loop.disabled).toBe(true);
    for (let i = 0; i < 5; i++) await t.ask(QNAME);
    expect(t.exits).toEqual([]);
    expect(t.next.calls).toHaveLength(9);
  });
});
