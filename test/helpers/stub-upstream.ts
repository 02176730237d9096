/**
 * Test helper: a small DNS server on 127.0.0.1 answering over UDP and TCP on the same port, with
 * hooks to send forged datagrams. Used by the forward tests; not part of the query path.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { decode } from '../../src/dns/decode.js';
import { encode } from '../../src/dns/encode.js';
import { replyTo, type Msg, type RR } from '../../src/dns/message.js';

/** What the handler may do besides returning a reply. */
export interface StubContext {
  readonly proto: 'udp' | 'tcp';
  /** UDP only: sends `msg` to the querier from the stub's socket, or from another port. */
  sendUdp(msg: Msg, fromOtherPort?: boolean): Promise<void>;
}

/** Returns the reply to send, or undefined to stay silent. May be async (to delay). */
export type StubHandler = (query: Msg, ctx: StubContext) => Msg | undefined | Promise<Msg | undefined>;

/** A running stub upstream. */
export interface Stub {
  readonly port: number;
  /** `127.0.0.1:PORT`, the forward `to` label. */
  readonly addr: string;
  readonly queries: Array<{ msg: Msg; proto: 'udp' | 'tcp' }>;
  /** TCP connections accepted so far. */
  tcpConnections: number;
  handler: StubHandler;
  close(): Promise<void>;
}

/** A reply to `q` with one A record per address. */
export function answerA(q: Msg, ...addresses: string[]): Msg {
  const r = replyTo(q);
  r.ra = true;
  r.answer = addresses.map((address): RR => ({ name: q.question[0]!.name, type: 1, class: 1, ttl: 60, address }));
  return r;
}

function bindUdp(sock: dgram.Socket, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(port, '127.0.0.1', () => {
      sock.removeListener('error', reject);
      resolve();
    });
  });
}

function listenTcp(server: net.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
}

/** Starts a stub on a free port (UDP and TCP share the number). */
export async function startStub(handler: StubHandler): Promise<Stub> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp = dgram.createSocket('udp4');
    await bindUdp(udp, 0);
    const port = udp.address().port;
    const tcp = net.createServer();
    try {
      await listenTcp(tcp, port);
    } catch {
      udp.close();
      continue;
    }
    const other = dgram.createSocket('udp4');
    await bindUdp(other, 0);
    const sockets = new Set<net.Socket>();
    const stub: Stub = {
      port, addr: `127.0.0.1:${port}`, queries: [], tcpConnections: 0, handler,
      close: async () => {
        for (const s of sockets) s.destroy();
        await new Promise<void>((r) => tcp.close(() => r()));
        udp.close();
        other.close();
      },
    };
    udp.on('message', async (buf, rinfo) => {
      let q: Msg;
      try {
        q = decode(buf);
      } catch {
        return;
      }
      stub.queries.push({ msg: q, proto: 'udp' });
      const send = (m: Msg, fromOther = false) =>
        new Promise<void>((r) => (fromOther ? other : udp).send(encode(m, 65535), rinfo.port, rinfo.address, () => r()));
      const reply = await stub.handler(q, { proto: 'udp', sendUdp: send });
      if (reply) await send(reply);
    });
    tcp.on('connection', (sock) => {
      stub.tcpConnections++;
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
      sock.on('error', () => sock.destroy());
      let buf = Buffer.alloc(0);
      sock.on('data', async (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const frame = buf.subarray(2, 2 + buf.readUInt16BE(0));
          buf = buf.subarray(2 + frame.length);
          const q = decode(frame);
          stub.queries.push({ msg: q, proto: 'tcp' });
          const reply = await stub.handler(q, { proto: 'tcp', sendUdp: async () => {} });
          if (!reply || sock.destroyed) continue;
          const wire = encode(reply, 65535);
          const head = Buffer.allocUnsafe(2);
          head.writeUInt16BE(wire.length, 0);
          sock.write(Buffer.concat([head, wire]));
        }
      });
    });
    return stub;
  }
  throw new Error('no free port for the stub upstream');
}

/** A UDP+TCP port on 127.0.0.1 with nothing listening (for dead-upstream tests). */
export async function deadPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await bindUdp(s, 0);
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
