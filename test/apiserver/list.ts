/**
 * LIST as kube-apiserver serves it: a snapshot at one resourceVersion, items in key order without
 * kind/apiVersion, `limit`/`continue` pages that stay on the first page's snapshot (Exact), and the
 * resourceVersion/resourceVersionMatch table of the API concepts page:
 * unset = most recent, "0" = any (we serve current), N = not older than N, or Exact N when
 * resourceVersionMatch=Exact or when a limit is set without a match (the legacy rule).
 */
import { SelectorError } from './label-selector.ts';
import { makeFilter } from './filter.ts';
import type { ListOptions } from './list-options.ts';
import type { ResourceDef } from './resources.ts';
import { type Status, failure, tooLargeResourceVersion } from './status.ts';
import type { Store } from './store.ts';

/** A response: HTTP code and JSON body. */
export interface Reply {
  code: number;
  body: unknown;
}

interface ContinueToken {
  rv: number;
  start: string;
}

/** Encodes a continue token the way apiserver does (base64url JSON); rv -1 = inconsistent continuation. */
export function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

function decodeContinue(token: string): ContinueToken | undefined {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: unknown; rv?: unknown; start?: unknown };
    if (t.v !== 'meta.k8s.io/v1' || typeof t.rv !== 'number' || typeof t.start !== 'string' || !Number.isInteger(t.rv)) return undefined;
    return { rv: t.rv, start: t.start };
  } catch {
    return undefined;
  }
}

const status = (st: Status): Reply => ({ code: st.code ?? 200, body: st });

/** The message apiserver (storage/etcd3) sends with an expired continue token. */
const CONTINUE_EXPIRED =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

/** Picks the snapshot RV and start key of a list, or the error Status. */
async function snapshotOf(store: Store, def: ResourceDef, o: ListOptions, waitMs: number): Promise<{ rv: number; start: string } | Status> {
  const rs = store.of(def);
  if (o.continue) {
    if (o.resourceVersion !== '' && o.resourceVersion !== '0') return failure(400, 'specifying resource version is not allowed when using continue');
    const tok = decodeContinue(o.continue);
    if (!tok || tok.rv > store.rv || tok.rv < -1 || tok.rv === 0) return failure(400, 'invalid continue token: continue key is not valid');
    if (tok.rv === -1) return { rv: store.rv, start: tok.start };
    if (tok.rv < rs.compactedRv) return failure(410, CONTINUE_EXPIRED, { metadata: { continue: encodeContinue(-1, tok.start) } });
    return tok;
  }
  if (o.resourceVersion === '' || o.resourceVersion === '0') return { rv: store.rv, start: '' };
  const n = Number(o.resourceVersion);
  const exact = o.resourceVersionMatch === 'Exact' || (o.resourceVersionMatch === '' && o.limit > 0);
  if (n > store.rv && !(await store.waitForRv(n, waitMs))) return tooLargeResourceVersion(n, store.rv);
  if (!exact) return { rv: store.rv, start: '' };
  if (n < rs.compactedRv) return failure(410, 'The resourceVersion for the provided list is too old.');
  return { rv: n, start: '' };
}

/** Serves a LIST of `def` in `namespace` (undefined = all namespaces / cluster-scoped). */
export async function serveList(store: Store, def: ResourceDef, namespace: string | undefined, o: ListOptions, waitMs: number): Promise<Reply> {
  let filter;
  try {
    filter = makeFilter(def, namespace, o.labelSelector, o.fieldSelector);
  } catch (err) {
    if (err instanceof SelectorError) return status(failure(400, err.message));
    throw err;
  }
  const snap = await snapshotOf(store, def, o, waitMs);
  if ('kind' in snap) return status(snap);
  const rs = store.of(def);
  const state = snap.rv === store.rv ? rs.items : rs.stateAt(snap.rv);
  const keys = [...state.keys()].filter((k) => k.startsWith(filter.prefix) && k >= snap.start).sort();
  const items: unknown[] = [];
  let next = keys.length;
  for (let i = 0; i < keys.length; i++) {
    const obj = state.get(keys[i]!);
    if (!filter.match(obj)) continue;
    const { kind: _k, apiVersion: _a, ...item } = obj;
    items.push(item);
    if (o.limit > 0 && items.length >= o.limit) {
      next = i + 1;
      break;
    }
  }
  const metadata: Record<string, unknown> = { resourceVersion: String(snap.rv) };
  // As etcd does, "more" means more keys, matching or not: a selector can leave the next page empty.
  if (next < keys.length) {
    metadata.continue = encodeContinue(snap.rv, `${keys[next - 1]}\u0000`);
    if (!filter.hasSelectors) metadata.remainingItemCount = keys.length - next;
  }
  return { code: 200, body: { kind: def.listKind, apiVersion: def.apiVersion, metadata, items } };
}
