// Feedback for Runs created by a Trigger: commit statuses on GitHub or GitLab while the Run goes,
// and chat notifications when it ends. Fed by the runs informer's events; nothing here is on the
// reconcile path — a status is computed from the cached Run, compared with what was last asked
// for, and handed to the outbox, which sends it later, a few at a time, retrying what may pass.
// Only the leader sends. Addresses come from the Trigger and its Secrets, never from the Run.
import type { RunPhase } from '../../api/v1alpha1/run.ts';
import type { Notification } from '../../api/v1alpha1/trigger.ts';
import { desiredStatuses, expandLogsUrl } from '../../feedback/describe.ts';
import { FeedbackError, type Send } from '../../feedback/http.ts';
import { OncePerRun, StatusLedger } from '../../feedback/ledger.ts';
import { notifyMatrix, notifySlack, type RunNotice } from '../../feedback/notifications.ts';
import { githubState, gitlabState, postStatus, type CommitStatus } from '../../feedback/statuses.ts';
import { destinationOf, type Destination } from '../../feedback/target.ts';
import type { RunObject, TriggerObject } from '../context.ts';
import type { SecretReader } from '../hooks/secrets.ts';
import type { Logger } from '../log.ts';
import type { ControllerMetrics } from '../metrics.ts';
import { Outbox, type OutboxTask } from './outbox.ts';

const TERMINAL = new Set<RunPhase | undefined>(['Succeeded', 'Failed', 'Cancelled']);

export interface FeedbackReporterOptions {
  readonly runs: { list(namespace?: string): RunObject[] };
  readonly triggers: { get(namespace: string | undefined, name: string): TriggerObject | undefined };
  readonly secrets: Pick<SecretReader, 'value'>;
  readonly send: Send;
  readonly log: Logger;
  /** Whether this replica may send (it leads and its workers run). */
  readonly isLeader: () => boolean;
  readonly now: () => Date;
  readonly metrics?: ControllerMetrics;
  /** Requests in flight at once. @default 4 */
  readonly concurrency?: number;
  readonly retry?: { attempts?: number; baseMs?: number; maxMs?: number };
  /** How often leadership is checked, to post everything current on becoming leader. @default 1000 */
  readonly leaderPollMs?: number;
  /**
   * A finished Run is reported (again, after a restart or a failover) only this long after it
   * finished, so a restart does not re-post the statuses of every Run the cluster remembers.
   * @default 3600000 (1 h)
   */
  readonly reportFinishedForMs?: number;
  /** Same for notifications: a failover never re-announces old Runs. @default 300000 (5 min) */
  readonly notifyFinishedForMs?: number;
}

/** A request that cannot succeed by being sent again (missing Secret, bad address). */
class FeedbackConfigError extends Error {
  override name = 'FeedbackConfigError';
  readonly code = 'KAYCI_FEEDBACK_CONFIG';
}

function retriable(e: unknown): boolean {
  if (e instanceof FeedbackConfigError) return false;
  // 3xx (redirects are never followed) and 4xx are answers; 429 asks to come back later.
  if (e instanceof FeedbackError) return e.status >= 500 || e.status === 429;
  // Network errors, timeouts, a Secret that could not be read right now.
  return true;
}

/** GitLab refuses a status equal to the current one ("Cannot transition status via :run from :running"). */
function alreadySet(e: unknown): boolean {
  return e instanceof FeedbackError && e.status === 400 && /Cannot transition status/i.test(e.message);
}

export class FeedbackReporter {
  private readonly o: FeedbackReporterOptions;
  private readonly ledger = new StatusLedger();
  private readonly notified = new OncePerRun();
  private readonly outbox: Outbox;
  private readonly timer: NodeJS.Timeout;
  private leading = false;
  private stopped = false;

  constructor(options: FeedbackReporterOptions) {
    this.o = options;
    this.outbox = new Outbox({ concurrency: options.concurrency, ...options.retry, retriable, onError: (task, error, attempt, next) => this.failed(task, error, attempt, next) });
    this.timer = setInterval(() => this.checkLeadership(), options.leaderPollMs ?? 1000);
    this.timer.unref?.();
  }

  /** A Run was added or changed: queue what changed of its statuses, and its notifications. */
  observe(run: RunObject): void {
    try {
      if (!this.checkLeadership()) return;
      this.report(run);
    } catch (e) {
      // Feedback must never break the informer it listens to.
      this.o.log.error('feedback failed', { namespace: run.metadata?.namespace, run: run.metadata?.name, error: e });
    }
  }

  /** A Run was deleted. */
  forget(run: RunObject): void {
    const uid = run.metadata?.uid;
    if (!uid) return;
    this.ledger.forget(uid);
    this.notified.forget(uid);
  }

  /** Resolves once everything queued has been sent (or given up). */
  idle(): Promise<void> {
    return this.outbox.idle();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.outbox.stop();
  }

  /** Follows leadership: posts everything current on gaining it, drops the queue on losing it. */
  private checkLeadership(): boolean {
    if (this.stopped) return false;
    const leader = this.o.isLeader();
    if (leader && !this.leading) {
      this.leading = true;
      this.ledger.clear();
      for (const r of this.o.runs.list()) {
        try {
          this.report(r);
        } catch (e) {
          this.o.log.error('feedback failed', { namespace: r.metadata?.namespace, run: r.metadata?.name, error: e });
        }
      }
    } else if (!leader && this.leading) {
      this.leading = false;
      this.outbox.clear();
      this.ledger.clear();
    }
    return leader;
  }

