/**
 * The conformance corpus end to end: every case through the real CLI (dist/cli.js), reading the
 * fixture cluster from the API-server simulator through the real client library, answered over
 * UDP/TCP, with a stub upstream for forwarded names. Each question is asked twice: the repeat may
 * be served from the wire cache and must be identical in substance.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rcode, Type, typeCode } from '../../src/dns/constants.js';
import { decode } from '../../src/dns/decode.js';
import { encode } from '../../src/dns/encode.js';
import { newQuery, replyTo, type Msg } from '../../src/dns/message.js';
import { startApiServer, type ApiServer } from '../apiserver/server.js';
import { startCli, type Running } from '../helpers/cli.js';
import { startStub, type Stub } from '../helpers/stub-upstream.js';
import { frame, tcpConnect, udpRaw } from '../helpers/wire-client.js';
import { CLUSTER_YAML, loadCases, renderConfig, type ConformanceCase } from './cases.js';
import { compareCase } from './compare.js';

const corpus = loadCases();
let api: ApiServer;
let stub: Stub;

beforeAll(async () => {
  api = await startApiServer();
  api.load(readFileSync(CLUSTER_YAML, 'utf8'));
  // The corpus's stub upstream: example.org. A 192.0.2.10; other types there NODATA; anything else NXDOMAIN.
  stub = await startStub((q) => {
    const name = q.question[0]!.name.toLowerCase();
    const r = replyTo(q, name === 'example.org.' ? Rcode.NOERROR : Rcode.NXDOMAIN);
    r.ra = true;
    if (r.rcode === Rcode.NOERROR && q.question[0]!.type === Type.A) r.answer = [{ name: q.question[0]!.name, type: Type.A, class: 1, ttl: 300, address: '192.0.2.10' }];
    return r;
  });
});
afterAll(async () => {
  await stub?.close();
  await api?.close();
});

async function ask(port: number, c: ConformanceCase, id: number): Promise<Msg> {
  const type = typeCode(c.type)!;
  const q = newQuery(c.q, type, { id });
  if (c.edns_bufsize) q.opt = { udpSize: c.edns_bufsize, version: 0, do: false, extendedRcode: 0, options: [] };
  if (c.transport === 'tcp') {
    const conn = await tcpConnect(port);
    conn.sock.write(frame(encode(q)));
    const [r] = await conn.waitReplies(1);
    conn.sock.destroy();
    if (!r) throw new Error('no TCP reply');
    return decode(r);
  }
  const r = await udpRaw(port, encode(q), 3000);
  if (!r) throw new Error('no UDP reply');
  return decode(r);
}

for (const [config, text] of Object.entries(corpus.configs)) {
  const cases = corpus.cases.filter((c) => c.config === config);
  if (cases.length === 0) continue;
  describe(`conformance end to end [${config}]`, () => {
    let srv: Running;
    beforeAll(async () => {
      srv = await startCli(renderConfig(text, { port: '{port}', endpoint: api.url, upstream: stub.addr }));
      // Ready once the informers synced: wait for an answer that needs the cluster.
      const end = Date.now() + 15_000;
      for (;;) {
        const r = await udpRaw(srv.port, encode(newQuery('kubernetes.default.svc.cluster.local.', Type.A, { id: 1 })), 500);
        if (r && decode(r).rcode !== Rcode.SERVFAIL) break;
        if (Date.now() > end) throw new Error(`not synced: ${srv.output()}`);
        await new Promise((res) => setTimeout(res, 50));
      }
    });
    afterAll(async () => {
      await srv?.stop();
    });
    for (const c of cases) {
      const title = `${c.id} ${c.q} ${c.type}${c.tags.includes('quirk') ? ' (CoreDNS quirk)' : ''}`;
      it(title, async () => {
        const first = await ask(srv.port, c, 1000);
        expect(first.id).toBe(1000);
        expect(compareCase(c, first)).toEqual([]);
        const again = await ask(srv.port, c, 2000);
        expect(again.id).toBe(2000);
        expect(compareCase(c, again)).toEqual([]);
      });
    }
  });
}
