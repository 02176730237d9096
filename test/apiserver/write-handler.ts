/**
 * POST (create), PUT (update) and DELETE over HTTP, so kubectl-like tools and the product's own tests
 * can write too. PATCH and deletecollection are not served (405).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ValidationError } from './defaults.ts';
import { readBody, sendJson } from './http-util.ts';
import { objectKey } from './resources.ts';
import type { ResourceRoute } from './routes.ts';
import { type Status, alreadyExists, failure, notFound, success } from './status.ts';
import type { Store } from './store.ts';

/** Serves a non-GET request on a resource path. */
export async function serveWrite(req: IncomingMessage, res: ServerResponse, store: Store, route: ResourceRoute, method: string): Promise<void> {
  const send = (st: Status): void => sendJson(req, res, st.code ?? 200, st, false);
  const { def, namespace, name } = route;
  const notAllowed = failure(405, 'the server does not allow this method on the requested resource');
  if (method === 'DELETE' && name !== undefined) {
    const gone = store.remove(def, namespace, name);
    if (!gone) return send(notFound(def.resource, def.group, name));
    return send(success({ name, ...(def.group ? { group: def.group } : {}), kind: def.resource, uid: gone.metadata.uid }));
  }
  const creating = method === 'POST' && name === undefined && (namespace !== undefined || !def.namespaced);
  const updating = method === 'PUT' && name !== undefined;
  if (!creating && !updating) return send(notAllowed);
  const text = await readBody(req);
  if (text === undefined) return send(failure(413, 'Request entity too large: limit is 3145728'));
  let obj: any;
  try {
    obj = JSON.parse(text);
  } catch (err) {
    return send(failure(400, `couldn't get version/kind; json parse error: ${(err as Error).message}`));
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return send(failure(400, 'Object \'Kind\' is missing in request body'));
  if (obj.kind !== undefined && obj.kind !== def.kind) return send(failure(400, `the API version in the data (${obj.apiVersion}) / kind (${obj.kind}) does not match the expected ${def.apiVersion} ${def.kind}`));
  obj.kind = def.kind;
  obj.apiVersion ??= def.apiVersion;
  obj.metadata = { ...obj.metadata };
  if (def.namespaced) {
    if (obj.metadata.namespace !== undefined && obj.metadata.namespace !== namespace) {
      return send(failure(400, 'the namespace of the provided object does not match the namespace sent on the request'));
    }
    obj.metadata.namespace = namespace;
  }
  const key = objectKey(def, namespace, String(obj.metadata.name ?? name ?? ''));
  const existing = store.of(def).items.get(key);
  if (creating && existing) return send(alreadyExists(def.resource, def.group, String(obj.metadata.name)));
  if (updating) {
    if (obj.metadata.name !== undefined && obj.metadata.name !== name) {
      return send(failure(400, `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`));
    }
    obj.metadata.name = name;
    if (!existing) return send(notFound(def.resource, def.group, name!));
    const rv = obj.metadata.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== existing.metadata.resourceVersion) {
      const what = def.group ? `${def.resource}.${def.group}` : def.resource;
      return send(failure(409, `Operation cannot be fulfilled on ${what} "${name}": the object has been modified; please apply your changes to the latest version and try again`, { reason: 'Conflict', details: { name, kind: def.resource } }));
    }
  }
  try {
    const { obj: stored } = store.apply(obj);
    sendJson(req, res, creating ? 201 : 200, stored, true);
  } catch (err) {
    if (err instanceof ValidationError) return send(failure(422, err.message));
    throw err;
  }
}
