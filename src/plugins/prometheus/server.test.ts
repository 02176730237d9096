/** prometheus (and loop's probe) inside the real core server: sockets, router, reload. */
import { freePort } from '../../../test/helpers/free-port.js';
import { get } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Rcode, Type } from '../../dns/constants.js';
import { newQuery } from '../../dns/message.js';
import { Server } from '../../core/server.js';
import { exchange } from '../loop/udp-client.js';

// The core imports plugins by a computed path, which vitest cannot follow to the .ts sources.
vi.mock('../../plugins.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../plugins.js')>();
  const ours: Record<string, () => Promise<{ plugin: unknown }>> = {
    prometheus: () => import('./setup.js'),
    loop: () => import('../loop/setup.js'),
  };
  return {
    ...actual,
    loadPlugin: async (name: string) => {
      const load = ours[name];
      if (!load) throw new Error(`plugin ${name} not loaded in this test`);
      return (await load()).plugin;
    },
  };
});


function scrape(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path: '/metrics', agent: false, timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

/** The value of the one sample whose line contains every fragment, or undefined. */
function sample(text: string, name: string, ...fragments: string[]): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && fragments.every((f) => l.includes(f)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

let server: Server | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe('prometheus in the server', () => {
  it('counts real queries, keeps its socket across a reload, and sees loop\'s probe', async () => {
    const dnsPort = await freePort();
    const metricsPort = await freePort();
    const corefile = `.:${dnsPort} {\n    prometheus 127.0.0.1:${metricsPort}\n    loop\n}\n`;
    server = new Server({ defaultPort: 53 });
    await server.start(corefile, 'Corefile');

    // Nothing answers after prometheus and loop: the chain ends in SERVFAIL.
    const reply = await exchange(newQuery('example.org.', Type.A), '127.0.0.1', dnsPort, { timeoutMs: 2000 });
    expect(reply.rcode).toBe(Rcode.SERVFAIL);

    const srv = `server="dns://:${dnsPort}"`;
    let text = await scrape(metricsPort);
    expect(sample(text, 'coredns_dns_requests_total', srv, 'zone="."', 'type="A"', 'proto="udp"', 'family="1"')).toBe(1);
    expect(sample(text, 'coredns_dns_responses_total', srv, 'rcode="SERVFAIL"', 'plugin=""')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'coredns_plugin_enabled', srv, 'name="loop"')).toBe(1);

    // loop's startup probe (HINFO, type "other") reaches us over the real socket.
    const deadline = Date.now() + 5000;
    while (sample(text, 'coredns_dns_requests_total', srv, 'type="other"') === undefined && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      text = await scrape(metricsPort);
    }
    expect(sample(text, 'coredns_dns_requests_total', srv, 'type="other"')).toBe(1);

    await server.reload(corefile.replace('    loop\n', ''), 'Corefile');
    text = await scrape(metricsPort);
    expect(sample(text, 'coredns_plugin_enabled', srv, 'name="loop"')).toBeUndefined();
    expect(sample(text, 'coredns_dns_requests_total', srv, 'type="A"')).toBe(1);
  });
});
