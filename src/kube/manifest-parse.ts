/**
 * One manifest file's text -> slim objects. Multi-document YAML (JSON is YAML too); `List` kinds
 * (List, ServiceList...) are unwrapped; kinds DNS does not use are skipped silently. Errors name
 * the file, the document (1-based) and its line, and the file's objects are then not used at all:
 * the caller keeps the file's last good version.
 */
import { createHash } from 'node:crypto';
import { yaml } from './lazy-yaml.js';
import { type ConvertOptions, converters, kindOf } from './convert.js';
import type { Kind, KindMap } from './objects.js';
import { isObject } from './raw-fields.js';

/** A converted object and its kind. */
export type ManifestObject = { [K in Kind]: { kind: K; obj: KindMap[K] } }[Kind];

/** The outcome of parsing one file: objects when `errors` is empty. */
export interface ParsedManifest {
  objects: ManifestObject[];
  errors: string[];
}

/** Namespace of objects that do not name one (kubectl's default). */
export const DEFAULT_NAMESPACE = 'default';

/** Parses the text of `file`. Never throws. */
export function parseManifest(file: string, text: string, keep: (kind: Kind, raw: unknown) => boolean = () => true, opts?: ConvertOptions): ParsedManifest {
  const objects: ManifestObject[] = [];
  const errors: string[] = [];
  const { LineCounter, parseAllDocuments } = yaml();
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [];
  list.forEach((doc, i) => {
    const line = lines.linePos(doc.contents?.range[0] ?? doc.range[0]).line;
    const where = `${file}: document ${i + 1} (line ${line})`;
    if (doc.errors.length) {
      for (const e of doc.errors) errors.push(`${file}: document ${i + 1} (line ${lines.linePos(e.pos[0]).line}): ${firstLine(e.message)}`);
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      errors.push(`${where}: ${(err as Error).message}`);
      return;
    }
    if (value == null) return; // empty document (`---` at the end, comments only)
    if (!isObject(value)) {
      errors.push(`${where}: expected a Kubernetes object (a mapping), got ${Array.isArray(value) ? 'a list' : typeof value}`);
      return;
    }
    const isList = typeof value.kind === 'string' && value.kind.endsWith('List') && 'items' in value;
    if (isList && !Array.isArray(value.items)) {
      errors.push(`${where}: ${value.kind}.items must be a list`);
      return;
    }
    const items = isList ? (value.items as unknown[]) : [value];
    items.forEach((item, j) => {
      const at = isList ? `${where}, item ${j + 1}` : where;
      const kind = kindOf(item);
      if (!kind || !keep(kind, item)) return;
      try {
        objects.push(withContentVersion(kind, converters[kind](item, DEFAULT_NAMESPACE, opts)));
      } catch (err) {
        errors.push(`${at}: ${(err as Error).message}`);
      }
    });
  });
  return errors.length ? { objects: [], errors } : { objects, errors };
}

/**
 * Manifests rarely carry a resourceVersion, and one copied from `kubectl get -o yaml` does not
 * change when the file is edited: the version is a hash of the content, so edits are seen.
 */
function withContentVersion(kind: Kind, obj: KindMap[Kind]): ManifestObject {
  const hash = createHash('sha1').update(JSON.stringify({ ...obj, resourceVersion: '' })).digest('hex').slice(0, 16);
  return { kind, obj: { ...obj, resourceVersion: `m-${hash}` } } as ManifestObject;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
