// The controller process: informers for the kinds it reads, a work queue and a reconciler per
// kind, leader election, and the HTTP endpoints. Informers run on every replica (a standby is
// warm); only the leader's workers reconcile, and its writes stop the moment its lease is stale.
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import type { RunPhase } from '../api/v1alpha1/run.ts';
import { LABELS } from '../plan/render-job.ts';
import { DEFAULT_SETTINGS, keyOf, type ControllerContext, type ControllerSettings, type JobObject, type PipelineObject, type PodObject, type RunObject, type TriggerObject } from './context.ts';
import { send as httpSend, type Send } from '../feedback/http.ts';
import { gitlabAccessLevel } from './hooks/gitlab-access.ts';
import { hooksRoute, type HooksOptions } from './hooks/route.ts';
import { SecretReader } from './hooks/secrets.ts';
import { FeedbackReporter } from './feedback/reporter.ts';
import { startHttp, type Route } from './http.ts';
import { LabelIndex } from './index-by-label.ts';
import { Informer } from './informer.ts';
import { KubeClient } from './kube/client.ts';
import { isTransient, NotLeaderError } from './kube/errors.ts';
import { TokenBucket } from './kube/rate-limit.ts';
import { RESOURCES } from './kube/resources.ts';
import { LeaderElector } from './leader.ts';
import { jsonLogger, type Logger } from './log.ts';
import { ControllerMetrics } from './metrics.ts';
import { WorkQueue } from './queue.ts';
import { PipelineReconciler } from './reconcile/pipeline.ts';
import { RunReconciler } from './reconcile/run.ts';
import { TriggerReconciler } from './reconcile/trigger.ts';

export interface ManagerOptions {
  readonly kubeConfig: KubeConfig;
  /** Watch one namespace; all when unset. */
  readonly namespace?: string;
  /** Where the leader Lease lives. */
  readonly leaseNamespace: string;
  readonly identity?: string;
  /** API requests per second, and the burst above it. @default 20, 40 */
  readonly qps?: number;
  readonly burst?: number;
  readonly workers?: number;
  /** HTTP port for health, metrics (and webhooks); undefined for none. */
  readonly port?: number;
  /** Address to listen on. @default all interfaces */
  readonly host?: string;
  readonly routes?: readonly Route[];
  /** Webhook intake at /hooks/<namespace>/<trigger> (on the HTTP port). */
  readonly hooks?: HooksOptions;
  /** Outgoing HTTP for feedback and lookups (tests inject one). */
  readonly send?: Send;
  readonly log?: Logger;
  readonly now?: () => Date;
  readonly settings?: Partial<ControllerSettings>;
  readonly leader?: { leaseDurationMs?: number; renewDeadlineMs?: number; retryPeriodMs?: number };
  readonly informers?: { idleTimeoutMs?: number; backoff?: { baseMs: number; maxMs: number } };
}

export class Manager {
  readonly metrics = new ControllerMetrics();
  readonly context: ControllerContext;
  readonly leader: LeaderElector;
  /** Commit statuses and notifications for Runs of Triggers that ask for them. */
  readonly feedback: FeedbackReporter;
  private readonly log: Logger;
  private readonly informers: { start(): Promise<void>; stop(): void; readonly hasSynced: boolean }[];
  private readonly reconcilers: { queue: WorkQueue; reconcile: (key: string) => Promise<{ requeueAfterMs?: number } | void>; kind: string }[];
  private readonly options: ManagerOptions;
  private readonly routes: readonly Route[];
  private server?: Server;
  private working = false;
  private stopping = false;

