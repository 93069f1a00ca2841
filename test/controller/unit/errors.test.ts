// Typed API errors: decisions from the HTTP status and the Status reason, never from text.
import { describe, expect, it } from 'vitest';
import { ApiError, isAlreadyExists, isConflict, isNotFound, isTransient, NotLeaderError } from '../../../src/controller/kube/errors.ts';

type Verdicts = { notFound: boolean; alreadyExists: boolean; conflict: boolean; transient: boolean };
const no: Verdicts = { notFound: false, alreadyExists: false, conflict: false, transient: false };

const table: [string, unknown, Verdicts][] = [
  ['404 NotFound', new ApiError(404, 'NotFound', 'jobs.batch "x" not found'), { ...no, notFound: true }],
  ['409 AlreadyExists', new ApiError(409, 'AlreadyExists', 'jobs.batch "x" already exists'), { ...no, alreadyExists: true }],
  ['409 Conflict (stale resourceVersion): retried', new ApiError(409, 'Conflict', 'the object has been modified'), { ...no, conflict: true, transient: true }],
  ['429 TooManyRequests', new ApiError(429, 'TooManyRequests', 'slow down', 3), { ...no, transient: true }],
  ['500 InternalError', new ApiError(500, 'InternalError', 'etcdserver: leader changed'), { ...no, transient: true }],
  ['503 ServiceUnavailable', new ApiError(503, 'ServiceUnavailable', ''), { ...no, transient: true }],
  ['504 Timeout', new ApiError(504, 'Timeout', ''), { ...no, transient: true }],
  ['no answer at all (status 0)', new ApiError(0, 'ConnectionReset', 'socket hang up'), { ...no, transient: true }],
  ['400 BadRequest', new ApiError(400, 'BadRequest', ''), no],
  ['401 Unauthorized', new ApiError(401, 'Unauthorized', ''), no],
  ['403 Forbidden', new ApiError(403, 'Forbidden', 'cannot create pods'), no],
  ['410 Gone', new ApiError(410, 'Expired', ''), no],
  ['422 Invalid', new ApiError(422, 'Invalid', 'spec.template: Required value'), no],
  // Text that reads like an error is no error of ours.
  ['a plain Error that says "not found"', new Error('404 not found: AlreadyExists Conflict'), no],
  ['an object shaped like a Status', { status: 404, reason: 'NotFound' }, no],
  ['undefined', undefined, no],
  ['NotLeaderError', new NotLeaderError('lost the lease'), no],
];

describe('API error predicates', () => {
  it.each(table)('%s', (_name, e, want) => {
    expect({ notFound: isNotFound(e), alreadyExists: isAlreadyExists(e), conflict: isConflict(e), transient: isTransient(e) }).toEqual(want);
  });

  it('carry stable codes and what the Status said', () => {
    const e = new ApiError(429, 'TooManyRequests', 'slow down', 7);
    expect(e).toBeInstanceOf(Error);
    expect([e.name, e.code, e.status, e.reason, e.message, e.retryAfterSeconds]).toEqual(['ApiError', 'KAYCI_API', 429, 'TooManyRequests', 'slow down', 7]);
    const n = new NotLeaderError('x');
    expect([n.name, n.code]).toEqual(['NotLeaderError', 'KAYCI_NOT_LEADER']);
  });
});
