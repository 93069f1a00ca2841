// The planning engine: given a Run snapshot and what has been observed of its jobs, decides what
// starts, what is skipped (and why), what is cancelled, and the Run's phase. It is incremental —
// each observation costs O(edges it touches) — so the local runner keeps one engine for a whole
// run, while the controller, level-triggered, builds one per reconcile (see plan.ts). Both make
// the same decisions because they are the same code.
//
// Semantics, per job, once everything it waits for is final:
//   success (default): runs if every need succeeded; skipped if one failed (NeedsFailed) or was
//     skipped (NeedsSkipped).
//   failure: runs if a need failed, or was skipped because of a failure upstream; else skipped.
//   always:  runs whatever the outcome.
// Failure and always jobs without needs are "finally" jobs: they wait for every other job except
// the jobs that need a finally job, directly or not, which run after it (see graph.ts).
// Filters (branches, events, paths) skip a job up front (FilteredOut), whatever its needs did.
// Reasons and messages depend only on outcomes, never on the order they were observed in.
// A failure never cancels running jobs; only what depends on it is skipped (fail-fast without
// timing-dependent outcomes: the same jobs run whatever the parallelism).
import type { JobPhase, JobStatus, RunPhase, RunStatus } from '../api/v1alpha1/run.ts';
import { buildGraph, type Graph } from './graph.ts';
import type { RunSnapshot } from './snapshot.ts';
import { filterMiss, type FilterMiss } from './when.ts';

/** What a backend observed of one job: the Kubernetes Job's state, or the local process's. */
export interface JobObservation {
  readonly phase: 'Running' | 'Succeeded' | 'Failed';
  /** Attempts (pods or processes) started so far. */
  readonly attempts?: number;
  /** Name of the Kubernetes Job (or local equivalent). */
  readonly jobName?: string;
  readonly startTime?: string;
  readonly completionTime?: string;
  /** Results the job wrote; only declared ones are kept. */
  readonly results?: Readonly<Record<string, string>>;
  readonly reason?: string;
  readonly message?: string;
}

export interface StopAction {
  readonly job: string;
  readonly reason: 'RunCancelled' | 'DeadlineExceeded';
}

type Terminal = Exclude<JobPhase, 'Pending' | 'Running'>;
type State = 'waiting' | 'ready' | 'starting' | 'running' | Terminal;

const TERMINAL = new Set<State>(['Succeeded', 'Failed', 'Skipped', 'Cancelled']);

/** Extra time past a job's timeout before the planner stops it itself (the backend should first). */
export const DEADLINE_GRACE_SECONDS = 30;

export class PlanEngine {
  readonly snapshot: RunSnapshot;
  readonly graph: Graph;
  private readonly state: State[];
  private readonly statuses: (JobStatus | undefined)[];
  private readonly pending: Int32Array;
  /** Why a job is filtered out, if it is. */
  private readonly filtered: (FilterMiss | undefined)[];
  /** The job failed, was cancelled, or was skipped because something before it failed. */
  private readonly failedOutcome: Uint8Array;
  private readonly ready = new Set<number>();
  private readonly active = new Set<number>();
  private terminalCount = 0;
  private startedAny = false;
  private cancelled = false;

  /** Called whenever a job reaches a final state, cascades included. */
  private readonly onFinish?: (status: JobStatus) => void;

  /** `graph`: one built before for the same jobs (the controller keeps one per Run generation). */
  constructor(snapshot: RunSnapshot, options: { onFinish?: (status: JobStatus) => void; graph?: Graph } = {}) {
    this.snapshot = snapshot;
    this.onFinish = options.onFinish;
    const given = options.graph;
    this.graph = given && given.jobs.length === snapshot.jobs.length && given.jobs.every((j, i) => j.name === snapshot.jobs[i]!.name) ? given : buildGraph(snapshot.jobs);
    const n = snapshot.jobs.length;
    this.state = new Array<State>(n).fill('waiting');
    this.statuses = new Array<JobStatus | undefined>(n);
    this.pending = new Int32Array(n);
    for (let i = 0; i < n; i++) this.pending[i] = this.graph.waitsFor[i]!.length;
    this.failedOutcome = new Uint8Array(n);
    // All filters first, so that a filtered job is FilteredOut even when a filtered need of
    // its would otherwise skip it (NeedsSkipped) earlier in the cascade.
    this.filtered = snapshot.jobs.map((job) => filterMiss(job.when, snapshot.metadata));
    this.filtered.forEach((miss, i) => {
      if (miss) this.finish(i, 'Skipped', miss.reason, miss.message);
    });
    for (let i = 0; i < n; i++) if (this.pending[i] === 0) this.evaluate(i);
    if (snapshot.cancel) this.cancel();
  }

