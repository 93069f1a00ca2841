// `kayci run --dry-run`: the plan by DAG level — what would run, in which order, and what the
// filters skip — without running anything.
import type { Pipeline } from '../api/v1alpha1/pipeline.ts';
import type { RunMetadata } from '../api/v1alpha1/run.ts';
import { API_VERSION } from '../api/v1alpha1/meta.ts';
import { PlanEngine } from '../plan/engine.ts';
import { levels } from '../plan/levels.ts';
import { snapshotOf } from '../plan/snapshot.ts';

export function dryRun(pipeline: Pipeline, metadata: RunMetadata, jobs: readonly string[] | undefined, params: Readonly<Record<string, string>>): string {
  const snapshot = snapshotOf({
    apiVersion: API_VERSION,
    kind: 'Run',
    metadata: { name: 'dry-run' },
    spec: { pipelineRef: { name: pipeline.metadata.name! }, pipelineSpec: pipeline.spec, metadata, jobs: jobs && jobs.length > 0 ? [...jobs] : undefined, params: Object.entries(params).map(([name, value]) => ({ name, value })) },
  });
  const engine = new PlanEngine(snapshot);
  const level = levels(engine.graph);
  const lines = [`pipeline ${pipeline.metadata.name}: ${snapshot.jobs.length} job${snapshot.jobs.length === 1 ? '' : 's'} (event ${metadata.event ?? '-'}, branch ${metadata.branch ?? '-'})`];
  const byLevel = new Map<number, string[]>();
  const skipped: string[] = [];
  const finals: string[] = [];
  snapshot.jobs.forEach((job, i) => {
    const status = engine.status(job.name);
    if (status?.phase === 'Skipped') {
      skipped.push(`${job.name} (${status.message})`);
      return;
    }
    const when = job.when?.status ?? 'success';
    const label = when === 'success' ? job.name : `${job.name} (when ${when})`;
    if (engine.graph.isFinally[i]) finals.push(label);
    else byLevel.set(level[i]!, [...(byLevel.get(level[i]!) ?? []), label]);
  });
  for (const l of [...byLevel.keys()].sort((a, b) => a - b)) lines.push(`  level ${l}: ${byLevel.get(l)!.join(', ')}`);
  if (finals.length > 0) lines.push(`  finally: ${finals.join(', ')}`);
  if (skipped.length > 0) lines.push(`  skipped: ${skipped.join('; ')}`);
  return `${lines.join('\n')}\n`;
}
