// The Run reconciler, level-triggered: from what the caches hold now it snapshots the Pipeline
// into the Run, applies concurrency limits, makes the per-run ConfigMap and workspace claim,
// observes the Run's Jobs, asks the planner what to do, creates and deletes Jobs, starts notify
// jobs, and writes the status through /status. Doing it twice does no harm: names are
// deterministic, AlreadyExists is success, and a stale status write is a Conflict, retried. A Run
// too large for the API server (its snapshot plus a status per job, or run-wide variables beyond
// a ConfigMap's 1 MiB) fails as TooLarge instead of retrying a write that can never succeed.
import { API_VERSION } from '../../api/v1alpha1/meta.ts';
import type { JobStatus, RunPhase, RunStatus } from '../../api/v1alpha1/run.ts';
import { MAX_OBJECT_BYTES, runEnvSizeError, runSizeError, validateRunInputs, validatePipelineSpec } from '../../api/v1alpha1/validate/index.ts';
import { expand } from '../../api/v1alpha1/expand.ts';
import { admission } from '../../plan/concurrency.ts';
import type { JobObservation } from '../../plan/engine.ts';
import type { Graph } from '../../plan/graph.ts';
import { runEnv } from '../../plan/env.ts';
import { observeJob } from '../../plan/observe-job.ts';
import { plan, statusChanged } from '../../plan/plan.ts';
import { LABELS, renderJob, renderNotifyJob, renderRunConfigMap, renderWorkspaceClaim, usesRunConfigMap } from '../../plan/render-job.ts';
import { snapshotOf, type RunSnapshot } from '../../plan/snapshot.ts';
import { joinName } from '../../plan/names.ts';
import { isAlreadyExists } from '../kube/errors.ts';
import { createdAt } from '../runs.ts';
import { RESOURCES } from '../kube/resources.ts';
import type { ReconcileResult } from '../queue.ts';
import { keyOf, splitKey, type ControllerContext, type JobObject, type PodObject, type RunObject } from '../context.ts';

const TERMINAL = new Set<RunPhase>(['Succeeded', 'Failed', 'Cancelled']);
/** Job conditions that say it ended or is ending (its pods terminating): nothing to stop. */
const ENDING = new Set(['Complete', 'Failed', 'SuccessCriteriaMet', 'FailureTarget']);

export class RunReconciler {
  private readonly ctx: ControllerContext;
  /** ConfigMaps and claims this process made or saw made: each is created once per lifetime. */
  private readonly ensured = new Set<string>();
  /**
   * Per Run key, what checking its spec found, for its uid and generation: validation and size
   * checks cost O(size of the Run), and a spec change bumps the generation.
   */
  private readonly checks = new Map<string, SpecCheck>();
  /**
   * Per Run key, the Run as this process's last status write left it, and the resourceVersions it
   * supersedes: until the cache holds that write, a reconcile starts from it — not from the
   * stale cached Run, whose resourceVersion would make the next status write a Conflict.
   */
  private readonly written = new Map<string, { run: RunObject; supersedes: Set<string> }>();

