// Builders shared by the planner tests: Runs around a list of jobs, engines over them, and a
// compact `phase/reason` summary of job statuses that reads well in tables.
import type { PipelineJob, PipelineSpec } from '../../src/api/v1alpha1/pipeline.ts';
import type { JobStatus, Run, RunMetadata, RunStatus } from '../../src/api/v1alpha1/run.ts';
import { PlanEngine, type JobObservation } from '../../src/plan/engine.ts';
import { snapshotOf } from '../../src/plan/snapshot.ts';

export interface RunOptions {
  readonly name?: string;
  readonly namespace?: string;
  readonly pipeline?: string;
  readonly uid?: string;
  readonly metadata?: RunMetadata;
  readonly params?: Record<string, string>;
  readonly jobs?: string[];
  readonly cancel?: boolean;
  readonly untrusted?: boolean;
  readonly status?: RunStatus;
  readonly spec?: Omit<PipelineSpec, 'jobs'>;
}

/** A Run of a pipeline made of `jobs`, as the controller would hold it. */
export function runOf(jobs: PipelineJob[], o: RunOptions = {}): Run {
  return {
    apiVersion: 'kayci.dev/v1alpha1',
    kind: 'Run',
    metadata: { name: o.name ?? 'r1', namespace: o.namespace ?? 'ci', uid: o.uid ?? 'uid-1' },
    spec: {
      pipelineRef: { name: o.pipeline ?? 'demo' },
      pipelineSpec: { ...o.spec, jobs },
      metadata: o.metadata,
      params: o.params && Object.entries(o.params).map(([name, value]) => ({ name, value })),
      jobs: o.jobs,
      cancel: o.cancel,
      untrusted: o.untrusted,
    },
    status: o.status,
  };
}

export function engineOf(jobs: PipelineJob[], o: RunOptions = {}, onFinish?: (s: JobStatus) => void): PlanEngine {
  return new PlanEngine(snapshotOf(runOf(jobs, o)), { onFinish });
}

/** `Phase`, or `Phase/Reason` when there is a reason other than the phase's own name. */
export function brief(s: JobStatus): string {
  return s.reason && s.reason !== s.phase ? `${s.phase}/${s.reason}` : s.phase;
}

/** Job name → brief status, for every job that has left Pending. */
export function summary(statuses: readonly JobStatus[] | undefined): Record<string, string> {
  return Object.fromEntries((statuses ?? []).map((s) => [s.name, brief(s)]));
}

/** `'a=Failed'` → ['a', { phase: 'Failed' }]; tuples pass through. */
export type Obs = string | readonly [string, JobObservation];

export function parseObs(o: Obs): [string, JobObservation] {
  if (typeof o !== 'string') return [o[0], o[1]];
  const [name, phase] = o.split('=');
  if (!name || (phase !== 'Running' && phase !== 'Succeeded' && phase !== 'Failed')) throw new Error(`bad observation ${o}`);
  return [name, { phase }];
}

export const FINAL = new Set(['Succeeded', 'Failed', 'Skipped', 'Cancelled']);