  private report(run: RunObject): void {
    const uid = run.metadata?.uid;
    const namespace = run.metadata?.namespace;
    const triggerName = run.spec.metadata?.trigger;
    if (!uid || !namespace || !triggerName || run.metadata?.deletionTimestamp) return;
    const trigger = this.o.triggers.get(namespace, triggerName);
    if (!trigger) return;
    const phase = run.status?.phase;
    const finishedAgoMs = TERMINAL.has(phase) ? this.o.now().getTime() - (Date.parse(run.status?.completionTime ?? '') || this.o.now().getTime()) : 0;
    if (finishedAgoMs <= (this.o.reportFinishedForMs ?? 3_600_000)) this.statuses(run, trigger, uid, namespace);
    if (TERMINAL.has(phase) && finishedAgoMs <= (this.o.notifyFinishedForMs ?? 300_000)) this.notifications(run, trigger, uid, namespace, phase!);
  }

  private statuses(run: RunObject, trigger: TriggerObject, uid: string, namespace: string): void {
    const where = destinationOf(run, trigger);
    if (!where) return;
    if (!where.ok) {
      // Once per Run, not per change.
      if (this.notified.first(uid, 'bad-destination')) this.o.log.warn('commit statuses not posted', { namespace, run: run.metadata?.name, trigger: trigger.metadata?.name, reason: where.reason });
      return;
    }
    const feedback = trigger.spec.feedback!;
    const stateOf = where.destination.provider === 'github' ? githubState : gitlabState;
    for (const status of desiredStatuses(run, { context: feedback.context, logsUrl: feedback.logsUrl })) {
      if (!this.ledger.update(uid, status.context, { state: stateOf(status.phase), description: status.description, targetUrl: status.targetUrl })) continue;
      this.outbox.push(`${uid}\n${status.context}`, {
        run: () => this.postStatus(namespace, where.destination, feedback.tokenSecretRef, status),
        about: { kind: 'status', namespace, run: run.metadata!.name!, context: status.context, state: stateOf(status.phase) },
      });
    }
  }

  private async postStatus(namespace: string, destination: Destination, tokenRef: { name: string; key: string }, status: CommitStatus): Promise<void> {
    if (!this.o.isLeader()) return;
    const token = await this.o.secrets.value(namespace, tokenRef);
    if (!token) throw new FeedbackConfigError(`no token: Secret ${tokenRef.name} has no key ${tokenRef.key}`);
    try {
      await postStatus(this.o.send, { ...destination, token }, status);
    } catch (e) {
      if (!alreadySet(e)) throw e;
    }
    this.o.metrics?.feedback.inc({ kind: 'status', result: 'ok' });
  }

  private notifications(run: RunObject, trigger: TriggerObject, uid: string, namespace: string, phase: RunPhase): void {
    const list = trigger.spec.notifications ?? [];
    list.forEach((n, i) => {
      if (!(n.on ?? ['Failed']).includes(phase as never)) return;
      if (!n.slack && !n.matrix) return;
      if (!this.notified.first(uid, `${phase}/${i}`)) return;
      const name = run.metadata!.name!;
      const notice: RunNotice = {
        run: name,
        namespace,
        pipeline: run.spec.pipelineRef.name,
        phase,
        summary: run.status?.message ?? run.status?.reason ?? phase.toLowerCase(),
        url: expandLogsUrl(trigger.spec.feedback?.logsUrl, { namespace, pipeline: run.spec.pipelineRef.name, run: name, job: '' }),
        commit: run.spec.metadata?.commitSha,
        branch: run.spec.metadata?.branch,
      };
      this.outbox.push(`${uid}\nnotify/${i}`, { run: () => this.notify(namespace, n, notice), about: { kind: n.slack ? 'slack' : 'matrix', namespace, run: name, notification: String(i), phase } });
    });
  }

  private async notify(namespace: string, n: Notification, notice: RunNotice): Promise<void> {
    if (!this.o.isLeader()) return;
    if (n.slack) {
      const url = await this.o.secrets.value(namespace, n.slack.urlSecretRef);
      if (!url) throw new FeedbackConfigError(`no Slack webhook URL: Secret ${n.slack.urlSecretRef.name} has no key ${n.slack.urlSecretRef.key}`);
      if (!/^https?:\/\//.test(url.trim())) throw new FeedbackConfigError(`the Slack webhook URL in Secret ${n.slack.urlSecretRef.name} is not an http(s) URL`);
      await notifySlack(this.o.send, url.trim(), notice);
      this.o.metrics?.feedback.inc({ kind: 'slack', result: 'ok' });
      return;
    }
    const m = n.matrix!;
    const token = await this.o.secrets.value(namespace, m.tokenSecretRef);
    if (!token) throw new FeedbackConfigError(`no Matrix token: Secret ${m.tokenSecretRef.name} has no key ${m.tokenSecretRef.key}`);
    await notifyMatrix(this.o.send, { homeserver: m.homeserver, roomId: m.roomId, accessToken: token }, notice);
    this.o.metrics?.feedback.inc({ kind: 'matrix', result: 'ok' });
  }

  private failed(task: OutboxTask, error: unknown, attempt: number, next: 'retry' | 'replaced' | 'dropped'): void {
    const fields = { ...task.about, attempt, error };
    if (next !== 'dropped') {
      // Retried, or a newer status of the same context goes instead.
      this.o.log.debug(next === 'retry' ? 'feedback request failed; retrying' : 'feedback request failed; a newer one replaces it', fields);
      return;
    }
    const kind = task.about?.kind ?? 'status';
    this.o.metrics?.feedback.inc({ kind, result: 'failed' });
    // A refusal (4xx) carries the provider's answer: that is what a person needs to fix it.
    this.o.log.warn(kind === 'status' ? 'commit status not posted' : 'notification not sent', fields);
  }
}
