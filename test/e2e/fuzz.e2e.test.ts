/**
 * Hostile input against the real CLI, beyond hostile.e2e.test.ts: a seeded mutation fuzzer
 * (>= 10,000 queries over UDP and as many over TCP, through hosts, kubernetes, cache and forward),
 * a corpus of malformed packets sent over both transports, and a flood of idle and slowloris TCP
 * connections. Afterwards the server must be alive, unpanicked, and answer correctly.
 * FUZZ_SEED=<n> replays a run; the seed is printed.
 */
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rcode, Type } from '../../src/dns/constants.js';
import { decode } from '../../src/dns/decode.js';
import { encode } from '../../src/dns/encode.js';
import { newQuery, type Msg, type Opt } from '../../src/dns/message.js';
import { startApiServer, type ApiServer } from '../apiserver/server.js';
import { freePort, startCli, type Running } from '../helpers/cli.js';
import { metricSum, scrape } from '../helpers/metrics.js';
import { answerA, startStub, type Stub } from '../helpers/stub-upstream.js';
import { WEB_CLUSTER } from '../helpers/web-cluster.js';
import { frame, tcpConnect, udpQuery } from '../helpers/wire-client.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20_260_611);
const CLUSTER = `${WEB_CLUSTER}---
apiVersion: v1
kind: Service
metadata: { name: db, namespace: default }
spec: { clusterIP: None, ports: [{ name: sql, port: 5432 }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: db-1, namespace: default, labels: { kubernetes.io/service-name: db } }
addressType: IPv4
endpoints: [{ addresses: [10.244.0.5], hostname: db-0 }, { addresses: [10.244.0.6] }]
ports: [{ name: sql, port: 5432, protocol: TCP }]
`;

let api: ApiServer;
let stub: Stub;
let srv: Running;
let metrics: string;

