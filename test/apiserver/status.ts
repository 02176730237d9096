/**
 * `Status` objects, the body of every API error (and of the in-stream watch ERROR event).
 * Reasons and messages follow k8s.io/apimachinery/pkg/api/errors so clients that branch on them behave
 * as they would against a real kube-apiserver.
 */

/** A metav1.Status body. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: { continue?: string };
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: Record<string, unknown>;
  /** Absent on Success, as apimachinery omits a zero code. */
  code?: number;
}

/** The StatusReason apimachinery uses for each HTTP code when nothing more specific applies. */
const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** The message apimachinery uses when an error carries no specific one. */
const MESSAGES: Record<number, string> = {
  401: 'Unauthorized',
  429: 'Too many requests, please try again later.',
  500: 'Internal error occurred: simulated failure',
  503: 'The server is currently unable to handle the request',
  504: 'The server was unable to return a response in the time allotted, but may still be processing the request',
};

/** A Failure Status for an HTTP code; reason and message default as apimachinery's would. */
export function failure(code: number, message?: string, extra: Partial<Status> = {}): Status {
  const reason = REASONS[code] ?? (code >= 500 ? 'InternalError' : '');
  const st: Status = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: message ?? MESSAGES[code] ?? `simulated ${code}`,
    reason,
    code,
    ...extra,
  };
  if (!st.reason) delete st.reason;
  return st;
}

/** 404 for a path that names no resource (the exact text kube-apiserver uses). */
export function unknownPath(): Status {
  return failure(404, 'the server could not find the requested resource', { details: {} });
}

/** 404 for a missing object: `services "foo" not found`, `endpointslices.discovery.k8s.io "x" not found`. */
export function notFound(resource: string, group: string, name: string): Status {
  const qualified = group ? `${resource}.${group}` : resource;
  const details: Record<string, unknown> = { name, kind: resource };
  if (group) details.group = group;
  return failure(404, `${qualified} "${name}" not found`, { details });
}

/** 409 AlreadyExists for a create of an existing object. */
export function alreadyExists(resource: string, group: string, name: string): Status {
  const qualified = group ? `${resource}.${group}` : resource;
  const details: Record<string, unknown> = { name, kind: resource };
  if (group) details.group = group;
  return failure(409, `${qualified} "${name}" already exists`, { reason: 'AlreadyExists', details });
}

/** 422 Invalid for bad list/watch options, formatted as apimachinery's NewInvalid on ListOptions. */
export function invalidListOptions(causes: Array<{ field: string; message: string }>): Status {
  const text = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  const msg = causes.length > 1 ? `[${text}]` : text;
  return failure(422, `ListOptions.meta.k8s.io "" is invalid: ${msg}`, {
    details: {
      group: 'meta.k8s.io',
      kind: 'ListOptions',
      causes: causes.map((c) => ({ reason: c.message.startsWith('Unsupported') ? 'FieldValueNotSupported' : 'FieldValueForbidden', message: c.message, field: c.field })),
    },
  });
}

/** 410 Expired for a watch resuming before the retained history (sent as an in-stream ERROR event). */
export function tooOldResourceVersion(requested: number, oldest: number): Status {
  return failure(410, `too old resource version: ${requested} (${oldest})`);
}

/** 504 Timeout for a resourceVersion newer than the server has (apimachinery's NewTooLargeResourceVersionError). */
export function tooLargeResourceVersion(requested: number, current: number): Status {
  return failure(504, `Too large resource version: ${requested}, current: ${current}`, {
    details: { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 },
  });
}

/** A Success Status (the body of a DELETE). */
export function success(details: Record<string, unknown>): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}
