/**
 * The startup probe (CoreDNS plugin/loop/setup.go): send the HINFO probe to our own address until
 * one exchange completes or 30 s pass, then disable the handler. A failed attempt (server not yet
 * listening, timeout) resets the count and retries after a second.
 */
import { Type } from '../../dns/constants.js';
import { newQuery, type Msg } from '../../dns/message.js';
import type { Loop } from './loop.js';
import { exchange as udpExchange } from './udp-client.js';

/** How to send one probe; the UDP client by default. */
export type Exchange = (query: Msg, host: string, port: number, opts: { signal: AbortSignal }) => Promise<Msg>;

/** Timing of the probe; CoreDNS's values by default. */
export interface ProbeOptions {
  deadlineMs?: number;
  retryMs?: number;
  exchange?: Exchange;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

/**
 * Probes `host`:`port` for `loop` until success, the deadline, or `signal` aborts (shutdown);
 * the handler is disabled in every case. Resolves with the number of attempts.
 */
export async function probe(loop: Loop, host: string, port: number, signal: AbortSignal, opts: ProbeOptions = {}): Promise<number> {
  const deadline = Date.now() + (opts.deadlineMs ?? 30_000);
  const send = opts.exchange ?? ((q, h, p, o) => udpExchange(q, h, p, o));
  const query = newQuery(loop.qname, Type.HINFO);
  let attempts = 0;
  try {
    while (!signal.aborted && Date.now() < deadline) {
      attempts++;
      try {
        await send(query, host, port, { signal });
        return attempts;
      } catch {
        loop.reset();
        await sleep(opts.retryMs ?? 1_000, signal);
      }
    }
    return attempts;
  } finally {
    loop.disable();
  }
}