  constructor(options: ManagerOptions) {
    this.options = options;
    const log = options.log ?? jsonLogger();
    this.log = log;
    const limiter = new TokenBucket(options.qps ?? 20, options.burst ?? 40);
    const identity = options.identity ?? `${hostname()}-${process.pid}`;
    // Not fenced: the lease is how a replica becomes allowed to write, and webhook Runs (named by
    // their delivery) are safe to create from any replica.
    const unfenced = new KubeClient(options.kubeConfig, { limiter, metrics: this.metrics });
    this.leader = new LeaderElector(unfenced, { namespace: options.leaseNamespace, identity, log, ...options.leader });
    const client = new KubeClient(options.kubeConfig, { limiter, metrics: this.metrics, mayWrite: () => this.leader.isLeader() });

    const informerOptions = { namespace: options.namespace, log, metrics: this.metrics, ...options.informers };
    const runs = new Informer<RunObject>(client, RESOURCES.runs, informerOptions);
    const pipelines = new Informer<PipelineObject>(client, RESOURCES.pipelines, informerOptions);
    const triggers = new Informer<TriggerObject>(client, RESOURCES.triggers, informerOptions);
    const jobs = new Informer<JobObject>(client, RESOURCES.jobs, { ...informerOptions, labelSelector: LABELS.run });
    const pods = new Informer<PodObject>(client, RESOURCES.pods, { ...informerOptions, labelSelector: LABELS.run });
    this.informers = [runs, pipelines, triggers, jobs, pods];

    const workers = options.workers ?? 4;
    const queues = {
      runs: new WorkQueue({ workers }),
      pipelines: new WorkQueue({ workers: 1 }),
      triggers: new WorkQueue({ workers: 1 }),
    };
    this.context = {
      client,
      runs,
      pipelines,
      triggers,
      jobs,
      jobsByRun: new LabelIndex(jobs, LABELS.run),
      podsByRun: new LabelIndex(pods, LABELS.run),
      queues,
      now: options.now ?? (() => new Date()),
      log,
      metrics: this.metrics,
      settings: { ...DEFAULT_SETTINGS, ...options.settings },
    };
    this.wireEvents();
    // Webhooks are served by every replica: a Run's name comes from its delivery, so creating it
    // from a standby is as safe as from the leader (the second create is an AlreadyExists).
    const secrets = new SecretReader(unfenced);
    const ready = () => this.informers.every((i) => i.hasSynced);
    const hooks = hooksRoute({ client: unfenced, triggers, pipelines, runs, log, now: this.context.now, secrets, ready, accessLevel: gitlabAccessLevel(secrets, options.send ?? httpSend) }, options.hooks);
    this.routes = [hooks, ...(options.routes ?? [])];
    // Feedback follows the cached Runs; it posts from the leader only, off the reconcile path.
    this.feedback = new FeedbackReporter({ runs, triggers, secrets, send: options.send ?? httpSend, log, now: this.context.now, metrics: this.metrics, isLeader: () => this.working && this.leader.isLeader() });
    runs.on('add', (r) => this.feedback.observe(r)).on('update', (r) => this.feedback.observe(r)).on('delete', (r) => this.feedback.forget(r));
    const runR = new RunReconciler(this.context);
    const pipelineR = new PipelineReconciler(this.context);
    const triggerR = new TriggerReconciler(this.context);
    this.reconcilers = [
      { queue: queues.runs, reconcile: (k) => runR.reconcile(k), kind: 'Run' },
      { queue: queues.pipelines, reconcile: (k) => pipelineR.reconcile(k), kind: 'Pipeline' },
      { queue: queues.triggers, reconcile: (k) => triggerR.reconcile(k), kind: 'Trigger' },
    ];
    this.metrics.queueDepth.collectWith(() => this.reconcilers.map((r) => [{ kind: r.kind }, r.queue.depth]));
    this.metrics.runsByPhase.collectWith(() => {
      const counts = new Map<string, number>();
      for (const r of runs.list()) counts.set(r.status?.phase ?? 'Pending', (counts.get(r.status?.phase ?? 'Pending') ?? 0) + 1);
      return [...counts].map(([phase, n]) => [{ phase }, n]);
    });
  }

  /** Starts caches, then leader election; reconciles while leading. Resolves once caches synced. */
  async start(): Promise<void> {
    if (this.options.port !== undefined) {
      this.server = await startHttp({ port: this.options.port, host: this.options.host, ready: () => this.informers.every((i) => i.hasSynced), metrics: () => this.metrics.render(), routes: this.routes });
      // The port actually bound: with port 0 the system picks one, and only this line says which.
      this.log.info('serving http', { port: this.port });
    }
    await Promise.all(this.informers.map((i) => i.start()));
    if (this.stopping) return;
    this.log.info('caches synced', { namespace: this.options.namespace ?? '(all)' });
    this.leader.start((leading) => {
      this.metrics.leader.set({}, leading ? 1 : 0);
      if (leading && !this.stopping) this.startWorking();
      else void this.stopWorking();
    });
  }

