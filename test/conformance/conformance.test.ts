/**
 * Every case of cases.yaml that the kubernetes plugin answers on its own, run in-process: the
 * config's kubernetes block is parsed as the server would, the handler is fed the fixture cluster,
 * and the reply is compared by the corpus rules. `forward` is stood in for by the corpus's stub
 * upstream (as the next handler, and as the resolver ExternalName targets go through). Cases that
 * need other plugins or the server itself are skipped with the reason in their name; the
 * end-to-end runner covers those through the real CLI.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseKey } from '../../src/corefile/keys.js';
import { parseCorefile } from '../../src/corefile/parser.js';
import { Class, Rcode, Type, typeCode } from '../../src/dns/constants.js';
import { newQuery, replyTo, type Msg } from '../../src/dns/message.js';
import type { Next } from '../../src/plugin/handler.js';
import { makeRequest, runChain } from '../../src/plugin/testing.js';
import { FakeSource } from '../../src/plugins/kubernetes/fake-source.js';
import type { Kubernetes } from '../../src/plugins/kubernetes/kubernetes.js';
import { parseKubernetes } from '../../src/plugins/kubernetes/options.js';
import { setupWith } from '../../src/plugins/kubernetes/setup.js';
import { CLUSTER_YAML, loadCases, renderConfig, type ConformanceCase } from './cases.js';
import { compareCase } from './compare.js';

const corpus = loadCases();
const clusterText = readFileSync(CLUSTER_YAML, 'utf8');

/** The corpus's stub upstream: example.org. A 192.0.2.10, other example.org. types empty, the rest NXDOMAIN. */
const stubUpstream: Next = async (req) => {
  if (req.qname !== 'example.org.') return replyTo(req.msg, Rcode.NXDOMAIN);
  const reply = replyTo(req.msg, Rcode.NOERROR);
  if (req.qtype === Type.A) reply.answer = [{ name: req.name, type: Type.A, class: Class.IN, ttl: 300, address: '192.0.2.10' }];
  return reply;
};

/** Why a case cannot run in-process, or undefined when it can. */
function skipReason(c: ConformanceCase): string | undefined {
  if (c.config === 'autopath') return 'needs the autopath plugin in front of kubernetes (end-to-end)';
  if (c.id === 'kubeadm-dns-version-ttl-capped' || c.id === 'kubeadm-externalname') return 'needs the cache plugin to cap TTLs (end-to-end)';
  if (c.tc === true) return 'needs the server to truncate the UDP reply (end-to-end)';
  return undefined;
}

const handlers = new Map<string, Kubernetes>();

/** The handler for a named config (one per config, sharing nothing but the fixture text). */
function handlerFor(config: string): Kubernetes {
  const got = handlers.get(config);
  if (got) return got;
  const text = renderConfig(corpus.configs[config]!, { port: 1053, endpoint: 'http://127.0.0.1:1', upstream: '127.0.0.1:1' });
  const [block] = parseCorefile(text, `Corefile.${config}`);
  const zones = block!.keys.flatMap((k) => parseKey(k, 53).map((z) => z.zone));
  const directives = block!.directives.filter((d) => d.name === 'kubernetes');
  const k = setupWith(parseKubernetes(directives, zones), FakeSource.fromYaml(clusterText), { onShutdown: () => {} });
  // A documentation address stands in for this server's own (ns.dns answers are `{any}`).
  k.localIPs = ['198.51.100.53'];
  k.resolve = (name, type) => runChain([k], makeRequest(name, type), stubUpstream);
  handlers.set(config, k);
  return k;
}

async function ask(c: ConformanceCase): Promise<Msg> {
  const k = handlerFor(c.config);
  const type = typeCode(c.type);
  if (type === undefined) throw new Error(`case ${c.id}: unknown type ${c.type}`);
  const tcp = c.transport === 'tcp';
  const msg = newQuery(c.q, type, { id: 4242 });
  const req = makeRequest(c.q, type, { msg, proto: tcp ? 'tcp' : 'udp', size: tcp ? 65535 : 512 });
  return runChain([k], req, stubUpstream);
}

describe('conformance (in-process kubernetes plugin)', () => {
  for (const c of corpus.cases) {
    const reason = skipReason(c);
    const title = `${c.id} [${c.config}] ${c.q} ${c.type}${c.tags.includes('quirk') ? ' (CoreDNS quirk)' : ''}`;
    if (reason) {
      it.skip(`${title} — skipped: ${reason}`, () => {});
      continue;
    }
    it(title, async () => {
      const reply = await ask(c);
      expect(compareCase(c, reply)).toEqual([]);
    });
  }

  it('the corpus is complete', () => {
    expect(corpus.cases.length).toBe(139);
    expect(new Set(corpus.cases.map((c) => c.id)).size).toBe(corpus.cases.length);
  });
});
