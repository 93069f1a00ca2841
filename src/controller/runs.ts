// Creating a Run: one code path for cron ticks, webhooks and `kayci trigger`. The Run gets its
// Pipeline snapshot and owner at creation (no second write; a snapshot too large to fit is left
// out, and the Run reconciler fails the Run as TooLarge), a deterministic name when the caller
// has a delivery or tick to derive it from (a replay is an AlreadyExists, not a twin), and
// labels to find it by.
import { API_VERSION } from '../api/v1alpha1/meta.ts';
import { runSizeError } from '../api/v1alpha1/validate/size.ts';
import type { NameValue } from '../api/v1alpha1/meta.ts';
import type { RunMetadata } from '../api/v1alpha1/run.ts';
import { joinName } from '../plan/names.ts';
import { CREATED_AT_ANNOTATION, LABELS } from '../plan/render-job.ts';
import type { PipelineObject, RunObject } from './context.ts';
import type { KubeClient } from './kube/client.ts';
import { isAlreadyExists } from './kube/errors.ts';
import { RESOURCES } from './kube/resources.ts';

export interface NewRun {
  readonly pipeline: PipelineObject;
  /** Name of the Run; derive it from what makes the event unique. */
  readonly name: string;
  readonly metadata: RunMetadata;
  readonly params?: readonly NameValue[];
  readonly jobs?: readonly string[];
  readonly trigger?: string;
  /** When the Run is created. @default now */
  readonly now?: Date;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  /** Create no Jobs until released (an untrusted fork's pull request). */
  readonly hold?: boolean;
  /** Give its Jobs no Secrets and no service-account token. */
  readonly untrusted?: boolean;
}

export function runObject(input: NewRun): RunObject {
  const p = input.pipeline;
  // A snapshot the Run could not hold would make the API server refuse the create on every
  // retry; without one, the Run reconciler fails the Run as TooLarge, for everyone to see.
  const fits = !runSizeError(p.spec, 'spec.pipelineSpec', input.jobs, input.params);
  const labels: Record<string, string> = { ...input.labels, [LABELS.pipeline]: p.metadata!.name! };
  if (input.trigger) labels[LABELS.trigger] = joinName(input.trigger);
  return {
    apiVersion: API_VERSION,
    kind: 'Run',
    metadata: {
      name: input.name,
      namespace: p.metadata!.namespace,
      labels,
      annotations: { ...input.annotations, [CREATED_AT_ANNOTATION]: (input.now ?? new Date()).toISOString() },
      ownerReferences: [{ apiVersion: API_VERSION, kind: 'Pipeline', name: p.metadata!.name!, uid: p.metadata!.uid!, blockOwnerDeletion: true }],
    },
    spec: {
      pipelineRef: { name: p.metadata!.name! },
      pipelineSpec: fits ? p.spec : undefined,
      metadata: input.metadata,
      params: input.params && input.params.length > 0 ? [...input.params] : undefined,
      jobs: input.jobs && input.jobs.length > 0 ? [...input.jobs] : undefined,
      ...(input.hold ? { hold: true } : {}),
      ...(input.untrusted ? { untrusted: true } : {}),
    },
  };
}

/**
 * When a Run was created, to the millisecond when its creator said (the API server's
 * creationTimestamp has whole seconds, and two webhooks a second apart must keep their order).
 */
export function createdAt(run: RunObject): string {
  const t = Date.parse(run.metadata?.annotations?.[CREATED_AT_ANNOTATION] ?? '') || Date.parse(run.metadata?.creationTimestamp ?? '');
  return Number.isNaN(t) ? '' : new Date(t).toISOString();
}

/** Creates the Run; `created: false` when one of that name exists already (a replay). */
export async function createRun(client: KubeClient, input: NewRun): Promise<{ run: RunObject; created: boolean }> {
  const run = runObject(input);
  try {
    return { run: await client.create(RESOURCES.runs, run.metadata!.namespace!, run), created: true };
  } catch (e) {
    if (isAlreadyExists(e)) return { run, created: false };
    throw e;
  }
}