  /** Applies an observation. Final states are final: later observations of a finished job are ignored. */
  observe(name: string, obs: JobObservation): void {
    const i = this.graph.index.get(name);
    if (i === undefined || TERMINAL.has(this.state[i]!)) return;
    const base: JobStatus = {
      name,
      phase: obs.phase,
      attempts: obs.attempts,
      jobName: obs.jobName,
      startTime: obs.startTime,
      completionTime: obs.completionTime,
      reason: obs.reason,
      message: obs.message,
    };
    if (obs.phase === 'Running') {
      if (this.cancelled) {
        this.finish(i, 'Cancelled', 'RunCancelled', 'the run was cancelled', base);
        return;
      }
      this.ready.delete(i);
      if (!this.active.has(i)) this.active.add(i);
      this.state[i] = 'running';
      this.startedAny = true;
      this.statuses[i] = compact(base);
      return;
    }
    // Results are kept for failed jobs too: a `when: always` job may collect a failed test's report.
    const declared = this.snapshot.jobs[i]!.results ?? [];
    const results: Record<string, string> = {};
    for (const r of declared) if (obs.results && Object.hasOwn(obs.results, r.name)) results[r.name] = obs.results[r.name]!;
    const withResults = { ...base, results: declared.length > 0 && (obs.phase === 'Succeeded' || Object.keys(results).length > 0) ? results : undefined };
    if (obs.phase === 'Succeeded') {
      this.finish(i, 'Succeeded', obs.reason, obs.message, withResults);
      return;
    }
    const phase = this.cancelled ? 'Cancelled' : 'Failed';
    this.finish(i, phase, obs.reason ?? (this.cancelled ? 'RunCancelled' : 'Failed'), obs.message, withResults);
  }

  /** Restores a final job status from an earlier status write (its Job may be gone since). */
  restore(status: JobStatus): void {
    const i = this.graph.index.get(status.name);
    if (i === undefined || TERMINAL.has(this.state[i]!)) return;
    if (status.phase === 'Pending' || status.phase === 'Running') return;
    // Kept as it was written (not copied): the controller restores every final job on every
    // reconcile, and nothing here changes a status object once it is final.
    this.finish(i, status.phase, status.reason, status.message, status, true);
  }

  /** Jobs that may start now, in pipeline order; they stay ready until observed. */
  readyJobs(): string[] {
    return [...this.ready].sort((a, b) => a - b).map((i) => this.snapshot.jobs[i]!.name);
  }

  /**
   * Takes up to `limit` ready jobs (first ready, first taken) and marks them starting, so they
   * are not offered again; the caller reports each with observe(name, { phase: 'Running' }).
   */
  take(limit = Number.POSITIVE_INFINITY): string[] {
    const taken: string[] = [];
    for (const i of this.ready) {
      if (taken.length >= limit) break;
      this.ready.delete(i);
      this.active.add(i);
      this.state[i] = 'starting';
      this.startedAny = true;
      taken.push(this.snapshot.jobs[i]!.name);
    }
    return taken;
  }

  /** Cancels the run: nothing new starts; returns the jobs to stop, which end Cancelled. */
  cancel(): StopAction[] {
    this.cancelled = true;
    const stop: StopAction[] = [];
    for (const i of [...this.active]) {
      stop.push({ job: this.snapshot.jobs[i]!.name, reason: 'RunCancelled' });
      this.finish(i, 'Cancelled', 'RunCancelled', 'the run was cancelled');
    }
    for (let i = 0; i < this.state.length; i++) {
      if (!TERMINAL.has(this.state[i]!)) this.finish(i, 'Cancelled', 'RunCancelled', 'the run was cancelled');
    }
    return stop;
  }

  /** Running jobs past their timeout (plus grace) fail with DeadlineExceeded; returns them to stop. */
  overdue(nowMs: number): StopAction[] {
    const stop: StopAction[] = [];
    for (const i of [...this.active]) {
      const timeout = this.snapshot.jobs[i]!.timeoutSeconds;
      const started = this.statuses[i]?.startTime;
      if (timeout === undefined || started === undefined) continue;
      if (nowMs - Date.parse(started) > (timeout + DEADLINE_GRACE_SECONDS) * 1000) {
        stop.push({ job: this.snapshot.jobs[i]!.name, reason: 'DeadlineExceeded' });
        this.finish(i, 'Failed', 'DeadlineExceeded', `ran longer than its timeout of ${timeout}s`);
      }
    }
    return stop;
  }

  /** Jobs started (or starting) and not yet final. */
  activeJobs(): string[] {
    return [...this.active].map((i) => this.snapshot.jobs[i]!.name);
  }

  get done(): boolean {
    return this.terminalCount === this.state.length;
  }

  get isCancelled(): boolean {
    return this.cancelled;
  }

  /** `KAYCI_RESULT_*` values for a job: every declared result of every job it needs ('' when unwritten). */
  resultsFor(name: string): { job: string; result: string; value: string }[] {
    const i = this.graph.index.get(name);
    if (i === undefined) return [];
    const out: { job: string; result: string; value: string }[] = [];
    for (const n of this.graph.needs[i]!) {
      const need = this.snapshot.jobs[n]!;
      const written = this.statuses[n]?.results ?? {};
      for (const r of need.results ?? []) out.push({ job: need.name, result: r.name, value: Object.hasOwn(written, r.name) ? written[r.name]! : '' });
    }
    return out;
  }

  status(name: string): JobStatus | undefined {
    const i = this.graph.index.get(name);
    return i === undefined ? undefined : this.statuses[i];
  }

