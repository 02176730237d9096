/** Test helpers for the kubernetes plugin: the fixture cluster, a handler from Corefile text, replies as zone-file text. */
import { readFileSync } from 'node:fs';
import { parseKey } from '../../corefile/keys.js';
import { parseCorefile } from '../../corefile/parser.js';
import { rcodeName } from '../../dns/constants.js';
import type { Msg } from '../../dns/message.js';
import type { Next, Request } from '../../plugin/handler.js';
import { makeRequest, runChain } from '../../plugin/testing.js';
import { rrText } from '../../zone/rr-text.js';
import { FakeSource, objectsOfYaml, type SlimObject } from './fake-source.js';
import type { Kubernetes } from './kubernetes.js';
import { parseKubernetes } from './options.js';
import { setupWith } from './setup.js';

/** The conformance fixture cluster (test/conformance/cluster.yaml). */
export const FIXTURE = new URL('../../../test/conformance/cluster.yaml', import.meta.url);

let fixture: SlimObject[] | undefined;

/** A FakeSource (synced unless told otherwise) holding the fixture cluster. */
export function fixtureSource(opts: { synced?: boolean } = {}): FakeSource {
  fixture ??= objectsOfYaml(readFileSync(FIXTURE, 'utf8'));
  return FakeSource.of(fixture, opts);
}

/** A handler from a server block's text (`.:53 { kubernetes ... }`) over `source`. */
export function kubernetesFrom(corefile: string, source: FakeSource = fixtureSource()): Kubernetes {
  const [block] = parseCorefile(corefile, 'Corefile');
  const zones = block!.keys.flatMap((k) => parseKey(k, 53).map((z) => z.zone));
  const k = setupWith(parseKubernetes(block!.directives.filter((d) => d.name === 'kubernetes'), zones), source, { onShutdown: () => {} });
  k.localIPs = ['198.51.100.53'];
  k.hostSearch = [];
  return k;
}

/** A reply as text: rcode, flags and sections as sorted zone-file lines. */
export interface TextReply {
  rcode: string;
  aa: boolean;
  tc: boolean;
  answer: string[];
  ns: string[];
  extra: string[];
  msg: Msg;
}

/** The reply as text. */
export function asText(msg: Msg): TextReply {
  const lines = (rrs: Msg['answer']) => rrs.map(rrText).sort();
  return { rcode: rcodeName(msg.rcode), aa: msg.aa, tc: msg.tc, answer: lines(msg.answer), ns: lines(msg.ns), extra: lines(msg.extra), msg };
}

/** Asks `k` (the chain ending in `next`) and returns the reply as text. */
export async function ask(k: Kubernetes, name: string, type: number, over: Partial<Request> = {}, next?: Next): Promise<TextReply> {
  return asText(await runChain([k], makeRequest(name, type, over), next));
}
