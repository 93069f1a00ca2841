// The Trigger reconciler: readiness (the Pipeline exists, and every webhook Secret exists with
// its key — Secrets are read by name, never listed or watched) and cron schedules. A tick's Run
// is named after the Trigger and the tick's time, so however often the controller restarts, a
// tick makes one Run; a long outage makes one Run for the latest missed tick, not a burst.
import type { Condition } from '../../api/v1alpha1/meta.ts';
import { nextTick, parseCron, type Cron } from '../../api/v1alpha1/cron.ts';
import type { TriggerStatus } from '../../api/v1alpha1/trigger.ts';
import { joinName } from '../../plan/names.ts';
import { RESOURCES } from '../kube/resources.ts';
import type { KubeObject } from '../kube/client.ts';
import type { ReconcileResult } from '../queue.ts';
import { createRun } from '../runs.ts';
import { splitKey, type ControllerContext, type TriggerObject } from '../context.ts';

export class TriggerReconciler {
  private readonly ctx: ControllerContext;

  constructor(ctx: ControllerContext) {
    this.ctx = ctx;
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const [namespace, name] = splitKey(key);
    const trigger = this.ctx.triggers.get(namespace, name);
    if (!trigger || trigger.metadata?.deletionTimestamp) return;
    const now = this.ctx.now();
    const ready = await this.readiness(trigger);
    let lastScheduleTime = trigger.status?.lastScheduleTime;
    let requeue = this.ctx.settings.triggerRecheckMs;

    const schedule = trigger.spec.schedule;
    const cron = schedule ? parseCron(schedule.cron) : undefined;
    if (schedule && cron && typeof cron !== 'string' && ready.status === 'True') {
      const due = this.latestDueTick(cron, trigger, now.getTime(), schedule.timeZone);
      if (due !== undefined) {
        await this.createScheduledRun(trigger, due);
        lastScheduleTime = new Date(due).toISOString();
      }
      const next = nextTick(cron, Math.max(now.getTime(), Date.parse(lastScheduleTime ?? '') || 0), schedule.timeZone ?? 'UTC');
      if (next !== undefined) requeue = Math.min(requeue, Math.max(next - now.getTime(), 0) + 50);
    }

    const status: TriggerStatus = {
      observedGeneration: trigger.metadata?.generation,
      lastScheduleTime,
      conditions: [mergeCondition(trigger.status?.conditions?.find((c) => c.type === 'Ready'), ready, now, trigger.metadata?.generation)],
    };
    if (JSON.stringify(status) !== JSON.stringify({ observedGeneration: trigger.status?.observedGeneration, lastScheduleTime: trigger.status?.lastScheduleTime, conditions: trigger.status?.conditions })) {
      await this.ctx.client.replaceStatus(RESOURCES.triggers, namespace, name, { ...trigger, status: JSON.parse(JSON.stringify(status)) as TriggerStatus });
    }
    return { requeueAfterMs: requeue };
  }

  private async readiness(trigger: TriggerObject): Promise<Omit<Condition, 'lastTransitionTime'>> {
    const namespace = trigger.metadata!.namespace!;
    if (!this.ctx.pipelines.get(namespace, trigger.spec.pipelineRef.name)) {
      return { type: 'Ready', status: 'False', reason: 'PipelineNotFound', message: `no Pipeline ${trigger.spec.pipelineRef.name} in namespace ${namespace}` };
    }
    if (trigger.spec.schedule && typeof parseCron(trigger.spec.schedule.cron) === 'string') {
      return { type: 'Ready', status: 'False', reason: 'InvalidSchedule', message: String(parseCron(trigger.spec.schedule.cron)) };
    }
    for (const ref of trigger.spec.webhook?.secretRefs ?? []) {
      const secret = await this.ctx.client.get<KubeObject & { data?: Record<string, string> }>(RESOURCES.secrets, namespace, ref.name);
      if (!secret) return { type: 'Ready', status: 'False', reason: 'SecretNotFound', message: `Secret ${ref.name} does not exist; the webhook accepts nothing until it does` };
      if (!secret.data?.[ref.key]) return { type: 'Ready', status: 'False', reason: 'SecretKeyNotFound', message: `Secret ${ref.name} has no key ${ref.key}; the webhook accepts nothing until it does` };
    }
    return { type: 'Ready', status: 'True', reason: 'Ready', message: 'the Pipeline and every Secret exist' };
  }

  /** The latest tick in (last tick, now], if any: missed ticks collapse into one Run. */
  private latestDueTick(cron: Cron, trigger: TriggerObject, nowMs: number, timeZone = 'UTC'): number | undefined {
    // After a long outage only the latest missed tick matters: look back a week at most.
    const since = Math.max(Date.parse(trigger.status?.lastScheduleTime ?? '') || Date.parse(trigger.metadata?.creationTimestamp ?? '') || nowMs, nowMs - 7 * 24 * 3600_000);
    let due: number | undefined;
    for (let t = nextTick(cron, since, timeZone); t !== undefined && t <= nowMs; t = nextTick(cron, t, timeZone)) due = t;
    return due;
  }

  private async createScheduledRun(trigger: TriggerObject, tick: number): Promise<void> {
    const namespace = trigger.metadata!.namespace!;
    const pipeline = this.ctx.pipelines.get(namespace, trigger.spec.pipelineRef.name);
    if (!pipeline) return;
    const branch = trigger.spec.schedule?.branch;
    const { created } = await createRun(this.ctx.client, {
      pipeline,
      name: joinName(trigger.metadata!.name!, String(Math.floor(tick / 1000))),
      trigger: trigger.metadata!.name!,
      metadata: { trigger: trigger.metadata!.name, provider: 'schedule', event: 'schedule', branch, ref: branch ? `refs/heads/${branch}` : undefined },
      params: trigger.spec.params,
      now: this.ctx.now(),
    });
    this.ctx.log.info(created ? 'scheduled run created' : 'scheduled run existed already', { namespace, trigger: trigger.metadata!.name, tick: new Date(tick).toISOString() });
  }
}

function mergeCondition(previous: Condition | undefined, next: Omit<Condition, 'lastTransitionTime'>, now: Date, generation?: number): Condition {
  const changed = previous?.status !== next.status || previous?.reason !== next.reason;
  return { ...next, lastTransitionTime: changed ? now.toISOString() : (previous?.lastTransitionTime ?? now.toISOString()), observedGeneration: generation };
}
