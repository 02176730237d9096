/** A one-shot DNS-over-UDP exchange (what miekg/dns's dns.Exchange does for the loop probe). */
import { createSocket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { decode } from '../../dns/decode.js';
import { encode } from '../../dns/encode.js';
import type { Msg } from '../../dns/message.js';

/** dns.Exchange's default read timeout. */
export const DEFAULT_TIMEOUT_MS = 2_000;

/**
 * Sends `query` (with a fresh random ID) to `host`:`port` and resolves with the first reply that
 * carries the same ID and question. Rejects on timeout, socket error (ICMP port unreachable shows
 * up as ECONNREFUSED on the connected socket) or abort.
 */
export function exchange(query: Msg, host: string, port: number, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<Msg> {
  const msg: Msg = { ...query, id: randomInt(0x10000) };
  const q = msg.question[0];
  const wire = encode(msg);
  return new Promise((resolve, reject) => {
    const sock = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    let done = false;
    const finish = (err: Error | null, reply?: Msg) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      sock.close();
      if (err) reject(err);
      else resolve(reply!);
    };
    const onAbort = () => finish(new Error('exchange aborted'));
    const timer = setTimeout(() => finish(new Error(`read udp ${host}:${port}: i/o timeout`)), opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    if (opts.signal?.aborted) return finish(new Error('exchange aborted'));
    opts.signal?.addEventListener('abort', onAbort);
    sock.on('error', (err) => finish(err));
    sock.on('message', (buf) => {
      let reply: Msg;
      try {
        reply = decode(buf);
      } catch {
        return; // not a DNS reply: keep waiting, as miekg/dns does for a bad packet
      }
      const rq = reply.question[0];
      if (reply.id !== msg.id || !reply.qr) return;
      if (q && rq && (rq.type !== q.type || rq.name.toLowerCase() !== q.name.toLowerCase())) return;
      finish(null, reply);
    });
    sock.connect(port, host, () => {
      if (done) return;
      sock.send(wire, (err) => {
        if (err) finish(err);
      });
    });
  });
}
