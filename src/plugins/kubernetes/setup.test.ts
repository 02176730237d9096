import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../corefile/config-error.js';
import { parseCorefile } from '../../corefile/parser.js';
import { Rcode, Type } from '../../dns/constants.js';
import type { Closable } from '../../plugin/setup.js';
import { makeSetupContext } from '../../plugin/testing.js';
import { replyTo } from '../../dns/message.js';
import { captureLog } from '../../kube/testing.js';
import { FakeSource } from './fake-source.js';
import type { Kubernetes } from './kubernetes.js';
import { parseKubernetes } from './options.js';
import { afterInitialSync, plugin, sourceKey, waitForSync } from './setup.js';
import { ask, FIXTURE } from './testing.js';

/** Setup contexts sharing kept resources, as one process across reloads. */
function contexts() {
  const kept = new Map<string, Closable>();
  const lookups: string[] = [];
  const captured: Array<ReturnType<typeof captureLog>> = [];
  const logs = (t: string): string[] => captured.flatMap((c) => c.matching(t));
  const make = () => makeSetupContext({
    zones: ['cluster.local.'],
    log: () => {
      const c = captureLog();
      captured.push(c);
      return c.logger;
    },
    keep: <T extends Closable>(key: string, create: () => T): T => {
      if (!kept.has(key)) kept.set(key, create());
      return kept.get(key) as T;
    },
    lookup: async (name, type, parent) => {
      lookups.push(`${name} ${type}`);
      return replyTo(parent.msg, Rcode.NXDOMAIN);
    },
  });
  return { make, kept, lookups, logs, closeAll: () => Promise.all([...kept.values()].map((c) => c.close())) };
}

const directives = (body: string) => parseCorefile(`cluster.local {\n kubernetes {\n${body}\n }\n}`, 'Corefile')[0]!.directives;

describe('kubernetes setup', () => {
  it('serves manifests from disk, and keeps the source across a reload with the same options', async () => {
    const c = contexts();
    const body = `  manifests ${fileURLToPath(FIXTURE)}\n  ttl 30`;
    const first = c.make();
    const k1 = (await plugin.setup(directives(body), first.ctx)) as Kubernetes;
    await first.start();
    expect(k1.isReady()).toBe(true);
    expect((await ask(k1, 'svc1.testns.svc.cluster.local.', Type.A)).answer).toEqual(['svc1.testns.svc.cluster.local. 30 IN A 10.96.10.1']);

    const second = c.make();
    const k2 = (await plugin.setup(directives(`  manifests ${fileURLToPath(FIXTURE)}\n  ttl 10`), second.ctx)) as Kubernetes;
    expect(k2.source).toBe(k1.source);
    await second.start();
    await first.stop(); // the old config goes; the source stays
    expect((await ask(k2, 'svc1.testns.svc.cluster.local.', Type.A)).answer).toEqual(['svc1.testns.svc.cluster.local. 10 IN A 10.96.10.1']);
    expect(c.kept.size).toBe(1);
    // The initial sync's garbage was collected once, before the first query: not again on the
    // reload, which kept the source (src/core/heap.ts).
    expect(c.logs('initial sync: collected')).toHaveLength(1);
    // ExternalName targets outside the zone go through the server (ctx.lookup).
    await ask(k2, 'svc-ext.testns.svc.cluster.local.', Type.A);
    expect(c.lookups).toEqual([`example.org. ${Type.A}`]);
    await c.closeAll();
  });

  it('keeps endpoints\' pod names only for a block with endpoint_pod_names, on a source of its own', async () => {
    const c = contexts();
    const plain = c.make();
    const kPlain = (await plugin.setup(directives(`  manifests ${fileURLToPath(FIXTURE)}`), plain.ctx)) as Kubernetes;
    const named = c.make();
    const kNamed = (await plugin.setup(directives(`  manifests ${fileURLToPath(FIXTURE)}\n  endpoint_pod_names`), named.ctx)) as Kubernetes;
    expect(kNamed.source).not.toBe(kPlain.source);
    await plain.start();
    await named.start();
    const refs = (k: Kubernetes) => [...k.source.snapshot().endpointSlices.values()].flatMap((s) => s.endpoints.map((e) => e.targetRefName)).filter(Boolean);
    expect(refs(kPlain)).toEqual([]);
    expect(refs(kNamed)).toContain('web-6d8f9b7c4-abcde');
    const pod = 'web-6d8f9b7c4-abcde.svc1.testns.svc.cluster.local.';
    expect((await ask(kNamed, pod, Type.SRV)).rcode).toBe('NOERROR');
    expect((await ask(kPlain, pod, Type.SRV)).rcode).toBe('NXDOMAIN');
    await c.closeAll();
  });

  it('after the initial sync, collects and says so at debug level; says nothing when it cannot collect', () => {
    const log = captureLog();
    afterInitialSync(log.logger, () => ({ beforeBytes: 52 * 1048576, afterBytes: 20.5 * 1048576, ms: 31.2 }));
    expect(log.lines).toEqual(['DEBUG initial sync: collected 52.0 -> 20.5 MiB of heap in 31 ms']);
    afterInitialSync(log.logger, () => undefined);
    expect(log.lines).toHaveLength(1);
  });

  it('keys the source by what it watches', () => {
    const key = (body: string) => sourceKey(parseKubernetes(directives(body), ['cluster.local.']));
    expect(key('  ttl 30')).toBe(key('  ttl 5\n  namespaces a\n  fallthrough'));
    expect(key('  pods insecure')).toBe(key('  pods disabled'));
    for (const other of ['  pods verified', '  noendpoints', '  labels a=b', '  namespace_labels a=b', '  endpoint http://127.0.0.1:1']) {
      expect(key(other)).not.toBe(key(''));
    }
  });

  it('a connection that cannot be made is a config error on the plugin line', async () => {
    const c = contexts();
    const err = await Promise.resolve()
      .then(() => plugin.setup(directives('  endpoint ftp://example.org'), c.make().ctx))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/^plugin\/kubernetes: Corefile:2 - Error during parsing: endpoint: URL scheme must be http or https/);
  });

  it('accepts labels with manifests (the manifest source filters by them)', () => {
    const c = contexts();
    expect(() => plugin.setup(directives('  manifests /tmp/x.yaml\n  labels a=b'), c.make().ctx)).not.toThrow();
  });

  it('waits for the first sync at most startup_timeout, saying so', async () => {
    const never = new FakeSource({ synced: false });
    const log = captureLog();
    const t0 = Date.now();
    await waitForSync(never, 600, log.logger);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(590);
    expect(log.matching('waiting for Kubernetes API before starting server').length).toBeGreaterThanOrEqual(1);
    expect(log.matching('WARNING starting server with unsynced Kubernetes API')).toHaveLength(1);

    const late = new FakeSource({ synced: false });
    setTimeout(() => late.markSynced(), 20);
    const quiet = captureLog();
    await waitForSync(late, 5000, quiet.logger);
    expect(quiet.matching('unsynced')).toEqual([]);
  });
});
