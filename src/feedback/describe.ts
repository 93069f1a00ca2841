// What a Run looks like as commit statuses, decided from the Run alone (no I/O, no clock): one
// status per selected job, `<context>/<pipeline>/<job>`, and one for the Run,
// `<context>/<pipeline>`, each with a short description and a link to the logs. Every job a
// Run will never run is final once the Run is: a job still pending when its Run failed or was
// cancelled ends Cancelled, so no status on the commit waits forever.
import type { JobStatus, Run, RunPhase } from '../api/v1alpha1/run.ts';
import { selectJobs } from '../plan/snapshot.ts';
import type { CommitStatus } from './statuses.ts';

const TERMINAL = new Set<RunPhase | undefined>(['Succeeded', 'Failed', 'Cancelled']);

export interface DescribeOptions {
  /** First part of each context. @default "kayci" */
  readonly context?: string;
  /** The Trigger's `feedback.logsUrl` template. */
  readonly logsUrl?: string;
}

/** `42 s`, `3 min 5 s`, `2 h 4 min`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return s % 60 === 0 ? `${Math.floor(s / 60)} min` : `${Math.floor(s / 60)} min ${s % 60} s`;
  const m = Math.floor(s / 60);
  return m % 60 === 0 ? `${Math.floor(m / 60)} h` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

function took(start?: string, end?: string): string | undefined {
  const a = Date.parse(start ?? '');
  const b = Date.parse(end ?? '');
  return Number.isFinite(a) && Number.isFinite(b) && b >= a ? formatDuration(b - a) : undefined;
}

/**
 * The logs link: `{namespace}`, `{pipeline}`, `{run}` and `{job}` replaced by their values,
 * percent-encoded (so a value can neither end the path nor start a query). Undefined when the
 * result is not an http(s) URL.
 */
export function expandLogsUrl(template: string | undefined, values: { namespace: string; pipeline: string; run: string; job?: string }): string | undefined {
  if (!template) return undefined;
  const url = template.replace(/\{(namespace|pipeline|run|job)\}/g, (_, key: 'namespace' | 'pipeline' | 'run' | 'job') => encodeURIComponent(values[key] ?? ''));
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

function held(run: Run): boolean {
  return run.spec.hold === true || run.status?.reason === 'AwaitingApproval';
}

/** Why a Run (or its jobs) has not started yet. */
function waiting(run: Run): string | undefined {
  if (held(run)) return 'waiting for /ok-to-test';
  if (run.status?.reason === 'Queued') return 'queued behind an earlier run';
  if (run.status?.reason === 'PipelineNotFound') return 'waiting for its Pipeline';
  return undefined;
}

/** `exit code 1`, or `exit code 137 (OOMKilled) in container build`, from a job's failure message. */
function exitSummary(message: string | undefined): string | undefined {
  const m = /container (\S+) exited with code (\d+)(?: \(([^)]+)\))?/.exec(message ?? '');
  if (!m) return undefined;
  return `exit code ${m[2]}${m[3] ? ` (${m[3]})` : ''}${m[1] === 'main' ? '' : ` in container ${m[1]}`}`;
}

/** The description of one job's status. */
export function jobDescription(job: JobStatus | undefined, run: Run): string {
  const attempts = job?.attempts ?? 0;
  switch (job?.phase) {
    case undefined:
    case 'Pending':
      return waiting(run) ?? 'waiting to start';
    case 'Running':
      return attempts > 1 ? `running (attempt ${attempts})` : 'running';
    case 'Succeeded': {
      const t = took(job.startTime, job.completionTime);
      return `succeeded${t ? ` in ${t}` : ''}${attempts > 1 ? ` (attempt ${attempts})` : ''}`;
    }
    case 'Failed': {
      const after = attempts > 1 ? ` after ${attempts} attempts` : '';
      const exit = exitSummary(job.message);
      if (exit) return `failed: ${exit}${after}`;
      if (job.reason === 'DeadlineExceeded') return `failed: timed out${after}`;
      const why = job.message ?? job.reason;
      return `failed${why ? `: ${why}` : ''}${after}`;
    }
    case 'Skipped':
      if (job.reason === 'FilteredOut') return `skipped: filtered out${job.message ? ` (${job.message})` : ''}`;
      if (job.reason === 'NoFailure') return 'skipped: runs only after a failure';
      return `skipped${job.message ? `: ${job.message}` : ''}`;
    case 'Cancelled':
      return run.status?.reason === 'Superseded' ? 'cancelled: superseded by a newer run' : 'cancelled';
  }
}

/** The description of the Run's own status. */
export function runDescription(run: Run): string {
  const s = run.status;
  switch (s?.phase) {
    case undefined:
    case 'Pending':
      return waiting(run) ?? 'pending';
    case 'Running':
      return 'running';
    case 'Succeeded': {
      if (s.reason === 'NothingToRun') return 'succeeded: every job was skipped';
      const t = took(s.startTime, s.completionTime);
      const skipped = (s.jobs ?? []).filter((j) => j.phase === 'Skipped').length;
      return `succeeded${t ? ` in ${t}` : ''}${skipped > 0 ? ` (${skipped} skipped)` : ''}`;
    }
    case 'Failed':
      // The planner's message names the failed jobs: "failed: test (2 succeeded, 1 failed, …)".
      if (s.message?.startsWith('failed')) return s.message;
      return `failed${s.reason ? `: ${s.reason}` : ''}${s.message ? ` (${s.message})` : ''}`;
    case 'Cancelled':
      return s.reason === 'Superseded' ? 'cancelled: superseded by a newer run' : 'cancelled';
  }
}

/** The names of the jobs the Run executes, in pipeline order; none when it has no (usable) snapshot. */
export function selectedJobs(run: Run): string[] {
  const spec = run.spec.pipelineSpec;
  if (!spec) return [];
  try {
    return selectJobs(spec.jobs, run.spec.jobs).map((j) => j.name);
  } catch {
    // Unknown job names: the Run fails as InvalidRun, which its own status says.
    return [];
  }
}

/** Every status the commit should show for this Run now: the jobs' in pipeline order, then the Run's. */
export function desiredStatuses(run: Run, options: DescribeOptions = {}): CommitStatus[] {
  const prefix = options.context ?? 'kayci';
  const pipeline = run.spec.pipelineRef.name;
  const values = { namespace: run.metadata.namespace ?? '', pipeline, run: run.metadata.name ?? '' };
  const byName = new Map((run.status?.jobs ?? []).map((j) => [j.name, j]));
  const final = TERMINAL.has(run.status?.phase);
  const out: CommitStatus[] = [];
  for (const name of selectedJobs(run)) {
    const job = byName.get(name);
    const targetUrl = expandLogsUrl(options.logsUrl, { ...values, job: name });
    const context = `${prefix}/${pipeline}/${name}`;
    if (final && (!job || job.phase === 'Pending' || job.phase === 'Running')) {
      // The Run is over and this job never finished: it never will.
      const why = run.status?.phase === 'Cancelled' ? jobDescription({ name, phase: 'Cancelled' }, run) : `not run: the run ${run.status?.phase === 'Failed' ? `failed${run.status.reason ? ` (${run.status.reason})` : ''}` : 'ended'}`;
      out.push({ context, phase: 'Cancelled', description: why, targetUrl });
      continue;
    }
    out.push({ context, phase: job?.phase ?? 'Pending', description: jobDescription(job, run), targetUrl });
  }
  out.push({ context: `${prefix}/${pipeline}`, phase: run.status?.phase ?? 'Pending', description: runDescription(run), targetUrl: expandLogsUrl(options.logsUrl, { ...values, job: '' }) });
  return out;
}
