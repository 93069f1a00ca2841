// Outgoing feedback requests, off the reconcile path: a few at a time, in order per key (a job's
// pending status must never land after its final one), retried with capped exponential backoff
// when the failure is transient. A newer request for the same key replaces one that keeps
// failing: the provider keeps only the last status of a context anyway.

export interface OutboxTask {
  readonly run: () => Promise<void>;
  /** What the request is, for logs. */
  readonly about?: Readonly<Record<string, string>>;
}

export interface OutboxOptions {
  /** Requests in flight at once. @default 4 */
  readonly concurrency?: number;
  /** Tries per request, the first included. @default 8 */
  readonly attempts?: number;
  /** First retry delay, doubled each time up to maxMs. @default 1000, 60000 */
  readonly baseMs?: number;
  readonly maxMs?: number;
  /** Whether a failure may go away by itself (5xx, network). */
  readonly retriable: (error: unknown) => boolean;
  /**
   * Each failure, and what happens next: `retry`, `replaced` (a newer request for the key goes
   * instead), or `dropped` (not retriable, or out of tries).
   */
  readonly onError?: (task: OutboxTask, error: unknown, attempt: number, next: 'retry' | 'replaced' | 'dropped') => void;
}

interface Lane {
  readonly tasks: OutboxTask[];
  /** Failed tries of the head task so far. */
  attempt: number;
  running: boolean;
}

export class Outbox {
  private readonly o: Required<Omit<OutboxOptions, 'onError'>> & Pick<OutboxOptions, 'onError'>;
  private readonly lanes = new Map<string, Lane>();
  /** Keys whose head task may start now. */
  private readonly ready: string[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private active = 0;
  private generation = 0;
  private stopped = false;
  private waiters: (() => void)[] = [];

  constructor(options: OutboxOptions) {
    this.o = {
      ...options,
      concurrency: options.concurrency ?? 4,
      attempts: options.attempts ?? 8,
      baseMs: options.baseMs ?? 1000,
      maxMs: options.maxMs ?? 60_000,
    };
  }

  push(key: string, task: OutboxTask): void {
    if (this.stopped) return;
    const lane = this.lanes.get(key);
    if (lane) {
      lane.tasks.push(task);
      // The head is waiting to be retried: the newer request replaces it (its timer runs this one).
      if (!lane.running && lane.attempt > 0) {
        lane.tasks.shift();
        lane.attempt = 0;
      }
      return;
    }
    this.lanes.set(key, { tasks: [task], attempt: 0, running: false });
    this.ready.push(key);
    this.pump();
  }

  /** Requests waiting or in flight. */
  get pending(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.tasks.length;
    return n;
  }

  /** Forgets everything queued (requests in flight finish, their outcome is ignored). */
  clear(): void {
    this.generation++;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.lanes.clear();
    this.ready.length = 0;
    this.active = 0;
    this.settle();
  }

  stop(): void {
    this.stopped = true;
    this.clear();
  }

  /** Resolves once nothing is queued or in flight. */
  idle(): Promise<void> {
    if (this.lanes.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private settle(): void {
    if (this.lanes.size > 0) return;
    for (const w of this.waiters.splice(0)) w();
  }

  private pump(): void {
    while (!this.stopped && this.active < this.o.concurrency && this.ready.length > 0) {
      const key = this.ready.shift()!;
      const lane = this.lanes.get(key);
      if (!lane || lane.tasks.length === 0) continue;
      this.active++;
      lane.running = true;
      void this.runHead(key, lane, this.generation);
    }
  }

  private async runHead(key: string, lane: Lane, generation: number): Promise<void> {
    let error: unknown;
    let failed = false;
    try {
      await lane.tasks[0]!.run();
    } catch (e) {
      failed = true;
      error = e;
    }
    // Cleared meanwhile (leadership lost, stopped): this lane is gone.
    if (generation !== this.generation) return;
    this.active--;
    lane.running = false;
    lane.attempt++;
    if (failed) {
      const replaced = lane.tasks.length > 1;
      const retry = !replaced && lane.attempt < this.o.attempts && this.o.retriable(error);
      this.o.onError?.(lane.tasks[0]!, error, lane.attempt, retry ? 'retry' : replaced ? 'replaced' : 'dropped');
      if (retry) {
        const delay = Math.min(this.o.maxMs, this.o.baseMs * 2 ** (lane.attempt - 1));
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.ready.push(key);
          this.pump();
        }, delay);
        timer.unref?.();
        this.timers.add(timer);
        this.pump();
        return;
      }
    }
    lane.tasks.shift();
    lane.attempt = 0;
    if (lane.tasks.length > 0) this.ready.push(key);
    else this.lanes.delete(key);
    this.pump();
    this.settle();
  }
}
