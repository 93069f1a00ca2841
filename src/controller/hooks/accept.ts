// What a verified delivery does to the cluster: a Run for a push, tag or pull request (held and
// stripped of credentials when it comes from an untrusted fork), or the effect of trusted comment
// commands. Also the path of `kayci trigger`. Run names derive from the delivery ID, so a replay
// or a concurrent duplicate meets the first Run (AlreadyExists) instead of making a second one.
import { createHash } from 'node:crypto';
import type { NameValue } from '../../api/v1alpha1/meta.ts';
import { validateRunInputs } from '../../api/v1alpha1/validate/run.ts';
import type { RunMetadata, RunPhase } from '../../api/v1alpha1/run.ts';
import { joinName } from '../../plan/names.ts';
import { LABELS } from '../../plan/render-job.ts';
import { parseCommands, type Command } from '../../webhook/commands.ts';
import { capMetadata, type Delivery, type PullRequest } from '../../webhook/delivery.ts';
import { webhookFilterMiss } from '../../webhook/filter.ts';
import { isTrusted, type Person } from '../../webhook/trust.ts';
import type { PipelineObject, RunObject, TriggerObject } from '../context.ts';
import type { Informer } from '../informer.ts';
import type { KubeClient, KubeObject } from '../kube/client.ts';
import { RESOURCES } from '../kube/resources.ts';
import type { Logger } from '../log.ts';
import { createdAt, createRun, type NewRun } from '../runs.ts';

export const DELIVERY_ANNOTATION = 'kayci.dev/delivery';
const TERMINAL = new Set<RunPhase | undefined>(['Succeeded', 'Failed', 'Cancelled']);

/** What accept reads objects from: the informers in the controller, plain GETs in `kayci trigger`. */
export type Cache<T> = Pick<Informer<T & KubeObject>, 'get' | 'list'>;

export interface HooksContext {
  /** Not fenced by leader election: creating a Run by its deterministic name is safe from any replica. */
  readonly client: KubeClient;
  readonly triggers: Cache<TriggerObject>;
  readonly pipelines: Cache<PipelineObject>;
  readonly runs: Cache<RunObject>;
  readonly log: Logger;
  readonly now: () => Date;
  /** GitLab: the person's access level in the project, looked up with the Trigger's token. */
  readonly accessLevel?: (trigger: TriggerObject, repo: string | undefined, userId: string | undefined) => Promise<number | undefined>;
}

export type Outcome =
  | { readonly status: 200 | 201; readonly run: string; readonly created: boolean; readonly held?: boolean }
  | { readonly status: 202; readonly ignored: string }
  | { readonly status: 200; readonly actions: string[] }
  | { readonly status: 422 | 503; readonly error: string };

export interface Extras {
  readonly params?: readonly NameValue[];
  readonly jobs?: readonly string[];
}

/** Acts on one verified delivery for `trigger`. */
export async function accept(ctx: HooksContext, trigger: TriggerObject, delivery: Delivery, deliveryId: string, extras: Extras = {}): Promise<Outcome> {
  if (delivery.kind === 'ignore') return { status: 202, ignored: delivery.reason };
  const webhook = trigger.spec.webhook;
  const event = delivery.kind === 'comment' ? 'comment' : delivery.event;
  const miss = webhook ? webhookFilterMiss(webhook, event, delivery.metadata) : undefined;
  if (miss) return { status: 202, ignored: miss };
  const pipeline = ctx.pipelines.get(trigger.metadata!.namespace, trigger.spec.pipelineRef.name);
  // Answering 2xx without a Run would lose the delivery: the sender should see a failure and redeliver.
  if (!pipeline) return { status: 503, error: `the Trigger's Pipeline ${trigger.spec.pipelineRef.name} does not exist in namespace ${trigger.metadata!.namespace}` };
  if (delivery.kind === 'comment') return comment(ctx, trigger, pipeline, delivery, deliveryId);

  // `kayci trigger` without --trigger acts for no Trigger: no name to record.
  const metadata: RunMetadata = { ...delivery.metadata, trigger: trigger.metadata!.name || undefined };
  const untrusted = delivery.pr ? !(await prTrusted(ctx, trigger, delivery.pr, metadata.repo)) : false;
  const params = mergeParams(trigger.spec.params, extras.params);
  // A Run asking for jobs or parameters its Pipeline does not have could only fail: say so now.
  const invalid = validateRunInputs({ pipelineSpec: pipeline.spec, params, jobs: extras.jobs });
  if (invalid.length > 0) return { status: 422, error: invalid.map((e) => `${e.path}: ${e.message}`).join('; ').slice(0, 2000) };
  const { run, created } = await createOnce(ctx, {
    pipeline,
    name: runName(trigger, deliveryId),
    metadata,
    params,
    jobs: extras.jobs,
    trigger: trigger.metadata!.name,
    now: ctx.now(),
    labels: delivery.pr ? { [LABELS.pullRequest]: delivery.pr.number } : undefined,
    annotations: { [DELIVERY_ANNOTATION]: deliveryId },
    hold: untrusted,
    untrusted,
  });
  const name = run.metadata!.name!;
  if (created) {
    ctx.log.info('run created', { namespace: trigger.metadata!.namespace, trigger: trigger.metadata!.name, run: name, event, delivery: deliveryId, held: untrusted || undefined });
    // An approval is for one commit: a fork's earlier commits still waiting are superseded.
    if (delivery.pr) await cancelHeld(ctx, trigger, metadata.repo, delivery.pr.number, name);
  }
  return { status: created ? 201 : 200, run: name, created, ...(untrusted ? { held: true } : {}) };
}

