// A simulated Job controller: for each Job it creates Pods (owned by the Job, labelled with
// job-name and controller-uid), lets the simulated kubelet run them as the test scripted, and
// keeps the Job status as the real controller does — startTime, active, ready, succeeded, failed,
// completionTime, and the conditions SuccessCriteriaMet/Complete or FailureTarget/Failed with
// reasons BackoffLimitExceeded, DeadlineExceeded, PodFailurePolicy. Failed pods are replaced while
// failed <= backoffLimit; podFailurePolicy rules apply in order (Ignore, FailJob, Count).
import { rfc3339, type Environment, type Timers } from './clock.ts';
import { JOB_LABELS } from './defaults.ts';
import { Kubelet, type PodBehaviour } from './kubelet.ts';
import type { Registry } from './registry.ts';
import type { ResourceType } from './resources.ts';
import { ApiError } from './status.ts';
import type { StoreEvent } from './store.ts';
import { asArray, asObject, clone, isObject, type JsonObject, type KubeObject, type OwnerReference } from './types.ts';

export type { PodBehaviour, PodOutcome } from './kubelet.ts';

/** Decides how the pod for the given attempt (0 for the first pod of the Job) behaves. */
export type JobBehaviour = (job: KubeObject, attempt: number) => PodBehaviour | undefined;

export interface JobControllerOptions {
  /** Pending → Running, ms (default 5). */
  startMs?: number;
  /** Running → terminal, ms (default 10). */
  runMs?: number;
  /** Delay before a failed pod is replaced, ms (default 5; the real controller backs off from 10 s). */
  retryDelayMs?: number;
  /**
   * How many real ms one second of `activeDeadlineSeconds` and `ttlSecondsAfterFinished` lasts
   * (default 1000). The clock is checked as well, so a test may also advance `now` and call sync().
   */
  secondsMs?: number;
}

type Counted = 'succeeded' | 'failed' | 'ignored';

interface JobState {
  uid: string;
  counted: Map<string, Counted>;
  /** Pods this controller created that were not terminal when last seen. */
  active: Set<string>;
  attempts: number;
  failJob?: { reason: string; message: string };
  deadlineExceeded: boolean;
  deadlineTimer?: NodeJS.Timeout;
  deadlineSeconds?: number;
  ttlTimer?: NodeJS.Timeout;
  retryAt: number;
}

const MANAGED_BY = 'kubernetes.io/job-controller';

function condition(type: string, reason: string, message: string, now: string): JsonObject {
  return { type, status: 'True', lastProbeTime: now, lastTransitionTime: now, reason, message };
}

