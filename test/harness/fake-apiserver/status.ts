// metav1.Status bodies exactly as the real API server writes them, and the error class that
// carries one from the registry to the HTTP layer. client-node puts this body, as a JSON string,
// in ApiException.body, so controllers parse `reason`, `code` and `details` from here.

export type StatusReason =
  | 'BadRequest' | 'Unauthorized' | 'Forbidden' | 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Gone'
  | 'Invalid' | 'ServerTimeout' | 'Timeout' | 'TooManyRequests' | 'MethodNotAllowed' | 'NotAcceptable'
  | 'RequestEntityTooLarge' | 'UnsupportedMediaType' | 'InternalError' | 'Expired' | 'ServiceUnavailable';

export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

/** What a resource is called in messages and details: `jobs.batch`, or `configmaps` for core. */
export interface QualifiedResource {
  group: string;
  plural: string;
  kind: string;
}

export function qualified(r: QualifiedResource): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}

export class ApiError extends Error {
  readonly status: Status;
  readonly headers: Record<string, string>;

  constructor(status: Omit<Status, 'kind' | 'apiVersion' | 'metadata' | 'status'>, headers: Record<string, string> = {}) {
    super(status.message ?? status.reason ?? `HTTP ${status.code}`);
    this.status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', ...status };
    this.headers = headers;
  }

  get code(): number {
    return this.status.code;
  }
}

function details(r: QualifiedResource, name: string | undefined, extra: StatusDetails = {}): StatusDetails {
  const d: StatusDetails = {};
  if (name !== undefined) d.name = name;
  if (r.group) d.group = r.group;
  d.kind = r.plural;
  return { ...d, ...extra };
}

export const errors = {
  notFound(r: QualifiedResource, name: string): ApiError {
    return new ApiError({ message: `${qualified(r)} "${name}" not found`, reason: 'NotFound', details: details(r, name), code: 404 });
  },
  alreadyExists(r: QualifiedResource, name: string): ApiError {
    return new ApiError({ message: `${qualified(r)} "${name}" already exists`, reason: 'AlreadyExists', details: details(r, name), code: 409 });
  },
  conflict(r: QualifiedResource, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again'): ApiError {
    return new ApiError({ message: `Operation cannot be fulfilled on ${qualified(r)} "${name}": ${why}`, reason: 'Conflict', details: details(r, name), code: 409 });
  },
  invalid(r: QualifiedResource, name: string, causes: StatusCause[]): ApiError {
    const list = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
    const summary = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
    const kindGroup = r.group ? `${r.kind}.${r.group}` : r.kind;
    return new ApiError({
      message: `${kindGroup} "${name}" is invalid: ${summary}`,
      reason: 'Invalid',
      details: { name, ...(r.group ? { group: r.group } : {}), kind: r.kind, causes },
      code: 422,
    });
  },
  badRequest(message: string): ApiError {
    return new ApiError({ message, reason: 'BadRequest', code: 400 });
  },
  forbidden(r: QualifiedResource, name: string, why: string): ApiError {
    return new ApiError({ message: `${qualified(r)} "${name}" is forbidden: ${why}`, reason: 'Forbidden', details: details(r, name), code: 403 });
  },
  expired(message: string): ApiError {
    return new ApiError({ message, reason: 'Expired', code: 410 });
  },
  gone(message: string): ApiError {
    return new ApiError({ message, reason: 'Gone', code: 410 });
  },
  unauthorized(): ApiError {
    return new ApiError({ message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  },
  methodNotAllowed(method: string): ApiError {
    return new ApiError({ message: `the server does not allow this method on the requested resource (${method})`, reason: 'MethodNotAllowed', details: {}, code: 405 });
  },
  pathNotFound(): ApiError {
    return new ApiError({ message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 });
  },
  unsupportedMediaType(contentType: string, accepted: string[]): ApiError {
    return new ApiError({
      message: `the body of the request was in an unknown format (${contentType}) - accepted media types include: ${accepted.join(', ')}`,
      reason: 'UnsupportedMediaType',
      code: 415,
    });
  },
  tooLarge(message: string): ApiError {
    return new ApiError({ message, reason: 'RequestEntityTooLarge', code: 413 });
  },
  unprocessable(message: string): ApiError {
    return new ApiError({ message, reason: 'Invalid', code: 422 });
  },
  /** The status an injected fault answers with. */
  injected(code: number, r: QualifiedResource | undefined, name: string | undefined, retryAfterSeconds: number | undefined, message?: string): ApiError {
    const d = r ? details(r, name) : {};
    switch (code) {
      case 409:
        return r && name ? errors.conflict(r, name) : new ApiError({ message: message ?? 'Operation cannot be fulfilled: conflict', reason: 'Conflict', details: d, code });
      case 429: {
        const after = retryAfterSeconds ?? 1;
        return new ApiError(
          { message: message ?? 'Too many requests, please try again later.', reason: 'TooManyRequests', details: { ...d, retryAfterSeconds: after }, code },
          { 'retry-after': String(after) },
        );
      }
      case 500:
        return new ApiError({ message: `Internal error occurred: ${message ?? 'injected fault'}`, reason: 'InternalError', details: { causes: [{ message: message ?? 'injected fault' }] }, code });
      case 503:
        return new ApiError(
          { message: message ?? 'the server is currently unable to handle the request', reason: 'ServiceUnavailable', details: d, code },
          retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {},
        );
      case 504:
        return new ApiError({ message: message ?? 'the server was unable to return a response in the time allotted, but may still be processing the request', reason: 'Timeout', details: d, code });
      default:
        return new ApiError({ message: message ?? `injected fault ${code}`, code });
    }
  },
};

/** What a DELETE answers when the object is gone at once (no `code`, as the real server writes it). */
export function successStatus(r: QualifiedResource, name: string, uid: string | undefined): Omit<Status, 'code'> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: details(r, name, uid ? { uid } : {}) };
}
