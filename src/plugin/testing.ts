/** Helpers for plugin unit tests: build a Request and run a handler chain without sockets. */
import { Class } from '../dns/constants.js';
import { newQuery, replyTo, type Msg } from '../dns/message.js';
import { newRequest } from '../core/request.js';
import type { Handler, Next, Request } from './handler.js';
import type { Closable, SetupContext } from './setup.js';
import { pluginLog } from '../core/log.js';

/** A Request for `name`/`type` as if received over UDP from 10.0.0.1 (override any field). */
export function makeRequest(name: string, type: number, over: Partial<Request> & { msg?: Msg } = {}): Request {
  const msg = over.msg ?? newQuery(name, type, { id: 4242 });
  const peer = { proto: 'udp' as const, remoteAddress: '10.0.0.1', remotePort: 40000, localAddress: '127.0.0.1', localPort: 53, family: 1 as const };
  return { ...newRequest(msg, 512, peer, '.', 'dns://:53'), ...over };
}

/** The end of a chain in tests: answers SERVFAIL and records that it was reached. */
export function terminal(): Next & { calls: Request[] } {
  const calls: Request[] = [];
  const fn = (async (req: Request) => {
    calls.push(req);
    return replyTo(req.msg, 2);
  }) as Next & { calls: Request[] };
  fn.calls = calls;
  return fn;
}

/** Runs `handlers` as a chain ending in `last`. */
export function runChain(handlers: Handler[], req: Request, last: Next = terminal()): Promise<Msg> {
  const call = (i: number): Next => (r) => (i < handlers.length ? handlers[i]!.serveDNS(r, call(i + 1)) : last(r));
  return call(0)(req);
}

/** A SetupContext for plugin setup tests: one block with `zones` on `port`; hooks collected for the test to run. */
export function makeSetupContext(over: Partial<SetupContext> & { zones?: readonly string[] } = {}) {
  const startup: Array<() => void | Promise<void>> = [];
  const shutdown: Array<() => void | Promise<void>> = [];
  const finalShutdown: Array<() => void | Promise<void>> = [];
  const kept = new Map<string, Closable>();
  const zones = over.zones ?? ['.'];
  const ctx: SetupContext = {
    block: { keys: zones.map((z) => `${z}:53`), directives: [], file: 'Corefile', line: 1 },
    zones,
    port: 53,
    server: 'dns://:53',
    log: pluginLog,
    onStartup: (fn) => startup.push(fn),
    onShutdown: (fn) => shutdown.push(fn),
    onFinalShutdown: (fn) => finalShutdown.push(fn),
    corefile: { path: 'Corefile', text: '' },
    restart: async () => {},
    shared: new Map(),
    keep: <T extends Closable>(key: string, create: () => T): T => {
      const got = kept.get(key);
      if (got) return got as T;
      const made = create();
      kept.set(key, made);
      return made;
    },
    bind: () => {},
    listenHosts: [],
    lifecycle: { stopping: false, readiness: new Map() },
    role: 'primary',
    shareSource: (key, create) => ctx.keep(`source:${key}`, () => {
      const source = create();
      return Object.assign(source, { close: () => source.stop() });
    }),
    lookup: async (name, type, parent) => replyTo({ ...parent.msg, question: [{ name, type, class: Class.IN }] }, 3),
    handlers: new Map(),
    ...over,
  };
  return {
    ctx,
    kept,
    /** Runs the startup hooks. */
    start: async () => { for (const fn of startup) await fn(); },
    /** Runs shutdown hooks and closes kept resources. */
    stop: async () => {
      for (const fn of [...finalShutdown, ...shutdown]) await fn();
      for (const r of kept.values()) await r.close();
    },
  };
}