  async stop(): Promise<void> {
    // No worker starts once stopping, even if the lease is acquired meanwhile (stop hands it back).
    this.stopping = true;
    this.feedback.stop();
    await this.stopWorking();
    await this.leader.stop();
    for (const i of this.informers) i.stop();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  get port(): number | undefined {
    const a = this.server?.address();
    return typeof a === 'object' && a ? a.port : undefined;
  }

  private startWorking(): void {
    if (this.working) return;
    this.working = true;
    for (const r of this.reconcilers) {
      r.queue.start(
        async (key) => {
          const result = await r.reconcile(key);
          this.metrics.reconciles.inc({ kind: r.kind, result: 'ok' });
          return result;
        },
        (key, error) => {
          this.metrics.reconciles.inc({ kind: r.kind, result: 'error' });
          const delay = r.queue.retry(key);
          // The write fence closed: a renewal ran late (the lease may well come back without a
          // "became leader" that re-enqueues everything), or leadership is lost and stopWorking
          // drops the retry with the queue. Either way the key must not be forgotten here.
          if (error instanceof NotLeaderError) return;
          const level = isTransient(error) ? 'debug' : 'error';
          this.log[level]('reconcile failed; retrying', { kind: r.kind, key, error, retryInMs: delay });
        },
      );
    }
    // Everything in the caches is reconciled once on becoming leader (level-triggered).
    for (const r of this.context.runs.list()) this.context.queues.runs.add(keyOf(r));
    for (const p of this.context.pipelines.list()) this.context.queues.pipelines.add(keyOf(p));
    for (const t of this.context.triggers.list()) this.context.queues.triggers.add(keyOf(t));
  }

  private async stopWorking(): Promise<void> {
    if (!this.working) return;
    this.working = false;
    await Promise.all(this.reconcilers.map((r) => r.queue.shutdown()));
  }

  /** Informer events only enqueue keys; a Job's or Pod's event enqueues its Run. */
  private wireEvents(): void {
    const { runs, pipelines, triggers, jobs, queues } = this.context;
    const enqueueRun = (r: RunObject) => queues.runs.add(keyOf(r));
    // The Pipeline's status.lastRun names the newest Run and its phase; a short delay makes a
    // burst of Runs (or of phase changes) one Pipeline reconcile.
    const enqueuePipelineOf = (r: RunObject, ms: number) => queues.pipelines.addAfter(`${r.metadata?.namespace}/${r.spec.pipelineRef.name}`, ms);
    runs.on('add', (r) => {
      enqueueRun(r);
      enqueuePipelineOf(r, 1000);
    }).on('update', (r, old) => {
      enqueueRun(r);
      const terminal = (p?: string) => p === 'Succeeded' || p === 'Failed' || p === 'Cancelled';
      if (terminal(r.status?.phase) && !terminal(old?.status?.phase)) {
        // A finished Run frees a place in its concurrency group, and may be due for retention.
        for (const other of runs.list(r.metadata?.namespace)) if (!terminal(other.status?.phase as RunPhase)) enqueueRun(other);
        enqueuePipelineOf(r, 2000);
      } else if (r.status?.phase !== old?.status?.phase) {
        enqueuePipelineOf(r, 1000);
      }
    });
    runs.on('delete', (r) => {
      queues.pipelines.addAfter(`${r.metadata?.namespace}/${r.spec.pipelineRef.name}`, 2000);
      // The Run reconciler forgets what it kept for the Run when the key finds nothing.
      enqueueRun(r);
    });
    const byOwnerRun = (o: { metadata?: { namespace?: string; labels?: Record<string, string>; ownerReferences?: { kind: string; name: string; controller?: boolean }[] } }) => {
      const owner = o.metadata?.ownerReferences?.find((r) => r.kind === 'Run' && r.controller);
      if (owner) queues.runs.add(`${o.metadata?.namespace}/${owner.name}`);
    };
    jobs.on('add', byOwnerRun).on('update', byOwnerRun).on('delete', byOwnerRun);
    // Pods: only their final states carry results; the Job's own status change enqueues anyway.
    const enqueueTriggersOf = (p: PipelineObject) => {
      for (const t of triggers.list(p.metadata?.namespace)) if (t.spec.pipelineRef.name === p.metadata?.name) queues.triggers.add(keyOf(t));
    };
    pipelines.on('add', (p) => {
      queues.pipelines.add(keyOf(p));
      enqueueTriggersOf(p);
      // Runs waiting for this Pipeline to exist (PipelineNotFound) take their snapshot now. (The
      // caches' first list needs none of it: becoming leader reconciles every Run.)
      if (runs.hasSynced) for (const r of runs.list(p.metadata?.namespace)) if (!r.spec.pipelineSpec && r.spec.pipelineRef.name === p.metadata?.name) enqueueRun(r);
    }).on('update', (p, old) => {
      // Only a spec change (a new generation) matters to the Pipeline and its Triggers: the
      // controller's own status writes come back as updates too, and must not feed a reconcile.
      if (p.metadata?.generation === old?.metadata?.generation) return;
      queues.pipelines.add(keyOf(p));
      enqueueTriggersOf(p);
    });
    pipelines.on('delete', enqueueTriggersOf);
    triggers.on('add', (t) => queues.triggers.add(keyOf(t))).on('update', (t, old) => {
      if (t.metadata?.generation !== old?.metadata?.generation) queues.triggers.add(keyOf(t));
    });
  }
}