  constructor(ctx: ControllerContext) {
    this.ctx = ctx;
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const [namespace, name] = splitKey(key);
    const cached = this.ctx.runs.get(namespace, name);
    if (!cached || cached.metadata?.deletionTimestamp) {
      this.forget(key);
      this.written.delete(key);
      return;
    }
    const run = this.latest(key, cached);
    const jobs = this.ownJobs(run);
    if (run.status?.phase && TERMINAL.has(run.status.phase)) {
      this.forget(key, run.metadata?.uid);
      // Final: nothing may still run (a stop that failed earlier is retried here).
      await this.stopActive(run, jobs, new Set());
      return;
    }
    if (!run.spec.pipelineSpec) return this.snapshot(run);
    const checked = this.check(key, run);
    const { failure } = checked;
    if (failure) return this.writeStatus(run, { phase: 'Failed', ...failure, completionTime: this.ctx.now().toISOString() });
    if (run.spec.hold && !run.spec.cancel) {
      // Held for approval: nothing is made for it, not even its ConfigMap.
      return this.writeStatus(run, { ...run.status, phase: 'Pending', reason: 'AwaitingApproval', message: 'the code comes from an untrusted fork: a trusted "/ok-to-test" comment on the pull request starts this run at this commit' });
    }
    const snapshot = snapshotOf(run);

    const gate = this.admit(run, snapshot);
    if (gate.kind === 'queue') {
      return this.writeStatus(run, { ...run.status, phase: 'Pending', reason: 'Queued', message: `waiting for ${gate.ahead} earlier run${gate.ahead === 1 ? '' : 's'} of its concurrency group to finish` });
    }
    const cancel = snapshot.cancel || gate.kind === 'supersede';
    if (!cancel) await this.ensureRunObjects(run, snapshot);

    const observed = this.observe(run, jobs, checked.withResults);
    // A completed Job whose pod is not in the cache yet: look again soon.
    const awaitingPod = Object.values(observed).some((o) => o.reason === 'AwaitingPod');
    const now = this.ctx.now();
    const decision = plan({ run: cancel ? { ...run, spec: { ...run.spec, cancel: true } } : run, observed, now: now.toISOString(), graph: checked.graph });
    checked.graph ??= decision.engine.graph;
    // Stop first: a job that must not run is more urgent than one that may start.
    const finalNow = new Set((decision.status.jobs ?? []).filter((j) => j.phase !== 'Running' && j.phase !== 'Pending').map((j) => j.name));
    await this.stopActive(run, jobs, finalNow);
    let nameTaken = false;
    for (const job of decision.start) {
      const object = renderJob(decision.engine, job, { inlineRunEnv: !usesRunConfigMap(snapshot) }) as JobObject;
      await this.createOwned(run, object, (owner) => {
        // Another object holds the deterministic name: the job cannot run.
        decision.engine.observe(job, { phase: 'Failed', reason: 'NameTaken', message: `a Job named ${object.metadata!.name} already exists and belongs to ${owner}` });
        nameTaken = true;
      });
    }
    const status: RunStatus = nameTaken ? decision.engine.runStatus(now.toISOString(), run.status) : { ...decision.status };
    if (gate.kind === 'supersede' && status.phase === 'Cancelled') {
      status.reason = 'Superseded';
      status.message = `superseded by the newer run ${gate.by} of its concurrency group`;
    }
    await this.notify(run, snapshot, status.phase ?? 'Pending');

    const result = await this.writeStatus(run, status);
    const nextDeadline = this.nextDeadlineMs(run, status, now.getTime());
    const requeue = [result?.requeueAfterMs, nextDeadline, awaitingPod ? 1000 : undefined].filter((x): x is number => x !== undefined);
    return requeue.length > 0 ? { requeueAfterMs: Math.min(...requeue) } : undefined;
  }

  /** Copies the Pipeline's spec into the Run and makes the Pipeline its owner. */
  private async snapshot(run: RunObject): Promise<ReconcileResult> {
    const namespace = run.metadata!.namespace!;
    const pipeline = this.ctx.pipelines.get(namespace, run.spec.pipelineRef.name);
    if (!pipeline) {
      await this.writeStatus(run, { ...run.status, phase: 'Pending', reason: 'PipelineNotFound', message: `no Pipeline ${run.spec.pipelineRef.name} in namespace ${namespace}; waiting for it` });
      return { requeueAfterMs: 30_000 };
    }
    const owner = { apiVersion: API_VERSION, kind: 'Pipeline', name: pipeline.metadata!.name!, uid: pipeline.metadata!.uid!, blockOwnerDeletion: true };
    const owners = [...(run.metadata!.ownerReferences ?? []).filter((o) => o.uid !== owner.uid), owner];
    const metadata = { resourceVersion: run.metadata!.resourceVersion, ownerReferences: owners, labels: { [LABELS.pipeline]: pipeline.metadata!.name! } };
    // A snapshot the Run could not hold (with a status per job) would be refused by the API
    // server on every retry: the Run fails instead, still owned by its Pipeline.
    const tooLarge = runSizeError(pipeline.spec, 'spec.pipelineSpec', run.spec.jobs, run.spec.params);
    if (tooLarge) {
      const owned = await this.ctx.client.mergePatch<RunObject>(RESOURCES.runs, namespace, run.metadata!.name!, { metadata });
      this.ctx.log.warn('run too large', { run: run.metadata!.name, namespace, pipeline: pipeline.metadata!.name });
      return this.writeStatus(owned, { phase: 'Failed', reason: 'TooLarge', message: tooLarge.message, completionTime: this.ctx.now().toISOString() });
    }
    await this.ctx.client.mergePatch(RESOURCES.runs, namespace, run.metadata!.name!, { metadata, spec: { pipelineSpec: pipeline.spec } });
    this.ctx.log.info('snapshot taken', { run: run.metadata!.name, namespace, pipeline: pipeline.metadata!.name });
    return undefined;
  }

