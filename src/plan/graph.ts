// The DAG of a Run's jobs as index arrays, built once per snapshot so that every later step is
// O(edges touched) rather than O(jobs). "Finally" jobs — `when.status` failure or always, with
// no needs — wait for every other job, except the jobs that (transitively) need a finally job:
// those run after it, so waiting for them would be a cycle and the Run would never finish.
import type { PipelineJob } from '../api/v1alpha1/pipeline.ts';

export interface Graph {
  readonly jobs: readonly PipelineJob[];
  readonly index: ReadonlyMap<string, number>;
  /** Explicit needs (the jobs whose results a job reads), as indices. */
  readonly needs: readonly (readonly number[])[];
  /** What a job waits for: its needs, or for a finally job every job neither finally nor after one. */
  readonly waitsFor: readonly (readonly number[])[];
  /** Reverse of waitsFor. */
  readonly dependents: readonly (readonly number[])[];
  readonly isFinally: readonly boolean[];
}

export function isFinallyJob(job: PipelineJob): boolean {
  const status = job.when?.status;
  return (status === 'failure' || status === 'always') && (job.needs ?? []).length === 0;
}

export function buildGraph(jobs: readonly PipelineJob[]): Graph {
  const index = new Map<string, number>();
  jobs.forEach((j, i) => index.set(j.name, i));
  // Dedupe with a last-seen mark per job: layered DAGs have ~10^6 edges, and Sets of them are slow.
  const seen = new Int32Array(jobs.length).fill(-1);
  const needs = jobs.map((j, i) => {
    const list: number[] = [];
    for (const name of j.needs ?? []) {
      const n = index.get(name);
      if (n !== undefined && seen[n] !== i) {
        seen[n] = i;
        list.push(n);
      }
    }
    return list;
  });
  const isFinally = jobs.map(isFinallyJob);
  const after = afterFinally(isFinally, needs);
  const regular = jobs.map((_, i) => i).filter((i) => !isFinally[i] && !after[i]);
  const waitsFor = jobs.map((_, i) => (isFinally[i] ? regular : needs[i]!));
  const dependents: number[][] = jobs.map(() => []);
  waitsFor.forEach((list, i) => {
    for (const n of list) dependents[n]!.push(i);
  });
  return { jobs, index, needs, waitsFor, dependents, isFinally };
}

/** Jobs that need a finally job, directly or through other jobs. */
function afterFinally(isFinally: readonly boolean[], needs: readonly (readonly number[])[]): boolean[] {
  const after = isFinally.map(() => false);
  const queue = isFinally.flatMap((f, i) => (f ? [i] : []));
  if (queue.length === 0) return after;
  const neededBy: number[][] = needs.map(() => []);
  needs.forEach((list, i) => {
    for (const n of list) neededBy[n]!.push(i);
  });
  for (let q = 0; q < queue.length; q++) {
    for (const d of neededBy[queue[q]!]!) {
      if (after[d]) continue;
      after[d] = true;
      queue.push(d);
    }
  }
  return after;
}
