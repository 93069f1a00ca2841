// What a Run executes, resolved once: the selected jobs (named ones plus everything they need),
// parameter values (given or defaulted), and metadata. Both backends plan from this.
import type { PipelineJob, PipelineSpec } from '../api/v1alpha1/pipeline.ts';
import type { Run, RunMetadata } from '../api/v1alpha1/run.ts';

export interface RunSnapshot {
  readonly run: string;
  readonly namespace: string;
  readonly pipeline: string;
  readonly uid?: string;
  readonly spec: PipelineSpec;
  /** The jobs this Run executes, in pipeline order. */
  readonly jobs: readonly PipelineJob[];
  readonly params: Readonly<Record<string, string>>;
  readonly metadata: RunMetadata;
  readonly cancel: boolean;
  /** The code is not trusted: its Jobs get no Secrets and no service-account token. */
  readonly untrusted?: boolean;
}

export class SnapshotError extends Error {
  override name = 'SnapshotError';
  readonly code = 'KAYCI_BAD_SNAPSHOT';
}

export function snapshotOf(run: Run): RunSnapshot {
  const spec = run.spec.pipelineSpec;
  if (!spec) throw new SnapshotError(`Run ${run.metadata.name} has no pipelineSpec snapshot`);
  const params: Record<string, string> = {};
  for (const p of spec.params ?? []) if (p.default !== undefined) params[p.name] = p.default;
  for (const p of run.spec.params ?? []) params[p.name] = p.value;
  return {
    run: run.metadata.name ?? '',
    namespace: run.metadata.namespace ?? 'default',
    pipeline: run.spec.pipelineRef.name,
    uid: run.metadata.uid,
    spec,
    jobs: selectJobs(spec.jobs, run.spec.jobs),
    params,
    metadata: run.spec.metadata ?? {},
    cancel: run.spec.cancel === true,
    untrusted: run.spec.untrusted === true,
  };
}

/** The named jobs and, transitively, the jobs they need; all jobs when none are named. */
export function selectJobs(jobs: readonly PipelineJob[], names: readonly string[] | undefined): PipelineJob[] {
  if (!names || names.length === 0) return [...jobs];
  const byName = new Map(jobs.map((j) => [j.name, j]));
  const keep = new Set<string>();
  const stack = [...names];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (keep.has(name)) continue;
    const job = byName.get(name);
    if (!job) throw new SnapshotError(`the pipeline has no job ${JSON.stringify(name)}`);
    keep.add(name);
    stack.push(...(job.needs ?? []));
  }
  return jobs.filter((j) => keep.has(j.name));
}