  private admit(run: RunObject, snapshot: RunSnapshot) {
    const concurrency = snapshot.spec.concurrency;
    if (!concurrency) return { kind: 'admit' as const };
    const group = this.groupOf(snapshot);
    const members = this.ctx.runs
      .list(snapshot.namespace)
      .filter((r) => !r.metadata?.deletionTimestamp && r.spec.pipelineSpec && !r.spec.hold && !TERMINAL.has(r.status?.phase as RunPhase))
      .filter((r) => r.metadata?.uid === run.metadata?.uid || this.groupOf(snapshotOf(r)) === group)
      .map((r) => ({ name: r.metadata!.name!, creationTimestamp: createdAt(r) }));
    return admission({ name: run.metadata!.name!, creationTimestamp: createdAt(run) }, concurrency, members);
  }

  private groupOf(snapshot: RunSnapshot): string {
    const template = snapshot.spec.concurrency?.group ?? '$(KAYCI_PIPELINE)';
    return expand(template, new Map(Object.entries(runEnv(snapshot))));
  }

  /** The per-run ConfigMap (when more than one Job reads it) and the workspace claim. */
  private async ensureRunObjects(run: RunObject, snapshot: RunSnapshot): Promise<void> {
    const uid = run.metadata!.uid!;
    if (usesRunConfigMap(snapshot) && !this.ensured.has(`cm/${uid}`)) {
      await this.createIgnoringExisting(RESOURCES.configmaps, renderRunConfigMap(snapshot));
      this.ensured.add(`cm/${uid}`);
    }
    const claim = renderWorkspaceClaim(snapshot);
    if (claim && !this.ensured.has(`pvc/${uid}`)) {
      await this.createIgnoringExisting(RESOURCES.pvcs, claim);
      this.ensured.add(`pvc/${uid}`);
    }
  }

