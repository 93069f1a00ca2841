// plan(): the level-triggered form of the engine, for the controller. From a Run (its snapshot
// and last written status) and the jobs observed now, it returns everything to do. Calling it
// again with the same input returns the same plan; terminal Runs stay terminal.
import type { JobStatus, Run, RunPhase, RunStatus } from '../api/v1alpha1/run.ts';
import { PlanEngine, type JobObservation, type StopAction } from './engine.ts';
import { snapshotOf } from './snapshot.ts';

export interface PlanInput {
  readonly run: Run;
  /** What the backend sees now, by job name (absent: no Job exists for it). */
  readonly observed: Readonly<Record<string, JobObservation>>;
  /** RFC 3339 time of this decision. */
  readonly now: string;
}

export interface Plan {
  /** The status to write. */
  readonly status: RunStatus;
  /** Jobs to start now, in pipeline order. Starting one that already exists is success. */
  readonly start: string[];
  /** Running jobs to stop. */
  readonly stop: StopAction[];
  /** The engine the plan came from, for rendering Jobs (results, env). */
  readonly engine: PlanEngine;
}

const RANK: Record<RunPhase, number> = { Pending: 0, Running: 1, Succeeded: 2, Failed: 2, Cancelled: 2 };

export function plan(input: PlanInput): Plan {
  const snapshot = snapshotOf(input.run);
  const engine = new PlanEngine({ ...snapshot, cancel: false });
  const previous = input.run.status;
  // A terminal Run never changes again.
  if (previous?.phase && RANK[previous.phase] === 2) return { status: previous, start: [], stop: [], engine };

  for (const s of previous?.jobs ?? []) engine.restore(s);
  for (const [name, obs] of Object.entries(input.observed)) engine.observe(name, obs);
  // A job last seen running whose Job is gone was deleted behind our back.
  for (const s of previous?.jobs ?? []) {
    if (s.phase === 'Running' && !Object.hasOwn(input.observed, s.name)) {
      engine.observe(s.name, { ...s, phase: 'Failed', reason: 'JobLost', message: `its Job ${s.jobName ?? ''} disappeared while running`.replace('  ', ' ') } as JobObservation);
    }
  }
  const stop = snapshot.cancel ? engine.cancel() : engine.overdue(Date.parse(input.now));
  const status = engine.runStatus(input.now, previous);
  // The phase only moves forward, whatever the observations say after a restart.
  if (previous?.phase && RANK[status.phase!] < RANK[previous.phase]) status.phase = previous.phase;
  return { status, start: engine.readyJobs(), stop, engine };
}

/** Whether a status write is needed: the statuses differ in anything but key order. */
export function statusChanged(a: RunStatus | undefined, b: RunStatus): boolean {
  return JSON.stringify(normalize(a)) !== JSON.stringify(normalize(b));
}

function normalize(s: RunStatus | undefined): unknown {
  if (!s) return undefined;
  const jobs = (s.jobs ?? []).map((j: JobStatus) => Object.fromEntries(Object.entries(j).sort(([a], [b]) => a.localeCompare(b))));
  return { ...Object.fromEntries(Object.entries(s).filter(([k]) => k !== 'jobs' && k !== 'conditions').sort(([a], [b]) => a.localeCompare(b))), jobs };
}