/** A pull request's code is trusted when it is not from a fork, or its author is trusted. */
async function prTrusted(ctx: HooksContext, trigger: TriggerObject, pr: PullRequest, repo: string | undefined): Promise<boolean> {
  if (!pr.fromFork) return true;
  return trusted(ctx, trigger, { login: pr.author, association: pr.association }, repo, pr.authorId);
}

async function trusted(ctx: HooksContext, trigger: TriggerObject, person: Person, repo: string | undefined, userId: string | undefined): Promise<boolean> {
  const trust = trigger.spec.commands?.trust;
  if (isTrusted(trust, person)) return true;
  if (trigger.spec.webhook?.provider !== 'gitlab' || !ctx.accessLevel) return false;
  try {
    return isTrusted(trust, { ...person, accessLevel: await ctx.accessLevel(trigger, repo, userId) });
  } catch (e) {
    // Fail closed: a lookup that did not answer trusts no one.
    ctx.log.warn('access level lookup failed; not trusted', { namespace: trigger.metadata!.namespace, trigger: trigger.metadata!.name, user: person.login, error: e });
    return false;
  }
}

async function comment(ctx: HooksContext, trigger: TriggerObject, pipeline: PipelineObject, delivery: Extract<Delivery, { kind: 'comment' }>, deliveryId: string): Promise<Outcome> {
  if (trigger.spec.commands?.enabled === false || trigger.spec.webhook?.provider === 'generic') return { status: 202, ignored: 'comment commands are off for this Trigger' };
  const commands = parseCommands(delivery.body);
  if (commands.length === 0) return { status: 202, ignored: 'no command in the comment' };
  const person = { login: delivery.author, association: delivery.association };
  if (!(await trusted(ctx, trigger, person, delivery.metadata.repo, delivery.authorId))) {
    return { status: 202, ignored: `${delivery.author || 'the commenter'} is not trusted to run commands on this Trigger` };
  }
  const actions: string[] = [];
  for (const [i, command] of commands.entries()) actions.push(await runCommand(ctx, trigger, pipeline, delivery, command, `${deliveryId}/${i}`));
  return { status: 200, actions };
}

async function runCommand(ctx: HooksContext, trigger: TriggerObject, pipeline: PipelineObject, delivery: Extract<Delivery, { kind: 'comment' }>, command: Command, id: string): Promise<string> {
  const runs = prRuns(ctx, trigger, delivery.metadata.repo, delivery.prNumber);
  const pr = `pull request #${delivery.prNumber}`;
  const known = new Set(pipeline.spec.jobs.map((j) => j.name));
  switch (command.name) {
    case 'cancel': {
      const active = runs.filter((r) => !TERMINAL.has(r.status?.phase) && !r.spec.cancel);
      for (const r of active) await patchSpec(ctx, r, { cancel: true });
      return active.length === 0 ? `/cancel: no run of ${pr} is in progress` : `/cancel: cancelled ${active.map((r) => r.metadata!.name).join(', ')}`;
    }
    case 'ok-to-test': {
      const held = runs.filter((r) => r.spec.hold && !r.spec.cancel && !TERMINAL.has(r.status?.phase));
      for (const r of held) await patchSpec(ctx, r, { hold: false });
      return held.length === 0 ? `/ok-to-test: no run of ${pr} is waiting for approval` : `/ok-to-test: started ${held.map((r) => `${r.metadata!.name} at ${r.spec.metadata?.commitSha ?? 'its commit'}`).join(', ')}`;
    }
    case 'test':
    case 'retest': {
      const last = runs[0];
      if (!last) return `/${command.name}: ${pr} has no run to repeat yet; push a commit first`;
      let jobs: string[] | undefined;
      if (command.name === 'retest') {
        if (!TERMINAL.has(last.status?.phase)) return `/retest: the last run ${last.metadata!.name} has not finished`;
        const statuses = last.status?.jobs ?? [];
        const failed = statuses.filter((j) => (j.phase === 'Failed' || j.phase === 'Cancelled') && known.has(j.name));
        if (failed.length === 0) return `/retest: no job failed in the last run ${last.metadata!.name}`;
        // With the jobs skipped because of them: a Run of the failed jobs alone (and what they
        // need) would never run what comes after them, and the pull request would stay red.
        const downstream = statuses.filter((j) => j.phase === 'Skipped' && (j.reason === 'NeedsFailed' || j.reason === 'NeedsSkipped') && known.has(j.name));
        jobs = [...failed, ...downstream].map((j) => j.name);
      } else if (command.jobs.length > 0) {
        const unknown = command.jobs.filter((j) => !known.has(j));
        if (unknown.length > 0) return `/test: the pipeline has no job ${unknown.join(', ')} (jobs: ${[...known].join(', ')})`;
        jobs = command.jobs;
      }
      // The commit of the last run, never a newer one: a fork's new commits need a new approval.
      const { run, created } = await createOnce(ctx, {
        pipeline,
        name: runName(trigger, id),
        metadata: capMetadata({ ...last.spec.metadata, actor: delivery.author || last.spec.metadata?.actor }),
        params: last.spec.params,
        jobs,
        trigger: trigger.metadata!.name,
        now: ctx.now(),
        labels: { [LABELS.pullRequest]: delivery.prNumber },
        annotations: { [DELIVERY_ANNOTATION]: id },
        untrusted: last.spec.untrusted === true,
      });
      if (created) ctx.log.info('run created', { namespace: trigger.metadata!.namespace, trigger: trigger.metadata!.name, run: run.metadata!.name, event: 'comment', command: command.name, delivery: id });
      return `/${command.name}: ${created ? 'started' : 'already started'} ${run.metadata!.name}${jobs ? ` (${jobs.join(', ')})` : ''}`;
    }
  }
}

