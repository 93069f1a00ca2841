// WorkQueue: a key is queued at most once, never handled by two workers at once (an add while
// it is handled queues it once more afterwards), failures come back with capped exponential
// backoff, addAfter schedules (keeping the earliest), shutdown stops everything.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WorkQueue, type ReconcileResult } from '../../../src/controller/queue.ts';

/** Lets every pending promise continuation run (the workers are async loops). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

function deferred() {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A queue whose handler records each key it gets, and with it the virtual time. */
function harness(options: ConstructorParameters<typeof WorkQueue>[0], handle?: (key: string) => Promise<ReconcileResult>) {
  const queue = new WorkQueue(options);
  const handled: { key: string; at: number }[] = [];
  const errors: { key: string; error: unknown }[] = [];
  const t0 = Date.now();
  queue.start(
    async (key) => {
      handled.push({ key, at: Date.now() - t0 });
      return handle?.(key);
    },
    (key, error) => errors.push({ key, error }),
  );
  return { queue, handled, errors, keys: () => handled.map((h) => h.key) };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('WorkQueue', () => {
  it('handles a key queued twice once', async () => {
    const queue = new WorkQueue({ workers: 2 });
    queue.add('ci/a');
    queue.add('ci/a');
    queue.add('ci/b');
    expect(queue.depth).toBe(2);
    const seen: string[] = [];
    queue.start(async (k) => void seen.push(k), () => undefined);
    await settle();
    expect(seen.sort()).toEqual(['ci/a', 'ci/b']);
    expect(queue.depth).toBe(0);
    await queue.shutdown();
  });

  it('never hands a key to two workers at once; adds meanwhile queue it once more, afterwards', async () => {
    const gates: ReturnType<typeof deferred>[] = [];
    let inFlight = 0;
    let most = 0;
    const { queue, keys } = harness({ workers: 4 }, async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      const gate = deferred();
      gates.push(gate);
      await gate.promise;
      inFlight--;
    });
    queue.add('k');
    await settle();
    expect(keys()).toEqual(['k']);
    queue.add('k');
    queue.add('k');
    queue.add('k');
    await settle();
    expect(keys()).toEqual(['k']);
    expect(queue.depth).toBe(0); // held back, not queued where another worker could take it
    gates[0]!.resolve();
    await settle();
    expect(keys()).toEqual(['k', 'k']);
    gates[1]!.resolve();
    await settle();
    expect(keys()).toEqual(['k', 'k']);
    expect(most).toBe(1);
    await queue.shutdown();
  });

  it('handles different keys side by side, up to the number of workers', async () => {
    const gates = new Map<string, ReturnType<typeof deferred>>();
    const { queue, keys } = harness({ workers: 2 }, async (k) => {
      const gate = deferred();
      gates.set(k, gate);
      await gate.promise;
    });
    for (const k of ['a', 'b', 'c']) queue.add(k);
    await settle();
    expect(keys()).toEqual(['a', 'b']);
    expect(queue.depth).toBe(1);
    gates.get('b')!.resolve();
    await settle();
    expect(keys()).toEqual(['a', 'b', 'c']);
    gates.get('a')!.resolve();
    gates.get('c')!.resolve();
    await queue.shutdown();
  });

  it('re-queues a key added while it fails, too', async () => {
    const gate = deferred();
    let calls = 0;
    const { queue, keys, errors } = harness({ workers: 1 }, async () => {
      if (++calls === 1) {
        await gate.promise;
        throw new Error('boom');
      }
    });
    queue.add('k');
    await settle();
    queue.add('k');
    gate.resolve();
    await settle();
    expect(errors.map((e) => [e.key, (e.error as Error).message])).toEqual([['k', 'boom']]);
    expect(keys()).toEqual(['k', 'k']);
    await queue.shutdown();
  });

  it('backs off exponentially per key, capped; forget starts over', () => {
    const queue = new WorkQueue({ workers: 1, baseDelayMs: 100, maxDelayMs: 1000 });
    expect([1, 2, 3, 4, 5, 6].map(() => queue.retry('a'))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(queue.retry('b')).toBe(100);
    queue.forget('a');
    expect(queue.retry('a')).toBe(100);
    expect(queue.retry('a')).toBe(200);
  });

  it('defaults to 10 ms doubling up to a minute', () => {
    const queue = new WorkQueue({ workers: 1 });
    const delays = Array.from({ length: 16 }, () => queue.retry('k'));
    expect(delays.slice(0, 4)).toEqual([10, 20, 40, 80]);
    expect(delays.at(-1)).toBe(60_000);
    expect(Math.max(...delays)).toBe(60_000);
  });

  it('reports a failure to onError and does not retry by itself', async () => {
    const { queue, handled, errors } = harness({ workers: 1 }, async () => {
      throw new Error('boom');
    });
    queue.add('k');
    await settle();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(handled).toHaveLength(1);
    expect(errors.map((e) => [e.key, (e.error as Error).message])).toEqual([['k', 'boom']]);
    await queue.shutdown();
  });

  it('retries a failing key after its backoff, and a success resets the backoff', async () => {
    const log: number[] = [];
    const t0 = Date.now();
    let n = 0;
    const queue = new WorkQueue({ workers: 1, baseDelayMs: 100, maxDelayMs: 1000 });
    queue.start(
      async () => {
        log.push(Date.now() - t0);
        n++;
        if (n <= 3 || n === 5) throw new Error('fail');
      },
      (key) => void queue.retry(key),
    );
    queue.add('k');
    await settle();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(log).toEqual([0, 100, 300, 700]);
    // Success forgot the failures: the next failure waits the base delay again.
    queue.add('k');
    await settle();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(log.slice(4).map((t) => t - log[4]!)).toEqual([0, 100]);
    await queue.shutdown();
  });

  it('addAfter adds no sooner than asked', async () => {
    const { queue, handled } = harness({ workers: 1 });
    queue.addAfter('k', 500);
    expect(queue.depth).toBe(0);
    await vi.advanceTimersByTimeAsync(499);
    expect(handled).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(handled).toEqual([{ key: 'k', at: 500 }]);
    await queue.shutdown();
  });

  it('addAfter of zero or less adds at once', async () => {
    const { queue, keys } = harness({ workers: 1 });
    queue.addAfter('a', 0);
    queue.addAfter('b', -5);
    await settle();
    expect(keys()).toEqual(['a', 'b']);
    await queue.shutdown();
  });

  it('addAfter keeps the earliest of two pending adds of a key, once', async () => {
    const { queue, handled } = harness({ workers: 1 });
    queue.addAfter('late-then-early', 60_000);
    queue.addAfter('late-then-early', 100);
    queue.addAfter('early-then-late', 100);
    queue.addAfter('early-then-late', 60_000);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(handled).toEqual([
      { key: 'late-then-early', at: 100 },
      { key: 'early-then-late', at: 100 },
    ]);
    await queue.shutdown();
  });

  it('a retry is not held up by a requeue due much later', async () => {
    let calls = 0;
    const log: number[] = [];
    const t0 = Date.now();
    const queue = new WorkQueue({ workers: 1, baseDelayMs: 50 });
    queue.start(
      async () => {
        log.push(Date.now() - t0);
        if (++calls === 2) throw new Error('transient');
        return { requeueAfterMs: 3_600_000 };
      },
      (key) => void queue.retry(key),
    );
    queue.add('k'); // handled at 0; asks to be looked at again in an hour
    await settle();
    queue.add('k'); // an event: handled at once, fails, retried after 50 ms
    await settle();
    await vi.advanceTimersByTimeAsync(1000);
    expect(log).toEqual([0, 0, 50]);
    await queue.shutdown();
  });

  it('requeues after what the handler asks for', async () => {
    let n = 0;
    const { queue, handled } = harness({ workers: 1 }, async () => (++n < 3 ? { requeueAfterMs: 1000 } : undefined));
    queue.add('k');
    await settle();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(handled.map((h) => h.at)).toEqual([0, 1000, 2000]);
    await queue.shutdown();
  });

  it('depth counts the keys waiting, not those being handled', async () => {
    const gate = deferred();
    const { queue } = harness({ workers: 1 }, () => gate.promise);
    expect(queue.depth).toBe(0);
    queue.add('a');
    queue.add('b');
    queue.add('c');
    await settle();
    expect(queue.depth).toBe(2);
    gate.resolve();
    await settle();
    expect(queue.depth).toBe(0);
    await queue.shutdown();
  });

  it('shutdown waits for the keys in hand, then stops the workers and drops what waits', async () => {
    const gate = deferred();
    let finished = false;
    const { queue, keys } = harness({ workers: 1 }, async (k) => {
      if (k === 'slow') {
        await gate.promise;
        finished = true;
      }
    });
    queue.add('slow');
    await settle();
    queue.add('queued');
    queue.addAfter('timed', 1000);
    let done = false;
    const stopping = queue.shutdown().then(() => (done = true));
    await settle();
    expect(done).toBe(false);
    gate.resolve();
    await stopping;
    expect(finished).toBe(true);
    expect(queue.depth).toBe(0);
    queue.add('after');
    queue.addAfter('after-timed', 10);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(keys()).toEqual(['slow']);
  });

  it('sets no timer for a retry that fails during shutdown', async () => {
    const gate = deferred();
    const queue = new WorkQueue({ workers: 1 });
    queue.start(
      async () => {
        await gate.promise;
        throw new Error('interrupted');
      },
      (key) => void queue.retry(key),
    );
    queue.add('k');
    await settle();
    const stopping = queue.shutdown();
    gate.resolve();
    await stopping;
    expect(vi.getTimerCount()).toBe(0);
  });

  it('works again after a restart (leadership regained)', async () => {
    const seen: string[] = [];
    const queue = new WorkQueue({ workers: 2 });
    queue.start(async (k) => void seen.push(k), () => undefined);
    queue.add('a');
    await settle();
    await queue.shutdown();
    queue.add('lost');
    queue.start(async (k) => void seen.push(k), () => undefined);
    queue.add('b');
    await settle();
    expect(seen).toEqual(['a', 'b']);
    await queue.shutdown();
  });
});
