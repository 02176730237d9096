import dgram from 'node:dgram';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { UdpServer } from './udp-server.js';

const log = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let client: dgram.Socket | undefined;
afterEach(() => {
  client?.close();
  client = undefined;
});

async function ask(port: number, bytes: Buffer): Promise<Buffer[]> {
  client = dgram.createSocket('udp4');
  const got: Buffer[] = [];
  client.on('message', (m) => got.push(m));
  await new Promise<void>((r) => client!.bind(0, '127.0.0.1', () => r()));
  client.send(bytes, port, '127.0.0.1');
  return got;
}

describe('UdpServer close', () => {
  it('sends the replies of queries still in flight before closing', async () => {
    const srv = new UdpServer({ host: '127.0.0.1', port: 0, log }, (msg) => sleep(200).then(() => msg));
    await srv.listen();
    const got = await ask(srv.port, Buffer.from('slow answer'));
    await sleep(30);
    const t0 = performance.now();
    await srv.close();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(100);
    await sleep(30);
    expect(got.map(String)).toEqual(['slow answer']);
  });

  it('gives up waiting after drainMs, and closes at once when nothing is in flight', async () => {
    const stuck = new UdpServer({ host: '127.0.0.1', port: 0, log }, () => new Promise<Buffer | null>(() => {}));
    await stuck.listen();
    await ask(stuck.port, Buffer.from('never answered'));
    await sleep(30);
    let t0 = performance.now();
    await stuck.close(150);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    expect(performance.now() - t0).toBeLessThan(1000);

    const idle = new UdpServer({ host: '127.0.0.1', port: 0, log }, (msg) => msg);
    await idle.listen();
    t0 = performance.now();
    await idle.close();
    expect(performance.now() - t0).toBeLessThan(50);
  });
});