function isTerminal(pod: KubeObject): boolean {
  const phase = asObject(pod.status).phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

function finished(job: KubeObject): boolean {
  return asArray(asObject(job.status).conditions).some((c) => isObject(c) && (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

/** The first podFailurePolicy rule that matches a failed pod, with the FailJob message it would give. */
function matchRule(job: KubeObject, pod: KubeObject): { action: string; index: number; message: string } | undefined {
  const rules = asArray(asObject(asObject(job.spec).podFailurePolicy).rules);
  const status = asObject(pod.status);
  const ns = pod.metadata.namespace;
  const name = pod.metadata.name;
  for (const [index, raw] of rules.entries()) {
    const rule = asObject(raw);
    if (isObject(rule.onExitCodes)) {
      const codes = rule.onExitCodes;
      const values = asArray(codes.values).map(Number);
      const statuses = [...asArray(status.initContainerStatuses), ...asArray(status.containerStatuses)].map(asObject)
        .filter((s) => codes.containerName === undefined || s.name === codes.containerName);
      for (const s of statuses) {
        const exit = asObject(asObject(s.state).terminated).exitCode;
        if (typeof exit !== 'number' || exit === 0) continue;
        const inSet = values.includes(exit);
        if (codes.operator === 'In' ? inSet : !inSet) {
          return { action: String(rule.action), index, message: `Container ${String(s.name)} for pod ${ns}/${name} failed with exit code ${exit} matching FailJob rule at index ${index}` };
        }
      }
    }
    for (const rawCond of asArray(rule.onPodConditions)) {
      const want = asObject(rawCond);
      const has = asArray(status.conditions).map(asObject).some((c) => c.type === want.type && c.status === (want.status ?? 'True'));
      if (has) return { action: String(rule.action), index, message: `Pod ${ns}/${name} has condition ${String(want.type)} matching FailJob rule at index ${index}` };
    }
  }
  return undefined;
}

export class JobController {
  private readonly states = new Map<string, JobState>();
  private readonly queued = new Set<string>();
  private readonly unsubscribe: () => void;
  private readonly kubelet: Kubelet;
  private behaviour: JobBehaviour = () => undefined;
  private readonly jobs: ResourceType;
  private readonly pods: ResourceType;
  private readonly opts: Required<JobControllerOptions>;
  private readonly registry: Registry;
  private readonly timers: Timers;
  private readonly env: Environment;

  constructor(registry: Registry, timers: Timers, env: Environment, options: JobControllerOptions = {}) {
    this.registry = registry;
    this.timers = timers;
    this.env = env;
    this.opts = { startMs: options.startMs ?? 5, runMs: options.runMs ?? 10, retryDelayMs: options.retryDelayMs ?? 5, secondsMs: options.secondsMs ?? 1000 };
    this.kubelet = new Kubelet(registry, timers, env, this.opts);
    this.jobs = registry.types.resolve('jobs.batch');
    this.pods = registry.types.resolve('pods');
    this.unsubscribe = registry.store.subscribe((e) => this.onEvent(e));
  }

  /** Scripts how pods behave from now on; without an argument every pod succeeds. */
  behave(fn?: JobBehaviour): void {
    this.behaviour = fn ?? (() => undefined);
  }

  /** Reconciles every Job now (after advancing a fake clock, for instance). */
  sync(): void {
    for (const job of this.registry.store.list(this.jobs.key)) this.enqueue(job.metadata.namespace!, job.metadata.name!);
  }

  stop(): void {
    this.unsubscribe();
    this.kubelet.stop();
  }

  private onEvent(e: StoreEvent): void {
    if (e.resource === this.jobs.key) {
      if (e.type === 'DELETED') this.forget(e.object.metadata.uid!);
      else this.enqueue(e.object.metadata.namespace!, e.object.metadata.name!);
    } else if (e.resource === this.pods.key) {
      if (e.type === 'DELETED') this.kubelet.forget(e.object.metadata.uid!);
      const owner = (asArray(e.object.metadata.ownerReferences) as OwnerReference[]).find((r) => r.controller && r.kind === 'Job');
      if (owner) this.enqueue(e.object.metadata.namespace!, owner.name);
    }
  }

  private forget(uid: string): void {
    const state = this.states.get(uid);
    if (!state) return;
    this.timers.cancel(state.deadlineTimer);
    this.timers.cancel(state.ttlTimer);
    this.states.delete(uid);
  }

  private enqueue(namespace: string, name: string, delayMs = 0): void {
    const key = `${namespace}/${name}`;
    if (this.queued.has(key) && delayMs === 0) return;
    this.queued.add(key);
    this.timers.set(() => {
      this.queued.delete(key);
      try {
        this.reconcile(namespace, name);
      } catch (err) {
        if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return;
        console.error('fake-apiserver: job controller failed', err);
      }
    }, delayMs);
  }

  private state(job: KubeObject): JobState {
    const uid = job.metadata.uid!;
    let state = this.states.get(uid);
    if (!state) {
      state = { uid, counted: new Map(), active: new Set(), attempts: 0, deadlineExceeded: false, retryAt: 0 };
      this.states.set(uid, state);
    }
    return state;
  }

  private ownedPods(job: KubeObject): KubeObject[] {
    return this.registry.store.list(this.pods.key, job.metadata.namespace).filter((p) =>
      (asArray(p.metadata.ownerReferences) as OwnerReference[]).some((r) => r.controller && r.uid === job.metadata.uid));
  }

  private reconcile(namespace: string, name: string): void {
    const job = this.registry.store.get(this.jobs.key, namespace, name);
    if (!job) return;
    const spec = asObject(job.spec);
    if (typeof spec.managedBy === 'string' && spec.managedBy !== MANAGED_BY) return;
    const state = this.state(job);
    const pods = this.ownedPods(job);
    const live = pods.filter((p) => !isTerminal(p) && !p.metadata.deletionTimestamp);
    if (finished(job)) {
      this.scheduleTtl(job, state);
      return;
    }
    if (job.metadata.deletionTimestamp) return;
    const now = rfc3339(this.env.now());
    const status = clone(asObject(job.status));
    if (spec.suspend === true) {
      for (const p of live) this.deletePod(p);
      state.active.clear();
      this.setCondition(status, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now);
      delete status.startTime;
      this.writeStatus(job, status, 0, 0);
      return;
    }
    if (asArray(status.conditions).some((c) => isObject(c) && c.type === 'Suspended' && c.status === 'True')) {
      this.setCondition(status, 'Suspended', 'False', 'JobResumed', 'Job resumed', now);
    }
    status.startTime ??= now;
    this.armDeadline(job, state);

    // Count the pods that finished since the last pass.
    const present = new Set(pods.map((p) => p.metadata.uid!));
    for (const pod of pods) {
      const uid = pod.metadata.uid!;
      if (state.counted.has(uid) || !isTerminal(pod)) continue;
      state.active.delete(uid);
      if (asObject(pod.status).phase === 'Succeeded') {
        state.counted.set(uid, 'succeeded');
        continue;
      }
      const rule = matchRule(job, pod);
      if (rule?.action === 'Ignore') state.counted.set(uid, 'ignored');
      else {
        state.counted.set(uid, 'failed');
        if (rule?.action === 'FailJob' && !state.failJob) state.failJob = { reason: 'PodFailurePolicy', message: rule.message };
      }
      state.retryAt = Date.now() + this.opts.retryDelayMs;
    }
    // An active pod that vanished (deleted before it finished) counts as failed.
    for (const uid of [...state.active]) {
      if (present.has(uid)) continue;
      state.active.delete(uid);
      state.counted.set(uid, 'failed');
      state.retryAt = Date.now() + this.opts.retryDelayMs;
    }

    const count = (what: Counted) => [...state.counted.values()].filter((c) => c === what).length;
    const completions = typeof spec.completions === 'number' ? spec.completions : 1;
    const parallelism = typeof spec.parallelism === 'number' ? spec.parallelism : 1;
    const backoffLimit = typeof spec.backoffLimit === 'number' ? spec.backoffLimit : 6;
    const deadline = typeof spec.activeDeadlineSeconds === 'number' ? spec.activeDeadlineSeconds : undefined;
    const elapsedMs = this.env.now().getTime() - Date.parse(String(status.startTime));
    if (deadline !== undefined && elapsedMs >= deadline * 1000) state.deadlineExceeded = true;

    let failure: { reason: string; message: string } | undefined = state.failJob;
    if (!failure && count('failed') > backoffLimit) failure = { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
    if (!failure && state.deadlineExceeded) failure = { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };

    if (failure) {
      for (const p of live) {
        this.deletePod(p);
        state.active.delete(p.metadata.uid!);
        state.counted.set(p.metadata.uid!, 'failed');
      }
      const conditions = asArray(status.conditions).filter((c) => !(isObject(c) && ['FailureTarget', 'Failed'].includes(String(c.type))));
      conditions.push(condition('FailureTarget', failure.reason, failure.message, now), condition('Failed', failure.reason, failure.message, now));
      status.conditions = conditions;
      this.writeStatus(job, status, 0, 0, count('succeeded'), count('failed'));
      this.scheduleTtl(job, state);
      return;
    }
    if (count('succeeded') >= completions) {
      for (const p of live) this.deletePod(p);
      const conditions = asArray(status.conditions);
      const message = 'Reached expected number of succeeded pods';
      conditions.push(condition('SuccessCriteriaMet', 'CompletionsReached', message, now), condition('Complete', 'CompletionsReached', message, now));
      status.conditions = conditions;
      status.completionTime = now;
      this.writeStatus(job, status, 0, 0, count('succeeded'), count('failed'));
      this.scheduleTtl(job, state);
      return;
    }

    // Start pods up to the parallelism still needed, after the retry delay.
    const want = Math.min(parallelism, completions - count('succeeded')) - live.length;
    const wait = state.retryAt - Date.now();
    if (want > 0 && wait > 0) this.enqueue(namespace, name, wait);
    else for (let i = 0; i < want; i++) this.startPod(job, state);
    const livePods = this.ownedPods(job).filter((p) => !isTerminal(p) && !p.metadata.deletionTimestamp);
    const ready = livePods.filter((p) => asArray(asObject(p.status).conditions).some((c) => isObject(c) && c.type === 'Ready' && c.status === 'True')).length;
    this.writeStatus(job, status, livePods.length, ready, count('succeeded'), count('failed'));
  }

  private setCondition(status: JsonObject, type: string, value: string, reason: string, message: string, now: string): void {
    const conditions = asArray(status.conditions).filter((c) => !(isObject(c) && c.type === type));
    const existing = asArray(status.conditions).map(asObject).find((c) => c.type === type);
    if (existing && existing.status === value) conditions.push(existing);
    else conditions.push({ ...condition(type, reason, message, now), status: value });
    status.conditions = conditions;
  }

  private writeStatus(job: KubeObject, status: JsonObject, active: number, ready: number, succeeded = 0, failed = 0): void {
    const next: JsonObject = {};
    if (status.conditions !== undefined) next.conditions = status.conditions;
    if (status.startTime !== undefined) next.startTime = status.startTime;
    if (status.completionTime !== undefined) next.completionTime = status.completionTime;
    if (active) next.active = active;
    if (succeeded) next.succeeded = succeeded;
    if (failed) next.failed = failed;
    next.ready = ready;
    next.uncountedTerminatedPods = {};
    this.registry.mutate(this.jobs, job.metadata.namespace, job.metadata.name!, (draft) => {
      draft.status = next;
    }, 'status');
  }

  private startPod(job: KubeObject, state: JobState): void {
    const template = asObject(asObject(job.spec).template);
    const meta = asObject(template.metadata);
    const jobName = job.metadata.name!;
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `${jobName}-`,
        namespace: job.metadata.namespace,
        labels: { ...asObject(meta.labels), [JOB_LABELS.controllerUid]: job.metadata.uid, [JOB_LABELS.jobName]: jobName, [JOB_LABELS.legacyControllerUid]: job.metadata.uid, [JOB_LABELS.legacyJobName]: jobName },
        ...(isObject(meta.annotations) ? { annotations: meta.annotations } : {}),
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: jobName, uid: job.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: { ...clone(asObject(template.spec)), nodeName: 'fake-node' },
    };
    const attempt = state.attempts++;
    const created = this.registry.create(this.pods, job.metadata.namespace, pod, { warnings: [], internal: true });
    state.active.add(created.metadata.uid!);
    let behaviour: PodBehaviour | undefined;
    try {
      behaviour = this.behaviour(job, attempt);
    } catch (err) {
      console.error('fake-apiserver: job behaviour threw', err);
    }
    this.kubelet.run(created, behaviour ?? {});
  }

  private deletePod(pod: KubeObject): void {
    try {
      this.registry.delete(this.pods, pod.metadata.namespace, pod.metadata.name!, { propagationPolicy: 'Background' }, { warnings: [], internal: true });
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
    }
  }

  private armDeadline(job: KubeObject, state: JobState): void {
    const seconds = asObject(job.spec).activeDeadlineSeconds;
    const value = typeof seconds === 'number' ? seconds : undefined;
    if (value === state.deadlineSeconds) return;
    this.timers.cancel(state.deadlineTimer);
    state.deadlineSeconds = value;
    if (value === undefined) return;
    const { namespace, name } = job.metadata;
    state.deadlineTimer = this.timers.set(() => {
      state.deadlineExceeded = true;
      this.enqueue(namespace!, name!);
    }, value * this.opts.secondsMs);
  }

  private scheduleTtl(job: KubeObject, state: JobState): void {
    this.timers.cancel(state.deadlineTimer);
    const ttl = asObject(job.spec).ttlSecondsAfterFinished;
    if (typeof ttl !== 'number' || state.ttlTimer || !finished(job)) return;
    const { namespace, name, uid } = job.metadata;
    state.ttlTimer = this.timers.set(() => {
      const current = this.registry.store.get(this.jobs.key, namespace, name!);
      if (!current || current.metadata.uid !== uid) return;
      this.registry.delete(this.jobs, namespace, name!, { propagationPolicy: 'Background' }, { warnings: [], internal: true });
    }, ttl * this.opts.secondsMs);
  }
}