  private async createIgnoringExisting(resource: (typeof RESOURCES)[keyof typeof RESOURCES], obj: { metadata?: { namespace?: string } }): Promise<void> {
    try {
      await this.ctx.client.create(resource, obj.metadata!.namespace!, obj as never);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
  }

  /** Creates a Job the Run owns; an existing one of another owner is reported to `taken`. */
  private async createOwned(run: RunObject, job: JobObject, taken: (owner: string) => void): Promise<void> {
    const namespace = job.metadata!.namespace!;
    try {
      await this.ctx.client.create(RESOURCES.jobs, namespace, job);
      this.ctx.log.info('job created', { run: run.metadata!.name, namespace, job: job.metadata!.labels?.[LABELS.job] ?? job.metadata!.labels?.[LABELS.notify], object: job.metadata!.name });
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      // AlreadyExists is success — if it is ours (an earlier create whose answer was lost).
      const existing = await this.ctx.client.get<JobObject>(RESOURCES.jobs, namespace, job.metadata!.name!);
      const owner = existing?.metadata?.ownerReferences?.find((o) => o.controller);
      if (existing && owner && owner.uid !== run.metadata!.uid) taken(`${owner.kind} ${owner.name}`);
    }
  }

  /** Jobs in the cache that this Run owns (by uid: a Run recreated with the same name owns none of its predecessor's). */
  private ownJobs(run: RunObject): JobObject[] {
    const uid = run.metadata?.uid;
    const own: JobObject[] = [];
    for (const job of this.ctx.jobsByRun.get(run.metadata!.namespace!, joinName(run.metadata!.name!))) {
      for (const o of job.metadata?.ownerReferences ?? []) {
        if (o.uid === uid && o.controller) {
          own.push(job);
          break;
        }
      }
    }
    return own;
  }

  private observe(run: RunObject, jobs: JobObject[], withResults: ReadonlySet<string>): Record<string, JobObservation> {
    // A job final in the status is final for the planner (it ignores later observations of it):
    // only the others are observed, each with its pods, grouped by owner in one pass over the
    // Run's pods — O(jobs + pods) per reconcile, not O(jobs × pods).
    const final = new Set<string>();
    for (const j of run.status?.jobs ?? []) if (j.phase !== 'Running' && j.phase !== 'Pending') final.add(j.name);
    const open = new Map<string, { name: string; job: JobObject; pods: PodObject[] }>();
    for (const job of jobs) {
      const name = job.metadata?.labels?.[LABELS.job];
      if (name && !final.has(name) && !job.metadata?.deletionTimestamp) open.set(job.metadata?.uid ?? '', { name, job, pods: [] });
    }
    const observed: Record<string, JobObservation> = {};
    if (open.size === 0) return observed;
    for (const pod of this.ctx.podsByRun.get(run.metadata!.namespace!, joinName(run.metadata!.name!))) {
      const owner = pod.metadata?.ownerReferences?.find((o) => open.has(o.uid));
      if (owner) open.get(owner.uid)!.pods.push(pod);
    }
    const nowMs = this.ctx.now().getTime();
    for (const { name, job, pods } of open.values()) observed[name] = observeJob(job, pods, { expectsResults: withResults.has(name), nowMs });
    return observed;
  }

  /** The cached Run, or the newer one this process wrote if the cache has not caught up with it. */
  private latest(key: string, cached: RunObject): RunObject {
    const mine = this.written.get(key);
    if (mine && mine.run.metadata?.uid === cached.metadata?.uid && mine.supersedes.has(cached.metadata?.resourceVersion ?? '')) return mine.run;
    this.written.delete(key);
    return cached;
  }

  /** Why the Run cannot run (too large, invalid), from its spec: computed once per uid and generation. */
  private check(key: string, run: RunObject): SpecCheck {
    const uid = run.metadata?.uid;
    const generation = run.metadata?.generation;
    const known = this.checks.get(key);
    if (known && generation !== undefined && known.uid === uid && known.generation === generation) return known;
    const spec = run.spec.pipelineSpec!;
    const tooLarge = runSizeError(spec, 'spec.pipelineSpec', run.spec.jobs, run.spec.params) ?? runEnvSizeError(spec, 'spec.params', run.spec.params, run.spec.metadata);
    const invalid = tooLarge ? [] : [...validatePipelineSpec(spec, 'spec.pipelineSpec'), ...validateRunInputs(run.spec as unknown as Record<string, unknown>)];
    const failure = tooLarge
      ? { reason: 'TooLarge', message: tooLarge.message }
      : invalid.length > 0
        ? { reason: 'InvalidRun', message: invalid.map((e) => `${e.path}: ${e.message}`).join('; ').slice(0, 2000) }
        : undefined;
    // Tolerant of any shape: an invalid spec fails the Run, it must not throw here.
    const withResults = new Set((Array.isArray(spec.jobs) ? spec.jobs : []).filter((j) => Array.isArray(j?.results) && j.results.length > 0).map((j) => j.name));
    const checked: SpecCheck = { uid, generation, failure, specBytes: Buffer.byteLength(JSON.stringify(run.spec)), withResults };
    this.checks.set(key, checked);
    return checked;
  }

  /** Drops what is kept per Run once it is final or gone. */
  private forget(key: string, uid = this.checks.get(key)?.uid): void {
    if (uid !== undefined) {
      this.ensured.delete(`cm/${uid}`);
      this.ensured.delete(`pvc/${uid}`);
    }
    this.checks.delete(key);
  }

  /** Deletes every Job of the Run that is still active although its job is final (or the Run is). */
  private async stopActive(run: RunObject, jobs: JobObject[], finalJobs: Set<string>): Promise<void> {
    const runFinal = TERMINAL.has(run.status?.phase as RunPhase);
    for (const job of jobs) {
      const name = job.metadata?.labels?.[LABELS.job];
      if (!runFinal && (name === undefined || !finalJobs.has(name))) continue;
      // FailureTarget and SuccessCriteriaMet come first: the Job controller is already ending
      // that Job (its pods terminate), and deleting it would only lose its pods and their logs.
      const done = job.status?.conditions?.some((c) => ENDING.has(c.type) && c.status === 'True');
      // Notify jobs run after the Run ended: they are never stopped for it.
      if (done || job.metadata?.deletionTimestamp || job.metadata?.labels?.[LABELS.notify]) continue;
      await this.ctx.client.delete(RESOURCES.jobs, job.metadata!.namespace!, job.metadata!.name!, { uid: job.metadata!.uid });
      this.ctx.log.info('job stopped', { run: run.metadata!.name, namespace: run.metadata!.namespace, job: name });
    }
  }

  /** Notify jobs for the phase the Run is in; each (notify job, phase) is created once. */
  private async notify(run: RunObject, snapshot: RunSnapshot, phase: RunPhase): Promise<void> {
    for (const n of snapshot.spec.notify ?? []) {
      if (!n.on.includes(phase as never)) continue;
      await this.createOwned(run, renderNotifyJob(snapshot, n, phase) as JobObject, () => undefined);
    }
  }

  /**
   * Writes the status when it changed. A Run that just started waits `deferRunningMs` before
   * saying so, unless a job finished meanwhile: a fast Run then costs a single write.
   */
  private async writeStatus(run: RunObject, next: RunStatus): Promise<ReconcileResult> {
    // A Run without a status is pending already: a bare Pending (no reason, no job observed yet)
    // while its first jobs are being started tells nobody anything. Pending with a reason (Queued,
    // AwaitingApproval, PipelineNotFound) is written.
    if (!run.status?.phase && isBarePending(next)) return undefined;
    if (!statusChanged(run.status, next)) return undefined;
    let status = next;
    const bytes = this.runBytes(run, status);
    if (bytes > MAX_OBJECT_BYTES) {
      // The API server (etcd) would refuse this write on every retry: end the Run, with a status that fits.
      status = {
        phase: 'Failed',
        reason: 'TooLarge',
        message: `the Run with its status would take ${bytes} bytes; the API server stores at most ${MAX_OBJECT_BYTES} bytes per object (large results are the usual cause: write them to the workspace and pass a path)`,
        startTime: next.startTime,
        completionTime: this.ctx.now().toISOString(),
      };
    }
    const wasPending = !run.status?.phase || run.status.phase === 'Pending';
    const anyFinal = (status.jobs ?? []).some((j: JobStatus) => j.phase !== 'Running' && j.phase !== 'Pending');
    if (wasPending && status.phase === 'Running' && !anyFinal) {
      const started = Math.min(...(status.jobs ?? []).map((j) => Date.parse(j.startTime ?? '') || Number.POSITIVE_INFINITY));
      const wait = (Number.isFinite(started) ? started : this.ctx.now().getTime()) + this.ctx.settings.deferRunningMs - this.ctx.now().getTime();
      if (wait > 0) return { requeueAfterMs: wait };
    }
    await this.patchStatus(run, status);
    if (status.phase !== run.status?.phase) {
      this.ctx.log.info('run phase', { run: run.metadata!.name, namespace: run.metadata!.namespace, phase: status.phase, reason: status.reason });
      if (status.phase && TERMINAL.has(status.phase) && status.startTime && status.completionTime) {
        this.ctx.metrics.runDuration.observe({ phase: status.phase }, (Date.parse(status.completionTime) - Date.parse(status.startTime)) / 1000);
      }
      const previous = new Map((run.status?.jobs ?? []).map((b) => [b.name, b]));
      for (const j of status.jobs ?? []) {
        const before = previous.get(j.name);
        if (before?.phase !== j.phase && j.startTime && j.completionTime) this.ctx.metrics.jobDuration.observe({ phase: j.phase }, (Date.parse(j.completionTime) - Date.parse(j.startTime)) / 1000);
      }
    }
    return undefined;
  }

  /**
   * Replaces the status with a merge patch of /status: the status alone travels, not the whole
   * Run with its snapshot, and the resourceVersion in the patch keeps the write conditional (a
   * Conflict if the Run changed since it was read). Every top-level field the new status lacks is
   * a null, so the result is the new status exactly (its lists are replaced whole by a merge).
   */
  private async patchStatus(run: RunObject, status: RunStatus): Promise<void> {
    const key = keyOf(run);
    const base = run.metadata!.resourceVersion!;
    const patch: Record<string, unknown> = {};
    for (const k of Object.keys(run.status ?? {})) patch[k] = null;
    for (const [k, v] of Object.entries(status)) if (v !== undefined) patch[k] = v;
    const mine = this.written.get(key);
    this.written.delete(key);
    const stored = await this.ctx.client.mergePatch<RunObject>(RESOURCES.runs, run.metadata!.namespace!, run.metadata!.name!, { metadata: { resourceVersion: base }, status: patch }, 'status');
    const version = stored?.metadata?.resourceVersion;
    if (version && version !== base) {
      const supersedes = new Set(mine && mine.run === run ? mine.supersedes : []);
      supersedes.add(base);
      this.written.set(key, { run: stored, supersedes });
    }
  }

  /** The Run's size as JSON with this status; the spec (the snapshot: most of it) is measured once per generation. */
  private runBytes(run: RunObject, status: RunStatus): number {
    const known = this.checks.get(keyOf(run));
    const generation = run.metadata?.generation;
    const specBytes = known && generation !== undefined && known.uid === run.metadata?.uid && known.generation === generation ? known.specBytes : Buffer.byteLength(JSON.stringify(run.spec));
    // `"spec":0` stands for the spec: one byte in place of specBytes.
    return Buffer.byteLength(JSON.stringify({ ...run, spec: 0, status })) - 1 + specBytes;
  }

  /** When the earliest running job passes its timeout (plus grace), for a requeue. */
  private nextDeadlineMs(run: RunObject, status: RunStatus, nowMs: number): number | undefined {
    const jobs = run.spec.pipelineSpec?.jobs ?? [];
    let next: number | undefined;
    for (const j of status.jobs ?? []) {
      if (j.phase !== 'Running' || !j.startTime) continue;
      const timeout = jobs.find((x) => x.name === j.name)?.timeoutSeconds;
      if (timeout === undefined) continue;
      const at = Date.parse(j.startTime) + (timeout + 31) * 1000 - nowMs;
      next = Math.min(next ?? at, Math.max(at, 1000));
    }
    return next;
  }
}


interface SpecCheck {
  readonly uid?: string;
  readonly generation?: number;
  /** Why the Run fails without running, if it does. */
  readonly failure?: { readonly reason: string; readonly message: string };
  /** Bytes of the Run's spec as JSON, for the size check of a status write. */
  readonly specBytes: number;
  /** Jobs that declare results (their pods are read before they count as done). */
  readonly withResults: ReadonlySet<string>;
  /** The DAG of its jobs, once planned. */
  graph?: Graph;
}

/** `{phase: 'Pending'}` and nothing else of note: no reason, no message, no job status, no start. */
function isBarePending(s: RunStatus): boolean {
  return s.phase === 'Pending' && !s.reason && !s.message && !s.startTime && (s.jobs ?? []).length === 0 && (s.conditions ?? []).length === 0;
}
