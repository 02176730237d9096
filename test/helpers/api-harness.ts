/**
 * The API e2e tests' harness: the simulator loaded with WEB_CLUSTER, the real CLI reading it with
 * ready and prometheus on free ports, stopped after each test; plus asking the server about it.
 */
import { afterEach } from 'vitest';
import { Rcode } from '../../src/dns/constants.js';
import type { Msg } from '../../src/dns/message.js';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../apiserver/server.js';
import { freePort, startCli, type Running } from './cli.js';
import { addressInDefault, askDefault, pollUntil, WEB_CLUSTER } from './web-cluster.js';

/** A simulator and the CLI reading it. */
export interface Harness {
  sim: ApiServer;
  srv: Running;
  readyUrl: string;
  metrics: string;
}

/** How boot() starts them. */
export interface BootOptions {
  sim?: ApiServerOptions;
  /** Runs before the CLI starts (faults, extra objects). */
  before?: (sim: ApiServer) => void | Promise<void>;
  startupTimeout?: string;
  env?: NodeJS.ProcessEnv;
  /** The kubernetes block's connection lines instead of `endpoint URL` (files land in the CLI's folder). */
  connection?: (sim: ApiServer) => { line: string; files?: Record<string, string> };
  /** Wait until `web` answers (the informers synced). Default true. */
  synced?: boolean;
}

/** Registers the per-test cleanup; returns boot() and helpers bound to the harness of the running test. */
export function useApiHarness() {
  let live: Harness | undefined;
  afterEach(async () => {
    await live?.srv.stop();
    await live?.sim.close();
    live = undefined;
  });
  /** Polls `cond` every 50 ms; returns the ms it took; throws (with the server's output) after `ms`. */
  const until = (cond: () => boolean | Promise<boolean>, ms: number, what: string) => pollUntil(cond, ms, what, () => live?.srv.output() ?? '');
  /** A query for `<name>.default.svc.cluster.local.` A. */
  const ask = (name: string): Promise<Msg> => askDefault(live!.srv.port, name);
  const addressOf = (name: string) => addressInDefault(live!.srv.port, name);

  async function boot(o: BootOptions = {}): Promise<Harness> {
    const sim = await startApiServer({ bookmarkIntervalMs: 200, ...o.sim });
    sim.load(WEB_CLUSTER);
    await o.before?.(sim);
    const [ready, metrics] = [await freePort(), await freePort()];
    const conn = o.connection?.(sim) ?? { line: `endpoint ${sim.url}` };
    const corefile = `cluster.local:{port} {
  bind 127.0.0.1
  ready 127.0.0.1:${ready}
  prometheus 127.0.0.1:${metrics}
  kubernetes cluster.local {
    ${conn.line}
    startup_timeout ${o.startupTimeout ?? '5s'}
  }
}
`;
    const srv = await startCli(corefile, { env: o.env, files: conn.files });
    live = { sim, srv, readyUrl: `http://127.0.0.1:${ready}/ready`, metrics: `127.0.0.1:${metrics}` };
    if (o.synced !== false) {
      await until(async () => (await ask('web')).rcode === Rcode.NOERROR, 10_000, 'the first sync');
      await until(() => sim.stats.openWatches === 3, 5000, 'three open watches');
    }
    return live;
  }

  return { boot, ask, addressOf, until, current: () => live };
}
