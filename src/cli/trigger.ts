// `kayci trigger <pipeline>`: creates a Run by hand through the generic webhook's code path — the
// same body mapping, caps, Trigger filters and params, Run naming and creation — with the user's
// own kubeconfig credentials in place of a signature. `--wait` follows the Run to its end.
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import type { RunPhase } from '../api/v1alpha1/run.ts';
import type { PipelineObject, RunObject, TriggerObject } from '../controller/context.ts';
import { accept, type Cache } from '../controller/hooks/accept.ts';
import { KubeClient, type KubeObject } from '../controller/kube/client.ts';
import { TokenBucket } from '../controller/kube/rate-limit.ts';
import { RESOURCES } from '../controller/kube/resources.ts';
import { silentLogger } from '../controller/log.ts';
import { genericDelivery, type GenericBody } from '../webhook/generic.ts';
import { loadKubeConfig } from './controller.ts';
import type { Io } from './io.ts';
import { UsageError } from './run.ts';

export interface TriggerCommandOptions {
  readonly kubeconfig?: string;
  readonly namespace?: string;
  readonly param?: string[];
  readonly job?: string[];
  readonly sha?: string;
  readonly ref?: string;
  readonly trigger?: string;
  readonly wait?: boolean;
}

/** The Run could not be made: the message says why (no such Pipeline, filtered out, …). */
export class TriggerError extends Error {
  override name = 'TriggerError';
  readonly code = 'KAYCI_TRIGGER';
}

const TERMINAL = new Set<RunPhase | undefined>(['Succeeded', 'Failed', 'Cancelled']);

export async function triggerCommand(io: Io, pipelineName: string, options: TriggerCommandOptions, signal: AbortSignal): Promise<number> {
  const body = bodyOf(pipelineName, options);
  const kubeConfig = loadKubeConfig(options.kubeconfig);
  const namespace = options.namespace ?? kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace ?? 'default';
  const client = new KubeClient(kubeConfig, { limiter: new TokenBucket(20, 40) });

  const pipeline = await client.get<PipelineObject>(RESOURCES.pipelines, namespace, pipelineName).catch((e: Error) => {
    throw new TriggerError(`cannot read Pipeline ${namespace}/${pipelineName}: ${e.message}`);
  });
  if (!pipeline) throw new TriggerError(`no Pipeline ${pipelineName} in namespace ${namespace} (kubectl get pipelines -n ${namespace} lists them)`);
  const unknown = (options.job ?? []).filter((j) => !pipeline.spec.jobs.some((p) => p.name === j));
  if (unknown.length > 0) throw new UsageError([`--job: the pipeline has no job ${unknown.join(', ')} (jobs: ${pipeline.spec.jobs.map((j) => j.name).join(', ')})`]);
  const declared = (pipeline.spec.params ?? []).map((p) => p.name);
  const undeclared = Object.keys(body.params ?? {}).filter((p) => !declared.includes(p));
  if (undeclared.length > 0) throw new UsageError([`--param: the pipeline has no parameter ${undeclared.join(', ')} (${declared.length > 0 ? `parameters: ${declared.join(', ')}` : 'it declares none'})`]);

  let trigger: TriggerObject;
  if (options.trigger) {
    const found = await client.get<TriggerObject>(RESOURCES.triggers, namespace, options.trigger);
    if (!found) throw new TriggerError(`no Trigger ${options.trigger} in namespace ${namespace}`);
    if (found.spec.pipelineRef.name !== pipelineName) throw new TriggerError(`Trigger ${options.trigger} runs Pipeline ${found.spec.pipelineRef.name}, not ${pipelineName}`);
    trigger = found;
  } else {
    // No Trigger: no filters, no Trigger params, no Trigger name on the Run.
    trigger = { apiVersion: 'kayci.dev/v1alpha1', kind: 'Trigger', metadata: { name: '', namespace }, spec: { pipelineRef: { name: pipelineName } } };
  }

  const mapped = genericDelivery(body);
  const delivery = mapped.kind === 'build' ? { ...mapped, metadata: { ...mapped.metadata, provider: 'manual' as const } } : mapped;
  const one = <T extends KubeObject>(o: T | undefined): Cache<T> => ({ get: () => o, list: () => (o ? [o] : []) });
  const outcome = await accept(
    { client, triggers: one(trigger), pipelines: one(pipeline), runs: one<RunObject>(undefined), log: silentLogger, now: () => new Date() },
    trigger,
    delivery,
    randomUUID(),
    { params: mapped.kind === 'build' ? mapped.params : undefined, jobs: mapped.kind === 'build' ? mapped.jobs : undefined },
  );
  if (!('run' in outcome)) throw new TriggerError(`no Run created: ${'ignored' in outcome ? outcome.ignored : 'error' in outcome ? outcome.error : 'unexpected answer'}`);
  io.out(`run/${outcome.run} created in namespace ${namespace}\n`);
  if (!options.wait) {
    io.out(`follow it with: kubectl get run ${outcome.run} -n ${namespace} -w\n`);
    return 0;
  }
  return follow(io, client, namespace, outcome.run, signal);
}

/** The generic webhook body the flags describe. */
function bodyOf(pipeline: string, options: TriggerCommandOptions): GenericBody {
  const problems: string[] = [];
  const params: Record<string, string> = {};
  for (const p of options.param ?? []) {
    const i = p.indexOf('=');
    if (i <= 0) problems.push(`--param ${JSON.stringify(p)}: expected name=value`);
    else params[p.slice(0, i)] = p.slice(i + 1);
  }
  if (options.sha !== undefined && !/^[0-9a-f]{7,64}$/.test(options.sha)) problems.push(`--sha ${JSON.stringify(options.sha)}: expected a commit SHA (7 to 64 lowercase hex digits)`);
  if (options.ref !== undefined && !options.ref.startsWith('refs/')) problems.push(`--ref ${JSON.stringify(options.ref)}: expected a full ref such as refs/heads/main or refs/tags/v1.2.0`);
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(pipeline)) problems.push(`pipeline ${JSON.stringify(pipeline)}: expected a Pipeline name (a DNS label)`);
  if (problems.length > 0) throw new UsageError(problems);
  let actor: string | undefined;
  try {
    actor = userInfo().username;
  } catch {
    actor = undefined;
  }
  return { event: 'manual', ref: options.ref, sha: options.sha, actor, params, jobs: options.job };
}

async function follow(io: Io, client: KubeClient, namespace: string, name: string, signal: AbortSignal): Promise<number> {
  let last = '';
  while (!signal.aborted) {
    const run = await client.get<RunObject>(RESOURCES.runs, namespace, name);
    if (!run) throw new TriggerError(`Run ${namespace}/${name} was deleted`);
    const jobs = (run.status?.jobs ?? []).map((j) => `${j.name} ${j.phase}`).join(', ');
    const line = `${run.status?.phase ?? 'Pending'}${run.status?.reason ? ` (${run.status.reason})` : ''}${jobs ? `: ${jobs}` : ''}`;
    if (line !== last) io.out(`${line}\n`);
    last = line;
    if (TERMINAL.has(run.status?.phase)) {
      if (run.status?.message) io.out(`${run.status.message}\n`);
      return run.status?.phase === 'Succeeded' ? 0 : 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return 130;
}
