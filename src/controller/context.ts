// What every reconciler works with: the API client, the informer caches and their indexes, the
// queues, the clock, logs and metrics. Built by the manager; tests build their own.
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IPod } from 'kubernetes-models/v1/Pod';
import type { Pipeline } from '../api/v1alpha1/pipeline.ts';
import type { Run } from '../api/v1alpha1/run.ts';
import type { Trigger } from '../api/v1alpha1/trigger.ts';
import type { LabelIndex } from './index-by-label.ts';
import type { Informer } from './informer.ts';
import type { KubeClient, KubeObject } from './kube/client.ts';
import type { Logger } from './log.ts';
import type { ControllerMetrics } from './metrics.ts';
import type { WorkQueue } from './queue.ts';

export type RunObject = Run & KubeObject;
export type PipelineObject = Pipeline & KubeObject;
export type TriggerObject = Trigger & KubeObject;
export type JobObject = IJob & KubeObject;
export type PodObject = IPod & KubeObject;

export interface ControllerSettings {
  /** A Run that has just started writes its Running status after this long, unless something else changed first (a fast Run then costs one status write). @default 1000 */
  readonly deferRunningMs: number;
  /** How often Trigger readiness (Secrets cannot be watched) is checked again. @default 60000 */
  readonly triggerRecheckMs: number;
}

export const DEFAULT_SETTINGS: ControllerSettings = { deferRunningMs: 1000, triggerRecheckMs: 60_000 };

export interface ControllerContext {
  readonly client: KubeClient;
  readonly runs: Informer<RunObject>;
  readonly pipelines: Informer<PipelineObject>;
  readonly triggers: Informer<TriggerObject>;
  readonly jobs: Informer<JobObject>;
  readonly jobsByRun: LabelIndex<JobObject>;
  readonly podsByRun: LabelIndex<PodObject>;
  readonly queues: { readonly runs: WorkQueue; readonly pipelines: WorkQueue; readonly triggers: WorkQueue };
  readonly now: () => Date;
  readonly log: Logger;
  readonly metrics: ControllerMetrics;
  readonly settings: ControllerSettings;
}

export function keyOf(o: { metadata?: { namespace?: string; name?: string } }): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

export function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}
