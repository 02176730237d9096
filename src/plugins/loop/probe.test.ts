import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Rcode, Type } from '../../dns/constants.js';
import { decode } from '../../dns/decode.js';
import { encode } from '../../dns/encode.js';
import { replyTo, type Msg } from '../../dns/message.js';
import { lower } from '../../dns/name.js';
import type { Logger } from '../../core/log.js';
import type { Directive } from '../../corefile/types.js';
import type { Handler, Next, Request } from '../../plugin/handler.js';
import { makeSetupContext, runChain } from '../../plugin/testing.js';
import { Loop } from './loop.js';
import { probe } from './probe.js';
import { loopPlugin, probeTarget } from './setup.js';
import { exchange } from './udp-client.js';

const quiet = pino({ level: 'silent' }) as Logger;
const sockets: Socket[] = [];
afterEach(() => {
  while (sockets.length) sockets.pop()!.close();
});

/** A loopback UDP DNS server running `chain` then `last` for every query. */
async function serve(chain: Handler[], last: Next): Promise<number> {
  const sock = createSocket('udp4');
  sockets.push(sock);
  sock.on('message', (buf, rinfo) => {
    const msg = decode(buf);
    const q = msg.question[0]!;
    const req: Request = {
      msg, qname: lower(q.name), name: q.name, qtype: q.type, qclass: q.class, do: false, size: 512, proto: 'udp', family: 1,
      remoteAddress: rinfo.address, remotePort: rinfo.port, localAddress: '127.0.0.1', localPort: 0, zone: '.', server: 'dns://:0',
    };
    runChain(chain, req, last).then((reply) => sock.send(encode(reply, 512), rinfo.port, rinfo.address), () => undefined);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return (sock.address() as AddressInfo).port;
}

const answer: Next = async (req) => replyTo(req.msg, Rcode.NOERROR);

describe('loop probe against a real UDP server', () => {
  it('no loop: one exchange, then the handler is disabled', async () => {
    const exits: number[] = [];
    const loop = new Loop('.', '11.22.', ':0', quiet, (c) => exits.push(c));
    const port = await serve([loop], answer);
    const attempts = await probe(loop, '127.0.0.1', port, new AbortController().signal);
    expect(attempts).toBe(1);
    expect(loop.disabled).toBe(true);
    expect(exits).toEqual([]);
  });

  it('forwarding to ourselves: the probe comes back and the process exits', async () => {
    const exits: number[] = [];
    const lines: string[] = [];
    const log = pino({ base: null }, new Writable({ write: (c: Buffer, _e, cb) => { lines.push(c.toString()); cb(); } })) as Logger;
    const loop = new Loop('.', '33.44.', ':53', log, (c) => exits.push(c));
    let port = 0;
    let hops = 0;
    // A "forward . 127.0.0.1" stand-in: sends the query on to the same server (bounded).
    const forwardToSelf: Next = async (req) => {
      if (exits.length || ++hops > 10) return replyTo(req.msg, Rcode.SERVFAIL);
      const reply = await exchange(req.msg, '127.0.0.1', port, { timeoutMs: 1000 });
      return { ...reply, id: req.msg.id };
    };
    port = await serve([loop], forwardToSelf);
    await probe(loop, '127.0.0.1', port, new AbortController().signal, { deadlineMs: 5000, retryMs: 50 });
    expect(exits).toEqual([1]);
    expect(hops).toBeLessThanOrEqual(3);
    expect(lines.join('')).toMatch(/Loop \(127\.0\.0\.1:\d+ -> :53\) detected for zone \\"\.\\", see https:\/\/coredns\.io\/plugins\/loop#troubleshooting\. Query: \\"HINFO 33\.44\.\\"/);
  });

  it('retries until the server listens', async () => {
    const loop = new Loop('.', '55.66.', ':0', quiet);
    const tmp = createSocket('udp4');
    await new Promise<void>((r) => tmp.bind(0, '127.0.0.1', r));
    const port = (tmp.address() as AddressInfo).port;
    tmp.close();
    let attempts = 0;
    const p = probe(loop, '127.0.0.1', port, new AbortController().signal, {
      retryMs: 30,
      exchange: async (q, h, pt, o) => {
        // Open the server after two refused attempts.
        if (++attempts === 3) {
          const sock = createSocket('udp4');
          sockets.push(sock);
          sock.on('message', (buf, r) => sock.send(encode(replyTo(decode(buf))), r.port, r.address));
          await new Promise<void>((r) => sock.bind(port, '127.0.0.1', r));
        }
        return exchange(q, h, pt, { ...o, timeoutMs: 500 });
      },
    });
    expect(await p).toBe(3);
    expect(loop.disabled).toBe(true);
  });

  it('gives up at the deadline, and stops at once on shutdown', async () => {
    const never = async () => { throw new Error('i/o timeout'); };
    const a = new Loop('.', '1.2.', ':0', quiet);
    const t0 = Date.now();
    const attempts = await probe(a, '127.0.0.1', 9, new AbortController().signal, { deadlineMs: 200, retryMs: 20, exchange: never });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(attempts).toBeGreaterThan(1);
    expect(a.disabled).toBe(true);

    const b = new Loop('.', '1.2.', ':0', quiet);
    const stop = new AbortController();
    const p = probe(b, '127.0.0.1', 9, stop.signal, { retryMs: 60_000, exchange: never });
    setTimeout(() => stop.abort(), 20);
    expect(await p).toBe(1);
    expect(b.disabled).toBe(true);
  });
});

describe('loop setup', () => {
  const d = (args: string[] = [], line = 5): Directive => ({ name: 'loop', args, block: null, file: 'Corefile', line });

  function ctx(zones: string[], port: number) {
    const startup: Array<() => void | Promise<void>> = [];
    const shutdown: Array<() => void | Promise<void>> = [];
    const { ctx: c } = makeSetupContext({
      block: { keys: zones, directives: [], file: 'Corefile', line: 1 }, zones, port, server: `dns://:${port}`,
      log: () => quiet, onStartup: (f) => startup.push(f), onShutdown: (f) => shutdown.push(f), keep: (_key, create) => create(),
    });
    return { c, startup, shutdown };
  }

  it('probes the first zone of the block at startup and disables itself', async () => {
    let probing: Promise<number> | undefined;
    const { c, startup } = ctx(['cluster.local.', 'in-addr.arpa.'], 0);
    const plugin = loopPlugin({ onProbe: (p) => (probing = p), probe: { exchange: async (q) => replyTo(q) } });
    const loop = (await plugin.setup([d()], c)) as Loop;
    expect(loop.zone).toBe('cluster.local.');
    expect(loop.qname).toMatch(/^\d{1,19}\.\d{1,19}\.cluster\.local\.$/);
    expect(loop.disabled).toBe(false);
    for (const f of startup) await f();
    expect(await probing).toBe(1);
    expect(loop.disabled).toBe(true);
  });

  it.each([
    ['dns://:53', 53, '127.0.0.1', ':53'],
    ['dns://10.0.0.10:1053', 1053, '10.0.0.10', '10.0.0.10:1053'],
    ['dns://[::1]:53', 53, '::1', '[::1]:53'],
  ])('probes %s at %s, named %s', (server, port, host, address) => {
    expect(probeTarget(server, port)).toEqual({ host, address });
  });

  it('uses two random labels under the root zone', async () => {
    const { c } = ctx(['.'], 53);
    const a = (await loopPlugin().setup([d()], c)) as Loop;
    const b = (await loopPlugin().setup([d()], c)) as Loop;
    expect(a.qname).toMatch(/^\d+\.\d+\.$/);
    expect(a.qname).not.toBe(b.qname);
  });

  it.each([
    ['an argument', [d(['x'])], /Corefile:5 - Error during parsing: Wrong argument count or unexpected line ending after 'x'/],
    ['twice', [d(), d([], 6)], /Corefile:6 - Error during parsing: plugin\/loop can only be used once per Server Block/],
    ['a block', [{ ...d(), block: [{ name: 'foo', args: [], block: null, file: 'Corefile', line: 6 }] }], /Corefile:6 - Error during parsing: unknown property 'foo'/],
  ])('rejects %s', async (_what, directives, msg) => {
    const { c } = ctx(['.'], 53);
    await expect(async () => loopPlugin().setup(directives, c)).rejects.toThrow(msg);
  });
});

describe('udp client', () => {
  it('ignores replies with another ID, returns the matching one', async () => {
    const sock = createSocket('udp4');
    sockets.push(sock);
    sock.on('message', (buf, r) => {
      const q = decode(buf);
      sock.send(encode({ ...replyTo(q), id: (q.id + 1) & 0xffff }), r.port, r.address);
      sock.send(Buffer.from('junk'), r.port, r.address);
      sock.send(encode(replyTo(q, Rcode.NXDOMAIN)), r.port, r.address);
    });
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    const q: Msg = { ...replyTo({ id: 0, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, ad: false, cd: false, rcode: 0, question: [{ name: 'a.', type: Type.A, class: 1 }], answer: [], ns: [], extra: [] }), qr: false };
    const reply = await exchange(q, '127.0.0.1', (sock.address() as AddressInfo).port, { timeoutMs: 1000 });
    expect(reply.rcode).toBe(Rcode.NXDOMAIN);
  });

  it('times out when nobody answers', async () => {
    const sock = createSocket('udp4');
    sockets.push(sock);
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    const q = replyTo({ id: 0, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, ad: false, cd: false, rcode: 0, question: [{ name: 'a.', type: Type.A, class: 1 }], answer: [], ns: [], extra: [] });
    await expect(exchange({ ...q, qr: false }, '127.0.0.1', (sock.address() as AddressInfo).port, { timeoutMs: 100 })).rejects.toThrow(/i\/o timeout/);
  });
});
