// The work queue between informers and reconcilers, as in client-go: a key is queued at most
// once however many events name it; a key is never processed by two workers at once (an event
// during processing queues it again afterwards); failures come back with per-key exponential
// backoff; `addAfter` schedules a key (timeouts, cron ticks, TTLs).

export type ReconcileResult = { readonly requeueAfterMs?: number } | void;

export interface QueueOptions {
  readonly workers: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly active = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; at: number }>();
  private readonly options: QueueOptions;
  private waiters: (() => void)[] = [];
  private shuttingDown = false;
  private running: Promise<void>[] = [];
  /** Bumped by start and shutdown: workers of an earlier start exit even if a new start came first. */
  private generation = 0;

  constructor(options: QueueOptions) {
    this.options = options;
  }

  get depth(): number {
    return this.queue.length;
  }

  add(key: string): void {
    if (this.shuttingDown) return;
    if (this.active.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.waiters.shift()?.();
  }

  /** Adds the key after `ms`, unless an earlier delayed add is pending (a later one is replaced). */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const at = Date.now() + ms;
    const pending = this.timers.get(key);
    // Keep the earliest: a retry in 10 ms must not wait behind a requeue due in an hour.
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    timer.unref?.();
    this.timers.set(key, { timer, at });
  }

  /** Re-adds a failed key after its backoff: base × 2^failures, capped. */
  retry(key: string): number {
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    const delay = Math.min(this.options.maxDelayMs ?? 60_000, (this.options.baseDelayMs ?? 10) * 2 ** (n - 1));
    this.addAfter(key, delay);
    return delay;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Starts the workers; each key goes to `handle`, errors to `onError` (which decides a retry). */
  start(handle: (key: string) => Promise<ReconcileResult>, onError: (key: string, error: unknown) => void): void {
    this.shuttingDown = false;
    const generation = ++this.generation;
    for (let i = 0; i < this.options.workers; i++) this.running.push(this.worker(handle, onError, generation));
  }

  /**
   * Stops the workers and drops what is queued. A start() while this waits for the workers (a
   * leader that loses its lease and gets it back at once) keeps its workers and its keys.
   */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    this.generation++;
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
    for (const w of this.waiters.splice(0)) w();
    const workers = this.running.splice(0);
    await Promise.all(workers);
    if (!this.shuttingDown) return;
    this.queue.length = 0;
    this.queued.clear();
  }

  private async next(generation: number): Promise<string | undefined> {
    while (!this.shuttingDown && generation === this.generation) {
      const key = this.queue.shift();
      if (key !== undefined) {
        this.queued.delete(key);
        // Active from the moment it leaves the queue: an add() in the microtasks before the worker
        // resumes would otherwise queue it again, and a second worker would take it at once.
        this.active.add(key);
        return key;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return undefined;
  }

  private async worker(handle: (key: string) => Promise<ReconcileResult>, onError: (key: string, error: unknown) => void, generation: number): Promise<void> {
    for (;;) {
      const key = await this.next(generation);
      if (key === undefined) return;
      try {
        const result = await handle(key);
        this.forget(key);
        if (result?.requeueAfterMs !== undefined) this.addAfter(key, result.requeueAfterMs);
      } catch (e) {
        onError(key, e);
      } finally {
        this.active.delete(key);
        if (this.dirty.delete(key)) this.add(key);
      }
    }
  }
}