  /** The Run's phase from the jobs' states. */
  phase(): RunPhase {
    if (this.done) {
      if (this.cancelled && this.statuses.some((s) => s?.phase === 'Cancelled')) return 'Cancelled';
      return this.statuses.some((s) => s?.phase === 'Failed') ? 'Failed' : 'Succeeded';
    }
    return this.startedAny || this.terminalCount > 0 ? 'Running' : 'Pending';
  }

  /** Every job status that left Pending, in pipeline order. */
  jobStatuses(): JobStatus[] {
    return this.statuses.filter((s): s is JobStatus => s !== undefined);
  }

  /** The RunStatus this engine implies; `now` stamps times the observations did not carry. */
  runStatus(now: string, previous?: RunStatus): RunStatus {
    const phase = this.phase();
    const jobs = this.jobStatuses();
    const starts = jobs.map((j) => j.startTime).filter((t): t is string => t !== undefined).sort();
    const started = previous?.startTime ?? starts[0] ?? (phase === 'Pending' ? undefined : now);
    const terminal = phase === 'Succeeded' || phase === 'Failed' || phase === 'Cancelled';
    return compact({
      phase,
      startTime: started,
      completionTime: terminal ? (previous?.completionTime ?? now) : undefined,
      reason: terminal ? runReason(phase, jobs) : undefined,
      message: terminal ? runMessage(phase, jobs) : undefined,
      jobs,
    });
  }

  /** Decides a job once everything it waits for is final: O(what it waits for), once per job. */
  private evaluate(i: number): void {
    if (this.state[i] !== 'waiting') return;
    const miss = this.filtered[i];
    if (miss) {
      this.finish(i, 'Skipped', miss.reason, miss.message);
      return;
    }
    if (this.cancelled) {
      this.finish(i, 'Cancelled', 'RunCancelled', 'the run was cancelled');
      return;
    }
    const when = this.snapshot.jobs[i]!.when?.status ?? 'success';
    // Blame the first in the order it waits for them (needs as listed, pipeline order for a
    // finally job), not the first to finish: messages then do not depend on timing.
    const waits = this.graph.waitsFor[i]!;
    const failed = waits.find((n) => this.failedOutcome[n]);
    const skipped = failed === undefined ? waits.find((n) => this.state[n] === 'Skipped') : undefined;
    if (when === 'success' && failed !== undefined) {
      this.finish(i, 'Skipped', 'NeedsFailed', `${this.snapshot.jobs[failed]!.name} did not succeed`);
    } else if (when === 'success' && skipped !== undefined) {
      this.finish(i, 'Skipped', 'NeedsSkipped', `${this.snapshot.jobs[skipped]!.name} was skipped`);
    } else if (when === 'failure' && failed === undefined) {
      this.finish(i, 'Skipped', 'NoFailure', 'runs only after a failure, and nothing failed');
    } else {
      this.state[i] = 'ready';
      this.ready.add(i);
    }
  }

  private finish(i: number, phase: Terminal, reason: string | undefined, message: string | undefined, base?: JobStatus, asIs = false): void {
    if (TERMINAL.has(this.state[i]!)) return;
    this.ready.delete(i);
    this.active.delete(i);
    this.state[i] = phase;
    this.terminalCount++;
    const name = this.snapshot.jobs[i]!.name;
    this.statuses[i] = asIs && base ? base : compact({ ...(base ?? this.statuses[i] ?? { name }), name, phase, reason, message });
    this.onFinish?.(this.statuses[i]!);
    if (phase === 'Failed' || phase === 'Cancelled' || (phase === 'Skipped' && reason === 'NeedsFailed')) this.failedOutcome[i] = 1;
    for (const d of this.graph.dependents[i]!) {
      if (--this.pending[d]! === 0) this.evaluate(d);
    }
  }
}

function runReason(phase: RunPhase, jobs: JobStatus[]): string {
  if (phase === 'Cancelled') return 'Cancelled';
  if (phase === 'Failed') return jobs.some((j) => j.reason === 'DeadlineExceeded') ? 'JobTimedOut' : 'JobFailed';
  return jobs.every((j) => j.phase === 'Skipped') ? 'NothingToRun' : 'AllSucceeded';
}

const MAX_NAMED = 10;

function runMessage(phase: RunPhase, jobs: JobStatus[]): string {
  const failed = jobs.filter((j) => j.phase === 'Failed').map((j) => j.name);
  const count = (p: JobPhase) => jobs.filter((j) => j.phase === p).length;
  const summary = `${count('Succeeded')} succeeded, ${failed.length} failed, ${count('Skipped')} skipped, ${count('Cancelled')} cancelled`;
  // The first few names: a Run of thousands of jobs must not carry thousands of names twice.
  const named = failed.length > MAX_NAMED ? `${failed.slice(0, MAX_NAMED).join(', ')} and ${failed.length - MAX_NAMED} more` : failed.join(', ');
  return phase === 'Failed' ? `failed: ${named} (${summary})` : summary;
}

/** Drops undefined fields so statuses stay small and compare equal however they were built. */
function compact<T extends object>(o: T): T {
  const out = {} as T;
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
