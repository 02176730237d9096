import { describe, expect, it } from 'vitest';
import { Class, Type } from '../../dns/constants.js';
import { decode } from '../../dns/decode.js';
import { encode } from '../../dns/encode.js';
import { newQuery } from '../../dns/message.js';
import type { Directive } from '../../corefile/types.js';
import type { SetupContext } from '../../plugin/setup.js';
import { makeRequest, runChain, terminal } from '../../plugin/testing.js';
import { plugin } from './setup.js';
import { WhoamiHandler } from './whoami.js';

describe('whoami', () => {
  it.each([
    ['IPv4 over UDP', 'example.org.', Type.A, {}, [
      { name: 'example.org.', type: Type.A, class: 1, ttl: 0, address: '10.0.0.1' },
      { name: '_udp.example.org.', type: Type.SRV, class: 1, ttl: 0, priority: 0, weight: 0, port: 40000, target: '.' },
    ]],
    ['case kept, IPv6 over TCP', 'Example.ORG.', Type.A, { proto: 'tcp' as const, family: 2 as const, remoteAddress: '2003::1', remotePort: 5353 }, [
      { name: 'Example.ORG.', type: Type.AAAA, class: 1, ttl: 0, address: '2003::1' },
      { name: '_tcp.Example.ORG.', type: Type.SRV, class: 1, ttl: 0, priority: 0, weight: 0, port: 5353, target: '.' },
    ]],
    ['the root, any type', '.', Type.MX, {}, [
      { name: '.', type: Type.A, class: 1, ttl: 0, address: '10.0.0.1' },
      { name: '_udp.', type: Type.SRV, class: 1, ttl: 0, priority: 0, weight: 0, port: 40000, target: '.' },
    ]],
    ['CH class is echoed', 'whoami.', Type.TXT, { msg: newQuery('whoami.', Type.TXT, { question: [{ name: 'whoami.', type: Type.TXT, class: Class.CH }] }), qclass: Class.CH }, [
      { name: 'whoami.', type: Type.A, class: Class.CH, ttl: 0, address: '10.0.0.1' },
      { name: '_udp.whoami.', type: Type.SRV, class: Class.CH, ttl: 0, priority: 0, weight: 0, port: 40000, target: '.' },
    ]],
  ])('%s', async (_n, name, type, over, extra) => {
    const last = terminal();
    const req = makeRequest(name, type, over);
    const reply = await runChain([new WhoamiHandler()], req, last);
    expect(last.calls).toHaveLength(0);
    expect(reply.rcode).toBe(0);
    expect(reply.aa).toBe(true);
    expect(reply.answer).toEqual([]);
    expect(reply.extra).toEqual(extra);
    expect(req.responder).toBe('whoami');
    // And it survives the wire.
    const back = decode(encode(reply));
    expect(back.extra.map((rr) => [rr.name, rr.type, rr.ttl])).toEqual(extra.map((rr) => [rr.name, rr.type, 0]));
  });

  it('setup takes no arguments', async () => {
    const d = (args: string[]): Directive => ({ file: 'Corefile', line: 4, name: 'whoami', args, block: null });
    const ctx = {} as SetupContext;
    expect(await plugin.setup([d([])], ctx)).toBeInstanceOf(WhoamiHandler);
    expect(() => plugin.setup([d(['x'])], ctx)).toThrow(/plugin\/whoami: Corefile:4 - Error during parsing: Wrong argument count/);
    expect(() => plugin.setup([d([]), d([])], ctx)).toThrow(/only be used once/);
  });
});
