/**
 * Just enough DNS wire format for the benchmarks' own probes (the product's codec is not imported:
 * the bench must measure it, not share it): build a query, read a reply's header, ask over UDP.
 */
import dgram from 'node:dgram';

/** Type codes used by the benchmarks. */
export const QType = { A: 1, NS: 2, SOA: 6, AAAA: 28, SRV: 33 } as const;

/** A query for `name` (absolute or not) of `type`, RD set, no EDNS. */
export function query(id: number, name: string, type: number): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter((l) => l.length > 0);
  const parts: Buffer[] = [Buffer.from([id >> 8, id & 255, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0])];
  for (const l of labels) {
    const b = Buffer.from(l, 'ascii');
    if (b.length > 63) throw new Error(`label too long in ${name}`);
    parts.push(Buffer.from([b.length]), b);
  }
  parts.push(Buffer.from([0, type >> 8, type & 255, 0, 1]));
  return Buffer.concat(parts);
}

/** The header fields a probe looks at. */
export interface ReplyHead {
  id: number;
  rcode: number;
  answers: number;
}

/** Reads a reply's header; throws on fewer than 12 bytes. */
export function head(b: Buffer): ReplyHead {
  if (b.length < 12) throw new Error(`short DNS message (${b.length} bytes)`);
  return { id: b.readUInt16BE(0), rcode: b[3]! & 0x0f, answers: b.readUInt16BE(6) };
}

/** A UDP client socket matching replies to queries by ID (one outstanding query per ID). */
export class Asker {
  private readonly sock = dgram.createSocket('udp4');
  private readonly waiting = new Map<number, (b: Buffer) => void>();
  private nextId = 1;
  private readonly port: number;
  private readonly host: string;

  constructor(port: number, host = '127.0.0.1') {
    this.port = port;
    this.host = host;
    this.sock.on('message', (b) => {
      if (b.length < 12) return;
      const id = b.readUInt16BE(0);
      const w = this.waiting.get(id);
      if (w) {
        this.waiting.delete(id);
        w(b);
      }
    });
  }

  /** Sends a query; resolves with the raw reply, or null after `timeoutMs`. */
  ask(name: string, type: number, timeoutMs = 1000): Promise<Buffer | null> {
    const id = this.nextId;
    this.nextId = (this.nextId % 65535) + 1;
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.waiting.delete(id);
        resolve(null);
      }, timeoutMs);
      this.waiting.set(id, (b) => {
        clearTimeout(t);
        resolve(b);
      });
      this.sock.send(query(id, name, type), this.port, this.host);
    });
  }

  /** Closes the socket. */
  close(): void {
    this.sock.close();
  }
}
