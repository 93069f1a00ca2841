// TokenBucket on a fake clock: the burst at once, then qps; callers served in order; and over
// any window of a long simulation no more than burst + qps × seconds tokens.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TokenBucket, type Clock } from '../../../src/controller/kube/rate-limit.ts';

/** Runs every pending promise continuation (setImmediate fires after the microtask queue drains). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Virtual time: sleepers wake when the test moves the clock past their time. */
class FakeClock implements Clock {
  t = 0;
  readonly sleeps: number[] = [];
  private sleepers: { at: number; wake: () => void }[] = [];

  now(): number {
    return this.t;
  }

  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    return new Promise((wake) => this.sleepers.push({ at: this.t + ms, wake }));
  }

  /** When the next sleeper wakes, if any sleeps. */
  nextWake(): number | undefined {
    return this.sleepers.length === 0 ? undefined : Math.min(...this.sleepers.map((s) => s.at));
  }

  advanceTo(to: number): void {
    this.t = Math.max(this.t, to);
    const due = this.sleepers.filter((s) => s.at <= this.t);
    this.sleepers = this.sleepers.filter((s) => s.at > this.t);
    for (const s of due) s.wake();
  }
}

interface Simulation {
  /** When each take resolved, in the order they resolved. */
  readonly granted: number[];
  /** Which take (by call order) resolved, in the order they resolved. */
  readonly order: number[];
  readonly clock: FakeClock;
}

/** Calls take() at each arrival time and moves the clock from event to event up to `horizon`. */
async function simulate(qps: number, burst: number, arrivals: readonly number[], horizon: number): Promise<Simulation> {
  const clock = new FakeClock();
  const bucket = new TokenBucket(qps, burst, clock);
  const granted: number[] = [];
  const order: number[] = [];
  let next = 0;
  for (;;) {
    while (next < arrivals.length && arrivals[next]! <= clock.t) {
      const i = next++;
      void bucket.take().then(() => {
        granted.push(clock.t);
        order.push(i);
      });
    }
    await settle();
    const to = Math.min(clock.nextWake() ?? Number.POSITIVE_INFINITY, arrivals[next] ?? Number.POSITIVE_INFINITY);
    if (to > horizon) break;
    clock.advanceTo(to);
  }
  return { granted, order, clock };
}

describe('TokenBucket', () => {
  it('refuses a rate or burst that cannot work', () => {
    const clock = new FakeClock();
    expect(() => new TokenBucket(0, 1, clock)).toThrow(/qps > 0/);
    expect(() => new TokenBucket(-1, 1, clock)).toThrow();
    expect(() => new TokenBucket(Number.NaN, 1, clock)).toThrow();
    expect(() => new TokenBucket(1, 0.5, clock)).toThrow(/burst >= 1/);
  });

  it('grants the burst at once, then one token every 1/qps seconds', async () => {
    const { granted, clock } = await simulate(5, 3, Array(8).fill(0), 10_000);
    expect(granted).toEqual([0, 0, 0, 200, 400, 600, 800, 1000]);
    expect(clock.sleeps).toEqual([200, 200, 200, 200, 200]);
  });

  it('rounds a fractional wait up to a whole millisecond, never down', async () => {
    const { granted } = await simulate(3, 1, Array(4).fill(0), 10_000);
    expect(granted).toEqual([0, 334, 668, 1002]);
  });

  it('serves callers in the order they called', async () => {
    const { order } = await simulate(10, 2, [0, 0, 0, 0, 5, 5, 50, 51, 52, 400], 10_000);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('saves up no more than the burst while idle', async () => {
    // Two at 0 use the burst; ten seconds idle refill it to 2, not to 2 + 100.
    const { granted } = await simulate(10, 2, [0, 0, 10_000, 10_000, 10_000, 10_000], 20_000);
    expect(granted).toEqual([0, 0, 10_000, 10_000, 10_100, 10_200]);
  });

  it('refills partly between callers that come slowly', async () => {
    // qps 2, burst 1: one token every 500 ms; a caller 300 ms after the last grant waits 200.
    const { granted } = await simulate(2, 1, [0, 300, 1000, 1100], 10_000);
    expect(granted).toEqual([0, 500, 1000, 1500]);
  });

  it('over any window of a long simulation grants at most burst + qps × seconds, and no fewer than it can', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 30_000 }), { minLength: 1, maxLength: 300 }),
        async (qps, burst, times) => {
          const arrivals = [...times].sort((a, b) => a - b);
          const { granted, order } = await simulate(qps, burst, arrivals, 3_600_000);
          expect(granted).toHaveLength(arrivals.length);
          expect(order).toEqual(arrivals.map((_, i) => i));
          for (let i = 0; i < granted.length; i++) {
            expect(granted[i]).toBeGreaterThanOrEqual(arrivals[i]!);
            for (let j = i; j < granted.length; j++) {
              const seconds = (granted[j]! - granted[i]!) / 1000;
              expect(j - i + 1).toBeLessThanOrEqual(burst + qps * seconds + 1e-9);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('with callers always waiting, keeps up with qps (give or take a millisecond a token)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 20 }), async (qps, burst) => {
        const n = burst + 5 * qps;
        const { granted } = await simulate(qps, burst, Array(n).fill(0), 3_600_000);
        granted.forEach((g, i) => {
          const k = i + 1;
          const ideal = Math.max(0, ((k - burst) / qps) * 1000);
          expect(g).toBeGreaterThanOrEqual(Math.floor(ideal));
          expect(g).toBeLessThanOrEqual(ideal + Math.max(0, k - burst));
        });
      }),
      { numRuns: 40 },
    );
  });
});
