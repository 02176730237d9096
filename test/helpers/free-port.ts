/** A port free on 127.0.0.1 for both UDP and TCP (bound, then released): for tests and benchmarks. */
import dgram from 'node:dgram';
import net from 'node:net';
import { readFileSync } from 'node:fs';

/** The kernel's ephemeral range (outgoing connections take ports from it), default if unreadable. */
function ephemeralRange(): [number, number] {
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (lo! > 0 && hi! >= lo!) return [lo!, hi!];
  } catch {
    // not Linux
  }
  return [32768, 60999];
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const tcp = net.createServer();
    tcp.once('error', () => resolve(false));
    tcp.listen(port, '127.0.0.1', () => {
      const udp = dgram.createSocket('udp4');
      udp.once('error', () => tcp.close(() => resolve(false)));
      udp.bind(port, '127.0.0.1', () => udp.close(() => tcp.close(() => resolve(true))));
    });
  });
}

/**
 * A free port for DNS over UDP and TCP, picked at random BELOW the ephemeral range: a port handed
 * out from that range can be taken by any outgoing connection (of a parallel test) before the server
 * binds it. Best effort: another process may still take it before use.
 */
export async function freePort(): Promise<number> {
  const [lo] = ephemeralRange();
  const min = 10_000;
  const max = Math.max(min + 1000, lo - 1);
  for (let i = 0; i < 100; i++) {
    const port = min + Math.floor(Math.random() * (max - min));
    if (await bindable(port)) return port;
  }
  throw new Error('no free port');
}
