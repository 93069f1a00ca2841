// Typed API errors. Decisions are made on the HTTP status and the Status `reason`, never on
// message text (DESIGN practice 9).

export class ApiError extends Error {
  override name = 'ApiError';
  readonly code = 'KAYCI_API';
  /** HTTP status; 0 when the request never got an answer (connection reset, timeout). */
  readonly status: number;
  /** The Status body's reason: NotFound, AlreadyExists, Conflict, Invalid, TooManyRequests, … */
  readonly reason: string;
  readonly retryAfterSeconds?: number;
  constructor(status: number, reason: string, message: string, retryAfterSeconds?: number) {
    super(message);
    this.status = status;
    this.reason = reason;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Another replica holds the lease: this one must not write. */
export class NotLeaderError extends Error {
  override name = 'NotLeaderError';
  readonly code = 'KAYCI_NOT_LEADER';
}

export const isNotFound = (e: unknown): boolean => e instanceof ApiError && e.status === 404;
export const isAlreadyExists = (e: unknown): boolean => e instanceof ApiError && e.status === 409 && e.reason === 'AlreadyExists';
export const isConflict = (e: unknown): boolean => e instanceof ApiError && e.status === 409 && e.reason !== 'AlreadyExists';

/** Worth retrying with backoff: throttling, server trouble, or no answer at all. */
export function isTransient(e: unknown): boolean {
  if (!(e instanceof ApiError)) return false;
  return e.status === 0 || e.status === 429 || e.status >= 500 || isConflict(e);
}
