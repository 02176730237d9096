import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from './api-client.js';

let server: http.Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

describe('ApiClient.list', () => {
  it('reads a page sent one byte at a time, multi-byte characters split between chunks included', async () => {
    const body = Buffer.from(JSON.stringify({
      kind: 'ServiceList', apiVersion: 'v1', metadata: { resourceVersion: '42', continue: 'next' },
      items: [{ metadata: { name: 'café', namespace: 'ns', annotations: { note: 'ünïcödé 🚀 名前' } } }],
    }));
    server = http.createServer(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      for (const byte of body) {
        res.write(Buffer.from([byte]));
        await new Promise((r) => setImmediate(r));
      }
      res.end();
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as AddressInfo;
    const client = new ApiClient({ server: `http://127.0.0.1:${port}`, applyTo: async () => {}, describe: 'test' });
    const page = await client.list('/api/v1/services', {}, new AbortController().signal);
    expect(page.resourceVersion).toBe('42');
    expect(page.continue).toBe('next');
    expect(page.items).toEqual([{ metadata: { name: 'café', namespace: 'ns', annotations: { note: 'ünïcödé 🚀 名前' } } }]);
  });
});
