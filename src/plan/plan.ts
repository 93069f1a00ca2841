// plan(): the level-triggered form of the engine, for the controller. From a Run (its snapshot
// and last written status) and the jobs observed now, it returns everything to do. Calling it
// again with the same input returns the same plan; terminal Runs stay terminal.
import type { Run, RunPhase, RunStatus } from '../api/v1alpha1/run.ts';
import { PlanEngine, type JobObservation, type StopAction } from './engine.ts';
import type { Graph } from './graph.ts';
import { snapshotOf } from './snapshot.ts';

export interface PlanInput {
  readonly run: Run;
  /** What the backend sees now, by job name (absent: no Job exists for it). */
  readonly observed: Readonly<Record<string, JobObservation>>;
  /** RFC 3339 time of this decision. */
  readonly now: string;
  /** The graph of an earlier plan of the same snapshot (`Plan.engine.graph`), to save building it again. */
  readonly graph?: Graph;
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
  const engine = new PlanEngine({ ...snapshot, cancel: false }, { graph: input.graph });
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

/**
 * Whether a status write is needed: the statuses differ in anything but key order, fields that
 * are undefined, and `conditions` (not the planner's). O(size), allocating nothing: the
 * controller asks on every reconcile.
 */
export function statusChanged(a: RunStatus | undefined, b: RunStatus): boolean {
  if (!a) return true;
  const x = a as unknown as Record<string, unknown>;
  const y = b as unknown as Record<string, unknown>;
  for (const k in x) if (k !== 'conditions' && k !== 'jobs' && !same(x[k], y[k])) return true;
  for (const k in y) if (k !== 'conditions' && k !== 'jobs' && x[k] === undefined && y[k] !== undefined) return true;
  return !same(a.jobs ?? [], b.jobs ?? []);
}

/** JSON equality, whatever the key order, an undefined field counting as absent. */
function same(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
  if (Array.isArray(x) || Array.isArray(y)) {
    if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!same(x[i], y[i])) return false;
    return true;
  }
  const xo = x as Record<string, unknown>;
  const yo = y as Record<string, unknown>;
  let n = 0;
  for (const k in xo) {
    if (xo[k] === undefined) continue;
    n++;
    if (!same(xo[k], yo[k])) return false;
  }
  for (const k in yo) if (yo[k] !== undefined) n--;
  return n === 0;
}
