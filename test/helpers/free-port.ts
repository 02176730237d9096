/** A port free on 127.0.0.1 for both UDP and TCP (bound, then released): for tests and benchmarks. */
import dgram from 'node:dgram';
import net from 'node:net';

/** A free port for DNS over UDP and TCP (best effort: another process may take it before use). */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const tcp = net.createServer();
    const port = await new Promise<number>((res, rej) => {
      tcp.once('error', rej);
      tcp.listen(0, '127.0.0.1', () => res((tcp.address() as net.AddressInfo).port));
    });
    const udp = dgram.createSocket('udp4');
    const ok = await new Promise<boolean>((res) => {
      udp.once('error', () => res(false));
      udp.bind(port, '127.0.0.1', () => res(true));
    });
    await new Promise<void>((r) => tcp.close(() => r()));
    await new Promise<void>((r) => { try { udp.close(() => r()); } catch { r(); } });
    if (ok) return port;
  }
  throw new Error('no free port');
}
