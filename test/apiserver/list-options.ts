/**
 * Query parameters of a list/watch, decoded and validated as apiserver does (ValidateListOptions with
 * the WatchList rules): bad values are 400 BadRequest, forbidden combinations 422 Invalid.
 */
import { type Status, failure, invalidListOptions } from './status.ts';

/** The decoded options. */
export interface ListOptions {
  watch: boolean;
  resourceVersion: string;
  resourceVersionMatch: string;
  limit: number;
  continue: string;
  labelSelector: string;
  fieldSelector: string;
  allowWatchBookmarks: boolean;
  /** undefined when absent (only then does the legacy watch behaviour apply). */
  sendInitialEvents: boolean | undefined;
  timeoutSeconds: number;
}

/** apimachinery's Convert_Slice_string_To_bool: "0" and "false" (any case) are false, anything else true. */
function parseBool(v: string | null): boolean | undefined {
  if (v === null) return undefined;
  return !(v === '0' || v.toLowerCase() === 'false');
}

function parseInt64(name: string, v: string | null): number | Status {
  if (v === null || v === '') return 0;
  if (!/^-?\d+$/.test(v)) return failure(400, `${name}: strconv.ParseInt: parsing "${v}": invalid syntax`);
  return Number(v);
}

const isStatus = (v: unknown): v is Status => typeof v === 'object' && v !== null && (v as Status).kind === 'Status';

/** Decodes and validates; returns a Status for a bad request. `forceWatch` for /watch/ paths. */
export function parseListOptions(q: URLSearchParams, forceWatch = false): ListOptions | Status {
  const limit = parseInt64('limit', q.get('limit'));
  const timeout = parseInt64('timeoutSeconds', q.get('timeoutSeconds'));
  if (isStatus(limit)) return limit;
  if (isStatus(timeout)) return timeout;
  const o: ListOptions = {
    watch: forceWatch || parseBool(q.get('watch')) === true,
    resourceVersion: q.get('resourceVersion') ?? '',
    resourceVersionMatch: q.get('resourceVersionMatch') ?? '',
    limit: Math.max(0, limit),
    continue: q.get('continue') ?? '',
    labelSelector: q.get('labelSelector') ?? '',
    fieldSelector: q.get('fieldSelector') ?? '',
    allowWatchBookmarks: parseBool(q.get('allowWatchBookmarks')) === true,
    sendInitialEvents: parseBool(q.get('sendInitialEvents')),
    timeoutSeconds: Math.max(0, timeout),
  };
  if (o.resourceVersion !== '' && !/^\d+$/.test(o.resourceVersion)) {
    return failure(400, `invalid resource version: strconv.ParseUint: parsing "${o.resourceVersion}": invalid syntax`);
  }
  const causes = validate(o);
  return causes.length > 0 ? invalidListOptions(causes) : o;
}

function validate(o: ListOptions): Array<{ field: string; message: string }> {
  const out: Array<{ field: string; message: string }> = [];
  const rvm = 'resourceVersionMatch';
  const m = o.resourceVersionMatch;
  if (o.watch) {
    if (o.sendInitialEvents !== undefined && m !== 'NotOlderThan') out.push({ field: rvm, message: 'Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan' });
    if (m) {
      if (o.sendInitialEvents === undefined) out.push({ field: rvm, message: 'Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided' });
      if (m !== 'NotOlderThan') out.push({ field: rvm, message: `Unsupported value: "${m}": supported values: "NotOlderThan"` });
      if (o.continue) out.push({ field: rvm, message: 'Forbidden: resourceVersionMatch is forbidden when continue is provided' });
    }
    return out;
  }
  if (o.sendInitialEvents !== undefined) out.push({ field: 'sendInitialEvents', message: 'Forbidden: sendInitialEvents is forbidden for list' });
  if (m) {
    if (!o.resourceVersion) out.push({ field: rvm, message: 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided' });
    if (o.continue) out.push({ field: rvm, message: 'Forbidden: resourceVersionMatch is forbidden when continue is provided' });
    if (m !== 'Exact' && m !== 'NotOlderThan') out.push({ field: rvm, message: `Unsupported value: "${m}": supported values: "Exact", "NotOlderThan", ""` });
    if (m === 'Exact' && o.resourceVersion === '0') out.push({ field: rvm, message: 'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"' });
  }
  return out;
}