const creating = new WeakMap<KubeClient, Map<string, Promise<{ run: RunObject; created: boolean }>>>();

/**
 * createRun for a delivery, sparing the API server the duplicates: a Run the cache holds already
 * is met without a request, and concurrent copies of one delivery share one create. (Across
 * replicas, or before the cache has the Run, the create's AlreadyExists still decides.)
 */
async function createOnce(ctx: HooksContext, input: NewRun): Promise<{ run: RunObject; created: boolean }> {
  const namespace = input.pipeline.metadata!.namespace!;
  const cached = ctx.runs.get(namespace, input.name);
  if (cached) return { run: cached, created: false };
  let inflight = creating.get(ctx.client);
  if (!inflight) creating.set(ctx.client, (inflight = new Map()));
  const key = `${namespace}/${input.name}`;
  const pending = inflight.get(key);
  if (pending) return { run: (await pending).run, created: false };
  const created = createRun(ctx.client, input).finally(() => inflight.delete(key));
  inflight.set(key, created);
  return created;
}

/**
 * The Trigger's Runs for a pull request, newest first. A pull request is its number in its
 * repository: one Trigger may take an organization's or a group's webhook, and #1 of one project
 * must never approve, cancel or repeat #1 of another.
 */
function prRuns(ctx: HooksContext, trigger: TriggerObject, repo: string | undefined, prNumber: string): RunObject[] {
  const label = joinName(trigger.metadata!.name!);
  return ctx.runs
    .list(trigger.metadata!.namespace)
    .filter((r) => r.metadata?.labels?.[LABELS.trigger] === label && r.metadata?.labels?.[LABELS.pullRequest] === prNumber && r.spec.metadata?.repo === repo && !r.metadata?.deletionTimestamp)
    .sort((a, b) => createdAt(b).localeCompare(createdAt(a)) || (b.metadata!.name! < a.metadata!.name! ? -1 : 1));
}

async function cancelHeld(ctx: HooksContext, trigger: TriggerObject, repo: string | undefined, prNumber: string, keep: string): Promise<void> {
  for (const r of prRuns(ctx, trigger, repo, prNumber)) {
    if (r.metadata!.name !== keep && r.spec.hold && !r.spec.cancel && !TERMINAL.has(r.status?.phase)) await patchSpec(ctx, r, { cancel: true });
  }
}

async function patchSpec(ctx: HooksContext, run: RunObject, spec: { cancel?: boolean; hold?: boolean }): Promise<void> {
  await ctx.client.mergePatch(RESOURCES.runs, run.metadata!.namespace!, run.metadata!.name!, { spec });
}

/** `<pipeline>-<12 hex>` from the Trigger and the delivery: one Run per delivery, per Trigger. */
export function runName(trigger: TriggerObject, deliveryId: string): string {
  const hash = createHash('sha256').update(`${trigger.metadata!.namespace}/${trigger.metadata!.name}/${deliveryId}`).digest('hex').slice(0, 12);
  return joinName(trigger.spec.pipelineRef.name, hash);
}

/** The Trigger's params, overridden by the delivery's (generic webhooks and `kayci trigger`). */
function mergeParams(base: readonly NameValue[] | undefined, given: readonly NameValue[] | undefined): NameValue[] | undefined {
  const out = new Map((base ?? []).map((p) => [p.name, p.value]));
  for (const p of given ?? []) out.set(p.name, p.value);
  return out.size > 0 ? [...out].map(([name, value]) => ({ name, value })) : undefined;
}