beforeAll(async () => {
  api = await startApiServer();
  api.load(CLUSTER);
  stub = await startStub((q) => answerA(q, '192.0.2.10'));
  const m = await freePort();
  metrics = `127.0.0.1:${m}`;
  srv = await startCli(`example.test:{port} {
  bind 127.0.0.1
  prometheus ${metrics}
  errors
  hosts {
    192.0.2.1 www.example.test
    fallthrough
  }
}
cluster.local:{port} in-addr.arpa:{port} {
  bind 127.0.0.1
  prometheus ${metrics}
  errors
  cache 30
  kubernetes cluster.local in-addr.arpa {
    endpoint ${api.url}
    pods insecure
  }
}
.:{port} {
  bind 127.0.0.1
  prometheus ${metrics}
  forward . ${stub.addr}
}
`);
  const end = Date.now() + 10_000;
  while ((await udpQuery(srv.port, 'web.default.svc.cluster.local.', Type.A)).rcode !== Rcode.NOERROR) {
    if (Date.now() > end) throw new Error(`not synced: ${srv.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
});
afterAll(async () => {
  await srv?.stop();
  await stub?.close();
  await api?.close();
});

/** The server is alive and every block answers correctly. */
async function healthy(): Promise<void> {
  expect(srv.proc.exitCode).toBeNull();
  const www = await udpQuery(srv.port, 'www.example.test.', Type.A);
  expect(www.answer.map((a) => a.address)).toEqual(['192.0.2.1']);
  const web = await udpQuery(srv.port, 'web.default.svc.cluster.local.', Type.A);
  expect(web.answer.map((a) => a.address)).toEqual(['10.96.0.50']);
  const db = await udpQuery(srv.port, 'db.default.svc.cluster.local.', Type.A);
  expect(db.answer.map((a) => a.address).sort()).toEqual(['10.244.0.5', '10.244.0.6']);
  const ptr = await udpQuery(srv.port, '50.0.96.10.in-addr.arpa.', Type.PTR);
  expect(ptr.answer.map((a) => a.domain)).toEqual(['web.default.svc.cluster.local.']);
  const fwd = await udpQuery(srv.port, 'example.org.', Type.A);
  expect(fwd.answer.map((a) => a.address)).toEqual(['192.0.2.10']);
  const nx = await udpQuery(srv.port, 'nope.default.svc.cluster.local.', Type.A);
  expect(nx.rcode).toBe(Rcode.NXDOMAIN);
}

/** Nothing crashed: no panic counted, no uncaught error logged. */
async function unpanicked(): Promise<void> {
  expect(metricSum(await scrape(metrics), 'coredns_panics_total')).toBe(0);
  expect(srv.output()).not.toMatch(/uncaught exception|unhandled rejection|plugin\/errors: .*TypeError|RangeError/i);
}

/** mulberry32: small, seedable, good enough to pick mutations. */
function rng(seed: number): (n: number) => number {
  let s = seed | 0;
  return (n: number) => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

const EDNS: Opt = { udpSize: 4096, version: 0, do: true, extendedRcode: 0, options: [[10, new Uint8Array(8)], [8, new Uint8Array([0, 1, 24, 0, 10, 0, 0])]] };
/** Valid queries the mutations start from: every block, common and odd types, with and without EDNS. */
const SEEDS: Buffer[] = [
  ['www.example.test.', Type.A], ['www.example.test.', Type.AAAA], ['web.default.svc.cluster.local.', Type.A],
  ['_http._tcp.web.default.svc.cluster.local.', Type.SRV], ['db.default.svc.cluster.local.', Type.A],
  ['db-0.db.default.svc.cluster.local.', Type.A], ['50.0.96.10.in-addr.arpa.', Type.PTR], ['5.0.244.10.in-addr.arpa.', Type.PTR],
  ['10-244-0-5.default.pod.cluster.local.', Type.A], ['cluster.local.', Type.SOA], ['cluster.local.', Type.NS],
  ['dns-version.cluster.local.', Type.TXT], ['cluster.local.', Type.AXFR], ['web.default.svc.cluster.local.', Type.ANY],
  ['example.org.', Type.A], ['a.very.long.name.under.example.org.', Type.MX], ['.', Type.NS],
].flatMap(([name, type]) => [
  encode(newQuery(name as string, type as number, { id: 1 })),
  encode(newQuery(name as string, type as number, { id: 1, opt: EDNS })),
]);

/** One to three mutations of a seed query (or pure noise); the ID is set by the caller. */
function mutate(r: (n: number) => number): Buffer {
  let x = Buffer.from(SEEDS[r(SEEDS.length)]!);
  const noise = (n: number) => Buffer.from(Array.from({ length: n }, () => r(256)));
  for (let k = 0, n = 1 + r(3); k < n && x.length > 0; k++) {
    switch (r(11)) {
      case 0: for (let i = 0, m = 1 + r(8); i < m; i++) x[r(x.length)]! ^= 1 << r(8); break;
      case 1: for (let i = 0, m = 1 + r(4); i < m; i++) x[r(x.length)] = r(256); break;
      case 2: x = x.subarray(0, r(x.length + 1)); break;
      case 3: x = Buffer.concat([x, noise(r(48))]); break;
      // Section counts: small lies and huge ones.
      case 4: if (x.length >= 12) x.writeUInt16BE(r(4) === 0 ? r(65536) : r(4), 4 + 2 * r(4)); break;
      // A compression pointer anywhere after the header, to anywhere.
      case 5: { const o = 12 + r(Math.max(1, x.length - 12)); if (o + 1 < x.length) { x[o] = 0xc0 | r(64); x[o + 1] = r(256); } break; }
      // Opcode, flags, Z bits, rcode (QR=1 sometimes: must not be answered).
      case 6: if (x.length >= 4) { x[2] = r(256); x[3] = r(256); } break;
      // An extra record in the additional section with random type/class/TTL and RDATA.
      case 7: if (x.length >= 12) {
        const rdata = noise(r(16));
        const rr = Buffer.from([0, r(256), r(256), r(256), r(256), r(256), r(256), r(256), (rdata.length + r(3)) >> 8, (rdata.length + r(3)) & 255]);
        x = Buffer.concat([x, rr, rdata]);
        x.writeUInt16BE((x.readUInt16BE(10) + 1) & 0xffff, 10);
      } break;
      // A label length byte (reserved 0x40/0x80 label types included).
      case 8: if (x.length > 12) x[12 + r(Math.min(20, x.length - 12))] = [r(64), 0x40 | r(64), 0x80 | r(64), 63][r(4)]!; break;
      case 9: x = noise(r(r(2) ? 40 : 600)); break;
      // The question name as a compression pointer into the header (a legal name, often).
      case 10: if (x.length >= 12) x = Buffer.concat([x.subarray(0, 12), Buffer.from([0xc0, r(12), 0, [1, 28, 12, 16, 33][r(5)]!, 0, 1])]); break;
    }
  }
  return x;
}

/** Checks one reply to `query`: well-formed, same ID, QR set, and never an answer to a response. */
function checkReply(query: Buffer, reply: Buffer, problems: string[]): void {
  const where = `query ${query.toString('hex').slice(0, 80)}`;
  if (query.length >= 3 && (query[2]! & 0x80) !== 0) problems.push(`answered a response (QR=1): ${where}`);
  let m: Msg;
  try {
    m = decode(reply);
  } catch (e) {
    problems.push(`malformed reply (${(e as Error).message}) to ${where}: ${reply.toString('hex').slice(0, 80)}`);
    return;
  }
  if (!m.qr) problems.push(`reply without QR to ${where}`);
  if (m.rcode === Rcode.SERVFAIL && reply.length > 0) {
    // SERVFAIL is legitimate for some odd questions; a crash would show in the panic counter.
  }
}

describe('seeded fuzz', () => {
  it(`10,000 mutated queries over UDP (seed ${SEED}) are answered well or dropped; the server stays healthy`, async () => {
    const r = rng(SEED);
    console.log(`fuzz seed ${SEED} (FUZZ_SEED to replay)`);
    const sock = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 22 });
    await new Promise<void>((res) => sock.bind(0, '127.0.0.1', () => res()));
    const sent = new Map<number, Buffer>();
    const problems: string[] = [];
    let replies = 0;
    sock.on('message', (reply) => {
      replies++;
      const id = reply.length >= 2 ? reply.readUInt16BE(0) : -1;
      const q = sent.get(id);
      if (!q) return void problems.push(`reply with an ID we did not send: ${reply.toString('hex').slice(0, 40)}`);
      sent.delete(id);
      checkReply(q, reply, problems);
    });
    const N = 10_000;
    let shortOnes = 0;
    // Batches of 100 with a pause: bursts bigger than the sockets' buffers would only measure loss.
    for (let i = 0; i < N; i += 100) {
      for (let j = i; j < i + 100; j++) {
        const q = mutate(r);
        if (q.length < 2) shortOnes++;
        else {
          q.writeUInt16BE(j & 0xffff, 0);
          sent.set(j & 0xffff, q);
        }
        sock.send(q, srv.port, '127.0.0.1');
      }
      await new Promise((res) => setTimeout(res, 20));
    }
    await new Promise((res) => setTimeout(res, 500));
    sock.close();
    console.log(`UDP fuzz: ${N} sent, ${replies} replies, ${sent.size} unanswered (dropped or lost), ${shortOnes} shorter than an ID`);
    expect(problems.slice(0, 10)).toEqual([]);
    // About 1 in 7 mutations sets QR (never answered) or cuts the ID; most of the rest get a reply.
    expect(replies).toBeGreaterThan(N * 0.6);
    await healthy();
    await unpanicked();
  });

  it('10,000 mutated queries pipelined over TCP: every well-framed query answered or the connection closed; healthy after', async () => {
    const r = rng(SEED + 1);
    const N = 10_000;
    const problems: string[] = [];
    let answered = 0;
    let closedEarly = 0;
    // 20 connections at a time, 50 pipelined queries each; a closed connection is replaced.
    for (let done = 0; done < N; ) {
      const conns = await Promise.all(Array.from({ length: 20 }, () => tcpConnect(srv.port)));
      await Promise.all(conns.map(async (c) => {
        const batch = new Map<number, Buffer>();
        for (let k = 0; k < 50 && done < N; k++, done++) {
          let q = mutate(r);
          // The frame length is always right here (frame-level abuse is in the corpus below).
          if (q.length < 12) q = Buffer.concat([q, Buffer.alloc(12 - q.length)]);
          q.writeUInt16BE(done & 0xffff, 0);
          batch.set(done & 0xffff, q);
          c.sock.write(frame(q));
        }
        const expected = [...batch.values()].filter((q) => (q[2]! & 0x80) === 0).length;
        const replies = await c.waitReplies(expected, 5000);
        for (const reply of replies) {
          const q = batch.get(reply.readUInt16BE(0));
          if (!q) problems.push(`TCP reply with an ID we did not send`);
          else checkReply(q, reply, problems);
        }
        answered += replies.length;
        if (replies.length < expected) {
          if (c.closed) closedEarly++;
          else problems.push(`TCP: ${expected - replies.length} of ${expected} queries unanswered on an open connection`);
        }
        c.sock.destroy();
      }));
    }
    console.log(`TCP fuzz: ${N} sent, ${answered} answered, ${closedEarly} connections closed by the server`);
    expect(problems.slice(0, 10)).toEqual([]);
    expect(answered).toBeGreaterThan(N / 2);
    await healthy();
    await unpanicked();
  });
});

const hdr = (id: number, flags: number, qd: number, an = 0, ns = 0, ar = 0) =>
  Buffer.from([id >> 8, id & 255, flags >> 8, flags & 255, qd >> 8, qd & 255, an >> 8, an & 255, ns >> 8, ns & 255, ar >> 8, ar & 255]);
const name = (...labels: string[]) => Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
const WWW = name('www', 'example', 'test');
const A_IN = Buffer.from([0, 1, 0, 1]);
const Q = Buffer.concat([WWW, A_IN]);
const opt = (rdata: Buffer, rdlen = rdata.length, owner = Buffer.from([0])) =>
  Buffer.concat([owner, Buffer.from([0, 41, 4, 0xd0, 0, 0, 0, 0, rdlen >> 8, rdlen & 255]), rdata]);

/** [title, packet, expected rcode or null (no reply)] */
const CORPUS: Array<[string, Buffer, number | null]> = [
  ['header only, QDCOUNT 1', hdr(0x101, 0x0100, 1), Rcode.FORMERR],
  ['twelve zero bytes', Buffer.alloc(12), Rcode.FORMERR],
  ['QDCOUNT 65535', Buffer.concat([hdr(0x102, 0x0100, 0xffff), Q]), Rcode.FORMERR],
  ['name cut inside a label', Buffer.concat([hdr(0x103, 0x0100, 1), WWW.subarray(0, 6)]), Rcode.FORMERR],
  ['name without type and class', Buffer.concat([hdr(0x104, 0x0100, 1), WWW]), Rcode.FORMERR],
  ['type without class', Buffer.concat([hdr(0x105, 0x0100, 1), WWW, Buffer.from([0, 1])]), Rcode.FORMERR],
  ['pointer to itself', Buffer.concat([hdr(0x106, 0x0100, 1), Buffer.from([0xc0, 12]), A_IN]), Rcode.FORMERR],
  ['pointer forward past the end', Buffer.concat([hdr(0x107, 0x0100, 1), Buffer.from([0xc0, 0xff]), A_IN]), Rcode.FORMERR],
  ['two-pointer loop', Buffer.concat([hdr(0x109, 0x0100, 1), Buffer.from([1, 97, 0xc0, 16, 1, 98, 0xc0, 12]), A_IN]), Rcode.FORMERR],
  ['extended label type 0x40', Buffer.concat([hdr(0x10a, 0x0100, 1), Buffer.from([0x41, 97, 0]), A_IN]), Rcode.FORMERR],
  ['reserved label type 0x80', Buffer.concat([hdr(0x10b, 0x0100, 1), Buffer.from([0x81, 97, 0]), A_IN]), Rcode.FORMERR],
  ['OPT RDLENGTH past the end', Buffer.concat([hdr(0x10c, 0x0100, 1, 0, 0, 1), Q, opt(Buffer.alloc(0), 40)]), Rcode.FORMERR],
  ['OPT option longer than its RDATA', Buffer.concat([hdr(0x10d, 0x0100, 1, 0, 0, 1), Q, opt(Buffer.from([0, 10, 0, 200, 1, 2, 3, 4]))]), Rcode.FORMERR],
  ['ARCOUNT 1 and no record', Buffer.concat([hdr(0x10e, 0x0100, 1, 0, 0, 1), Q]), Rcode.FORMERR],
  ['ANCOUNT 65535', Buffer.concat([hdr(0x10f, 0x0100, 1, 0xffff), Q]), Rcode.FORMERR],
  ['UPDATE opcode', Buffer.concat([hdr(0x110, 0x2800, 1), Q]), Rcode.NOTIMP],
  ['a response (QR=1)', Buffer.concat([hdr(0x111, 0x8180, 1), Q]), null],
  ['NOTIFY opcode, QR=1', Buffer.concat([hdr(0x112, 0xa000, 1), Q]), null],
  ['class ANY', Buffer.concat([hdr(0x113, 0x0100, 1), WWW, Buffer.from([0, 1, 0, 255])]), Rcode.REFUSED],
  ['EDNS version 255', Buffer.concat([hdr(0x114, 0x0100, 1, 0, 0, 1), Q, Buffer.from([0, 0, 41, 4, 0xd0, 0, 255, 0, 0, 0, 0])]), Rcode.BADVERS],
  // The name is legal (255 bytes exactly): the `.` block forwards it.
  ['a 255-byte name of 1-byte labels', Buffer.concat([hdr(0x115, 0x0100, 1), Buffer.from([...Array.from({ length: 127 }, () => [1, 97]).flat(), 0]), A_IN]), Rcode.NOERROR],
  // A pointer into the header is a legal name ("\\000."): it must come back uncompressed, not as the pointer.
  ['pointer into the header', Buffer.concat([hdr(0x108, 0x0100, 1), Buffer.from([0xc0, 2]), A_IN]), Rcode.NOERROR],
];

describe('malformed-packet corpus over UDP and TCP', () => {
  it.each(CORPUS)('%s', async (_title, packet, rcode) => {
    const id = packet.readUInt16BE(0);
    // UDP
    const u = dgram.createSocket('udp4');
    const udpReply = await new Promise<Buffer | null>((res) => {
      const t = setTimeout(() => res(null), rcode === null ? 300 : 2000);
      u.on('message', (m) => { clearTimeout(t); res(m); });
      u.send(packet, srv.port, '127.0.0.1');
    });
    u.close();
    // TCP, one connection per packet
    const c = await tcpConnect(srv.port);
    c.sock.write(frame(packet));
    const [tcpReply] = await c.waitReplies(1, rcode === null ? 300 : 2000);
    c.sock.destroy();
    for (const reply of [udpReply, tcpReply ?? null]) {
      if (rcode === null) {
        expect(reply).toBeNull();
        continue;
      }
      expect(reply).not.toBeNull();
      expect(reply!.readUInt16BE(0)).toBe(id);
      const m = decode(reply!);
      expect(m.qr).toBe(true);
      expect(m.rcode).toBe(rcode);
    }
    await healthy();
  });

  it('frame-level abuse: zero and short lengths close the connection, a truncated frame is dropped; others unaffected', async () => {
    for (const bytes of [Buffer.from([0, 0]), Buffer.from([0, 5, 1, 2, 3, 4, 5]), Buffer.from([0, 11, ...Buffer.alloc(11)])]) {
      const c = await tcpConnect(srv.port);
      c.sock.write(bytes);
      expect(await c.waitClosed(3000)).toBe(true);
    }
    // A length promising more than is ever sent, then a half-close: no reply, and no harm.
    const c = await tcpConnect(srv.port);
    c.sock.end(Buffer.concat([Buffer.from([0xff, 0xff]), Q]));
    expect(await c.waitClosed(3000)).toBe(true);
    expect(c.replies).toHaveLength(0);
    await healthy();
  });
});

/** The soft limit on open files of this process (inherited by the server). */
function openFileLimit(): number {
  try {
    return Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim()) || 0;
  } catch {
    return 0;
  }
}

const LIMIT = openFileLimit();
const enoughFiles = LIMIT === 0 || !Number.isFinite(LIMIT) ? false : LIMIT >= 2500;
if (!enoughFiles) console.log(`skipping the 1,000-connection test: ulimit -n is ${LIMIT}, needs >= 2500 (raise it: ulimit -n 4096)`);

describe('connection flood', () => {
  it.skipIf(!enoughFiles)('1,000 idle TCP connections and 50 slowloris clients do not stop UDP or new TCP queries', async () => {
    const idle: Awaited<ReturnType<typeof tcpConnect>>[] = [];
    for (let i = 0; i < 1000; i += 100) idle.push(...(await Promise.all(Array.from({ length: 100 }, () => tcpConnect(srv.port)))));
    // Slowloris: a valid query dripped a byte every 300 ms (the server's read deadline is 2 s);
    // each one the server closes is replaced at once.
    const q = frame(encode(newQuery('www.example.test.', Type.A, { id: 7 })));
    let stop = false;
    let lorisClosed = 0;
    const loris = async (): Promise<void> => {
      while (!stop) {
        const c = await tcpConnect(srv.port);
        for (let i = 0; i < q.length - 1 && !stop && !c.closed; i++) {
          c.sock.write(q.subarray(i, i + 1));
          await new Promise((res) => setTimeout(res, 300));
        }
        if (c.closed) lorisClosed++;
        c.sock.destroy();
      }
    };
    const lorises = Array.from({ length: 50 }, () => loris());
    // Past the 2 s read deadline of every slowloris's first message.
    await new Promise((res) => setTimeout(res, 3000));
    // Now: UDP queries and new TCP connections, while all that is going on.
    const udpLatency: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      const m = await udpQuery(srv.port, 'www.example.test.', Type.A, { id: i });
      udpLatency.push(performance.now() - t0);
      expect(m.answer.map((a) => a.address)).toEqual(['192.0.2.1']);
    }
    const fresh = await Promise.all(Array.from({ length: 50 }, async (_, i) => {
      const c = await tcpConnect(srv.port);
      c.sock.write(frame(encode(newQuery('web.default.svc.cluster.local.', Type.A, { id: 1000 + i }))));
      const [reply] = await c.waitReplies(1, 3000);
      c.sock.destroy();
      return reply ? decode(reply).answer.map((a) => a.address) : [];
    }));
    const stillOpen = idle.filter((c) => !c.closed).length;
    stop = true;
    await Promise.all(lorises);
    for (const c of idle) c.sock.destroy();
    udpLatency.sort((a, b) => a - b);
    console.log(`flood: ${stillOpen}/1000 idle connections open, ${lorisClosed} slowloris connections closed by the server; UDP p50 ${udpLatency[100]!.toFixed(2)} ms, max ${udpLatency[199]!.toFixed(2)} ms`);
    expect(fresh).toEqual(Array.from({ length: 50 }, () => ['10.96.0.50']));
    // Held open, not shed: the idle timeout (10 s) has not come yet, and 1,000 is under the cap.
    expect(stillOpen).toBe(1000);
    expect(lorisClosed).toBeGreaterThanOrEqual(50);
    await healthy();
    await unpanicked();
  }, 60_000);
});
