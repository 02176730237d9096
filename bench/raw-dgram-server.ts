/**
 * The ceiling for a Node UDP server: a bare `dgram` socket answering precomputed reply bytes (the
 * question section is the key, the query's ID is patched in). No parsing, no chain, no encoding.
 * It takes the transport shortcuts clusterdns's listener takes (src/dns/udp-server.ts), so that it
 * stays a ceiling: the sender's address goes back without Node's per-send lookup tick, the reply is
 * written into one reused buffer while Node's send queue is empty (the kernel copies it at once),
 * and the socket asks for the same receive buffer.
 * `node bench/raw-dgram-server.ts --replies FILE [--port P]`; FILE is written by lib/capture.ts.
 * Prints `raw-dgram listening on PORT (N replies)`; on SIGTERM prints the queries it had no reply for.
 */
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readReplies } from './lib/capture.ts';

const { values } = parseArgs({ options: { replies: { type: 'string' }, port: { type: 'string', default: '0' } }, strict: true });
if (!values.replies) {
  process.stderr.write('raw-dgram-server: --replies FILE is required\n');
  process.exit(2);
}
const replies = readReplies(readFileSync(values.replies));
let misses = 0;
// Replies only go to the address a datagram came from: a literal, handed back at once.
const lookup = (address: string, family: number, cb: (err: Error | null, address: string, family: number) => void): void => cb(null, address, family);
const sock = dgram.createSocket({ type: 'udp4', lookup: lookup as never });
const reused = Buffer.allocUnsafe(65536);
sock.on('message', (msg, rinfo) => {
  if (msg.length <= 12) return;
  const stored = replies.get(msg.toString('latin1', 12));
  if (!stored) {
    misses++;
    return;
  }
  const out = sock.getSendQueueCount() === 0 ? reused.subarray(0, stored.length) : Buffer.allocUnsafe(stored.length);
  stored.copy(out);
  out[0] = msg[0]!;
  out[1] = msg[1]!;
  sock.send(out, rinfo.port, rinfo.address);
});
sock.bind(Number(values.port), '127.0.0.1', () => {
  // The receive buffer clusterdns's listener asks for (RECV_BUFFER_BYTES): same drops, same queueing.
  sock.setRecvBufferSize(4 << 20);
  process.stdout.write(`raw-dgram listening on ${sock.address().port} (${replies.size} replies)\n`);
});
process.once('SIGTERM', () => {
  process.stdout.write(`raw-dgram misses ${misses}\n`);
  sock.close(() => process.exit(0));
});
