/**
 * The upstream the kubeadm chain's `forward` points at during benchmarks (instead of
 * /etc/resolv.conf: no traffic leaves the machine). UDP on 127.0.0.1, answers every query
 * NXDOMAIN with RA set. Standalone: `node bench/stub-upstream.ts [--port P]` prints its address.
 */
import dgram from 'node:dgram';

/** A running stub. */
export interface StubUpstream {
  readonly addr: string;
  /** Queries seen (the kubeadm mix sends none: only `loop`'s startup probe lands here). */
  readonly queries: () => number;
  close(): Promise<void>;
}

/** Starts the stub on 127.0.0.1:`port` (0 = any free port). */
export function startStubUpstream(port = 0): Promise<StubUpstream> {
  const sock = dgram.createSocket('udp4');
  let seen = 0;
  sock.on('message', (q, rinfo) => {
    if (q.length < 12 || (q[2]! & 0x80) !== 0) return;
    seen++;
    const r = Buffer.from(q);
    r[2] = 0x80 | (q[2]! & 0x79); // QR, keep opcode and RD
    r[3] = 0x80 | 3; // RA, NXDOMAIN
    r.writeUInt16BE(0, 6); // no answers, no authority, no additional (drops any OPT the query had)
    r.writeUInt16BE(0, 8);
    r.writeUInt16BE(0, 10);
    const end = questionEnd(q);
    if (end < 0) return;
    sock.send(r.subarray(0, end), rinfo.port, rinfo.address);
  });
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(port, '127.0.0.1', () => {
      sock.off('error', reject);
      const a = sock.address();
      resolve({
        addr: `${a.address}:${a.port}`,
        queries: () => seen,
        close: () => new Promise((res) => sock.close(() => res())),
      });
    });
  });
}

/** Offset just past the first question, or -1 if the message is cut short. */
function questionEnd(q: Buffer): number {
  let i = 12;
  for (let hops = 0; hops < 128 && i < q.length; hops++) {
    const len = q[i]!;
    if (len === 0) return i + 5 <= q.length ? i + 5 : -1;
    if (len >= 0xc0) return i + 6 <= q.length ? i + 6 : -1;
    i += len + 1;
  }
  return -1;
}

if (import.meta.main) {
  const arg = process.argv.indexOf('--port');
  const stub = await startStubUpstream(arg > 0 ? Number(process.argv[arg + 1]) : 0);
  process.once('SIGTERM', () => void stub.close().then(() => process.exit(0)));
  process.once('SIGINT', () => void stub.close().then(() => process.exit(0)));
  process.stdout.write(`stub upstream on ${stub.addr}\n`);
}
