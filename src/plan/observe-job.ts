// What a Kubernetes Job and its Pods say about a job of a Run, as the planner's JobObservation:
// running or final, attempts spent, why it failed, and the results its containers wrote as
// termination messages. Pure: the controller passes what its informers hold.
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IPod } from 'kubernetes-models/v1/Pod';
import type { JobObservation } from './engine.ts';
import { parseResults } from './env.ts';

type Condition = NonNullable<NonNullable<IJob['status']>['conditions']>[number];

function condition(job: IJob, ...types: string[]): Condition | undefined {
  return job.status?.conditions?.find((c) => types.includes(c.type) && c.status === 'True');
}

/** RFC 3339 as the API server writes it (whole seconds), whether the client gave a string or a Date. */
function time(t: unknown): string | undefined {
  if (t === undefined || t === null) return undefined;
  return t instanceof Date ? t.toISOString().replace(/\.000Z$/, 'Z') : String(t);
}

/** Results from every container's termination message (init containers first; later wins). */
export function podResults(pod: IPod): { results: Record<string, string>; error?: string } {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const results: Record<string, string> = {};
  for (const s of statuses) {
    const message = s.state?.terminated?.message;
    if (!message) continue;
    const parsed = parseResults(message);
    if (parsed.error) return { results, error: `container ${s.name}: ${parsed.error}` };
    Object.assign(results, parsed.results);
  }
  return { results };
}

/** The pod an outcome is read from: the newest one in the given phase. */
function newest(pods: readonly IPod[], phase: string): IPod | undefined {
  return pods
    .filter((p) => p.status?.phase === phase)
    .sort((a, b) => String(time(a.metadata?.creationTimestamp) ?? '').localeCompare(String(time(b.metadata?.creationTimestamp) ?? '')))
    .at(-1);
}

/** How long a completed Job may wait for its succeeded pod to reach the cache. */
export const POD_GRACE_MS = 30_000;

export interface ObserveOptions {
  /** The job declares results, so its succeeded pod must be read before it counts as done. */
  readonly expectsResults?: boolean;
  readonly nowMs?: number;
}

export function observeJob(job: IJob, pods: readonly IPod[], options: ObserveOptions = {}): JobObservation {
  const status = job.status ?? {};
  // Failed pods the Job counts; disruptions its pod failure policy ignores are not in `failed`.
  // The Job controller sets FailureTarget while the last failed pod is still in
  // uncountedTerminatedPods (moved into `failed` by a later write): count both, each pod is in one.
  const failed = (status.failed ?? 0) + (status.uncountedTerminatedPods?.failed?.length ?? 0);
  const attempts = Math.max(1, failed + ((status.active ?? 0) > 0 || (status.succeeded ?? 0) > 0 ? 1 : 0));
  const base = {
    attempts,
    jobName: job.metadata?.name,
    startTime: time(status.startTime) ?? time(job.metadata?.creationTimestamp),
  };
  const done = condition(job, 'Complete');
  if (done) {
    const pod = newest(pods, 'Succeeded');
    const completionTime = time(status.completionTime) ?? time(done.lastTransitionTime);
    // Jobs and Pods come through separate watches: the Job may say Complete before its pod's
    // final state (and termination messages) arrived. Wait for it, a little while.
    if (!pod && options.expectsResults && options.nowMs !== undefined && options.nowMs - (Date.parse(completionTime ?? '') || 0) < POD_GRACE_MS) {
      return { ...base, phase: 'Running', reason: 'AwaitingPod' };
    }
    const { results, error } = pod ? podResults(pod) : { results: {} };
    if (error) return { ...base, phase: 'Failed', completionTime, reason: 'BadResults', message: error };
    return { ...base, phase: 'Succeeded', completionTime, results };
  }
  const fail = condition(job, 'Failed', 'FailureTarget');
  if (fail) {
    const pod = newest(pods, 'Failed');
    const exit = pod && lastExit(pod);
    const message = [fail.message, exit].filter(Boolean).join('; ');
    return {
      ...base,
      phase: 'Failed',
      completionTime: time(fail.lastTransitionTime),
      reason: fail.reason ?? 'Failed',
      message: message || undefined,
      results: pod ? podResults(pod).results : undefined,
    };
  }
  return { ...base, phase: 'Running' };
}

/** `step test exited with code 2` for the last container of a failed pod that failed. */
function lastExit(pod: IPod): string | undefined {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const failed = statuses.filter((s) => (s.state?.terminated?.exitCode ?? 0) !== 0).at(-1);
  if (!failed) return undefined;
  const t = failed.state!.terminated!;
  return `container ${failed.name} exited with code ${t.exitCode}${t.reason && t.reason !== 'Error' ? ` (${t.reason})` : ''}`;
}
