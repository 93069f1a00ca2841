// The Pipeline reconciler: retention (keep the newest N succeeded and N failed Runs, delete
// Runs finished longer ago than the TTL) and `status.lastRun`.
import type { PipelineStatus } from '../../api/v1alpha1/pipeline.ts';
import type { RunPhase } from '../../api/v1alpha1/run.ts';
import { retentionPlan, type FinishedRun } from '../../plan/retention.ts';
import { RESOURCES } from '../kube/resources.ts';
import { createdAt } from '../runs.ts';
import type { ReconcileResult } from '../queue.ts';
import { splitKey, type ControllerContext } from '../context.ts';

const TERMINAL = new Set<RunPhase>(['Succeeded', 'Failed', 'Cancelled']);

export class PipelineReconciler {
  private readonly ctx: ControllerContext;

  constructor(ctx: ControllerContext) {
    this.ctx = ctx;
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const [namespace, name] = splitKey(key);
    const pipeline = this.ctx.pipelines.get(namespace, name);
    if (!pipeline || pipeline.metadata?.deletionTimestamp) return;
    const runs = this.ctx.runs.list(namespace).filter((r) => r.spec.pipelineRef.name === name && !r.metadata?.deletionTimestamp);
    const finished: FinishedRun[] = runs
      .filter((r) => TERMINAL.has(r.status?.phase as RunPhase) && r.status?.completionTime)
      .map((r) => ({ name: r.metadata!.name!, phase: r.status!.phase!, completionTime: r.status!.completionTime! }));
    const retention = retentionPlan(finished, pipeline.spec.retention, this.ctx.now().getTime());
    for (const run of retention.delete) {
      const uid = runs.find((r) => r.metadata?.name === run)?.metadata?.uid;
      await this.ctx.client.delete(RESOURCES.runs, namespace, run, { uid });
      this.ctx.log.info('run deleted by retention', { namespace, pipeline: name, run });
    }

    // Newest by its creator's created-at time: creationTimestamp has whole seconds only.
    const newest = runs.filter((r) => !retention.delete.includes(r.metadata!.name!)).sort((a, b) => createdAt(b).localeCompare(createdAt(a)) || (b.metadata?.name ?? '').localeCompare(a.metadata?.name ?? ''))[0];
    const status: PipelineStatus = { observedGeneration: pipeline.metadata?.generation, lastRun: newest ? { name: newest.metadata!.name!, phase: newest.status?.phase, creationTime: newest.metadata?.creationTimestamp } : undefined };
    if (!sameStatus(status, pipeline.status)) {
      // A merge patch of /status, without a resourceVersion: what it writes comes from the caches
      // and the last writer is right, so a stale cached Pipeline must not cost a 409 and a retry.
      // Absent fields are nulls, so that nothing of an earlier lastRun survives the merge.
      const lastRun = status.lastRun ? { name: status.lastRun.name, phase: status.lastRun.phase ?? null, creationTime: status.lastRun.creationTime ?? null } : null;
      await this.ctx.client.mergePatch(RESOURCES.pipelines, namespace, name, { status: { observedGeneration: status.observedGeneration ?? null, lastRun } }, 'status');
    }
    return retention.recheckInMs === undefined ? undefined : { requeueAfterMs: retention.recheckInMs };
  }
}

/** The fields this reconciler writes are equal, whatever their key order. */
function sameStatus(a: PipelineStatus, b: PipelineStatus | undefined): boolean {
  const x = a.lastRun;
  const y = b?.lastRun;
  return a.observedGeneration === b?.observedGeneration && x?.name === y?.name && x?.phase === y?.phase && String(x?.creationTime ?? '') === String(y?.creationTime ?? '');
}
