/**
 * Serves a WATCH request. Where it starts follows the API concepts page: resourceVersion unset or "0"
 * (or sendInitialEvents=true) = synthetic ADDED for every current object, then live events; N = every
 * event after N (410 as an in-stream ERROR event when N is older than the retained history).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultState } from './faults.ts';
import { makeFilter, type Filter } from './filter.ts';
import { baseHeaders, sendJson } from './http-util.ts';
import { SelectorError } from './label-selector.ts';
import type { ListOptions } from './list-options.ts';
import type { ResourceRoute } from './routes.ts';
import { failure, tooLargeResourceVersion, tooOldResourceVersion } from './status.ts';
import type { Store } from './store.ts';
import { Watcher } from './watch.ts';

/** What the watch handler needs from the server. */
export interface WatchConfig {
  store: Store;
  faults: FaultState;
  bookmarkIntervalMs: number;
  watchTimeoutSeconds: number;
  tooLargeWaitMs: number;
  opened(w: Watcher): void;
  closed(w: Watcher): void;
}

/** Escapes a value for a field selector term. */
const escapeField = (v: string): string => v.replace(/[\\,=]/g, (c) => `\\${c}`);

/** Opens a watch stream on `route` (a collection, or one object: the real server turns that into metadata.name=). */
export async function serveWatch(req: IncomingMessage, res: ServerResponse, route: ResourceRoute, o: ListOptions, cfg: WatchConfig): Promise<void> {
  const { store } = cfg;
  const fieldSelector = route.name === undefined ? o.fieldSelector : [o.fieldSelector, `metadata.name=${escapeField(route.name)}`].filter((s) => s).join(',');
  let filter: Filter;
  try {
    filter = makeFilter(route.def, route.namespace, o.labelSelector, fieldSelector);
  } catch (err) {
    if (err instanceof SelectorError) return sendJson(req, res, 400, failure(400, err.message), false);
    throw err;
  }
  const rs = store.of(route.def);
  const legacy = o.resourceVersion === '' || o.resourceVersion === '0';
  const initial = o.sendInitialEvents ?? legacy;
  // sendInitialEvents=false with RV unset/"0" starts from now, without the synthetic ADDED events.
  const from = legacy ? (initial ? 0 : store.rv) : Number(o.resourceVersion);
  if (initial && from > store.rv && !(await store.waitForRv(from, cfg.tooLargeWaitMs))) {
    const st = tooLargeResourceVersion(from, store.rv);
    return sendJson(req, res, 504, st, false);
  }
  if (res.destroyed) return;
  res.writeHead(200, { ...baseHeaders(), 'Content-Type': 'application/json' });
  res.flushHeaders();
  let unsubscribe = (): void => {};
  const w = new Watcher(res, route.def, filter, cfg.faults, (closed) => {
    unsubscribe();
    cfg.closed(closed);
  });
  cfg.opened(w);
  if (cfg.faults.silent) w.stuck = true;
  if (!initial && from < rs.compactedRv) return w.fail(tooOldResourceVersion(from, rs.compactedRv));
  if (initial) {
    const keys = [...rs.items.keys()].filter((k) => k.startsWith(filter.prefix)).sort();
    for (const k of keys) {
      const obj = rs.items.get(k);
      if (filter.match(obj)) w.send('ADDED', obj);
    }
    if (o.sendInitialEvents === true && o.allowWatchBookmarks) w.bookmark(store.rv, { 'k8s.io/initial-events-end': 'true' });
  } else {
    for (const ev of rs.eventsAfter(from)) w.deliver(ev);
  }
  unsubscribe = rs.subscribe((ev) => w.deliver(ev));
  if (o.allowWatchBookmarks) w.every(cfg.bookmarkIntervalMs, () => w.bookmark(store.rv));
  const timeout = o.timeoutSeconds || cfg.watchTimeoutSeconds;
  if (timeout > 0) w.endAfter(timeout * 1000);
}
