/** Raw UDP/TCP DNS exchanges for end-to-end tests that must send bytes dig never would. */
import dgram from 'node:dgram';
import net from 'node:net';
import { decode } from '../../src/dns/decode.js';
import { encode } from '../../src/dns/encode.js';
import { newQuery, type Msg } from '../../src/dns/message.js';

/** Sends raw bytes over UDP; resolves with the reply bytes, or null after `ms`. */
export function udpRaw(port: number, bytes: Uint8Array, ms = 1000, host = '127.0.0.1'): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const t = setTimeout(() => { s.close(); resolve(null); }, ms);
    s.on('message', (m) => { clearTimeout(t); s.close(); resolve(m); });
    s.on('error', () => { clearTimeout(t); s.close(); resolve(null); });
    s.send(bytes, port, host);
  });
}

/** A UDP query for name/type; resolves with the decoded reply (throws on timeout). */
export async function udpQuery(port: number, name: string, type: number, over: Partial<Msg> = {}): Promise<Msg> {
  const id = over.id ?? Math.floor(Math.random() * 65536);
  const r = await udpRaw(port, encode(newQuery(name, type, { ...over, id })), 3000);
  if (!r) throw new Error(`no UDP reply for ${name}`);
  return decode(r);
}

/** Frames a message for TCP. */
export function frame(bytes: Uint8Array): Buffer {
  const b = Buffer.alloc(bytes.length + 2);
  b.writeUInt16BE(bytes.length, 0);
  b.set(bytes, 2);
  return b;
}

/** Opens a TCP connection and collects framed replies. */
export async function tcpConnect(port: number, host = '127.0.0.1') {
  const sock = net.connect({ port, host });
  await new Promise<void>((res, rej) => { sock.once('connect', () => res()); sock.once('error', rej); });
  let buf = Buffer.alloc(0);
  const replies: Buffer[] = [];
  let closed = false;
  sock.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
      replies.push(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      buf = buf.subarray(2 + buf.readUInt16BE(0));
    }
  });
  sock.on('error', () => {});
  sock.on('close', () => { closed = true; });
  return {
    sock,
    replies,
    get closed() { return closed; },
    /** Waits for `n` replies in total (or the connection closing), up to `ms`. */
    async waitReplies(n: number, ms = 3000): Promise<Buffer[]> {
      const end = Date.now() + ms;
      while (replies.length < n && !closed && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
      return replies;
    },
    async waitClosed(ms = 5000): Promise<boolean> {
      const end = Date.now() + ms;
      while (!closed && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      return closed;
    },
  };
}
