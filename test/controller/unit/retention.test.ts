// retentionPlan(): which finished Runs of a Pipeline to delete — beyond the newest N succeeded
// and N failed (cancelled counts as failed), or past the TTL — and when to look again.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Retention } from '../../../src/api/v1alpha1/pipeline.ts';
import type { RunPhase } from '../../../src/api/v1alpha1/run.ts';
import { DEFAULT_RETENTION, retentionPlan, type FinishedRun } from '../../../src/plan/retention.ts';

const NOW = Date.parse('2024-05-02T00:00:00Z');
/** `minutesAgo` before NOW, as the API server writes times. */
const ago = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString().replace('.000Z', 'Z');

const S = 'Succeeded';
const F = 'Failed';
const C = 'Cancelled';

/** `s3@10` → a Succeeded Run `s3` finished 10 minutes ago (`f…` Failed, `c…` Cancelled). */
function runs(...specs: string[]): FinishedRun[] {
  return specs.map((spec) => {
    const [name, minutes] = spec.split('@') as [string, string];
    const phase: RunPhase = name.startsWith('s') ? S : name.startsWith('f') ? F : C;
    return { name, phase, completionTime: ago(Number(minutes)) };
  });
}

const table: [string, FinishedRun[], Retention | undefined, string[], number?][] = [
  ['nothing finished', [], undefined, []],
  ['within the limits', runs('s1@1', 's2@2', 'f1@3'), { succeeded: 2, failed: 1 }, []],
  ['keep 1 succeeded: the older ones go, newest first', runs('s1@30', 's2@10', 's3@20'), { succeeded: 1 }, ['s3', 's1']],
  ['keep 0 succeeded', runs('s1@1', 'f1@2'), { succeeded: 0 }, ['s1']],
  ['keep 1 failed: cancelled counts as failed', runs('f1@10', 'c1@5', 'f2@20'), { failed: 1 }, ['f1', 'f2']],
  ['keep 2 failed across failed and cancelled', runs('c1@1', 'f1@2', 'c2@3', 'f2@4'), { failed: 2 }, ['c2', 'f2']],
  ['the two counts do not mix', runs('s1@1', 's2@2', 'f1@3', 'f2@4'), { succeeded: 1, failed: 1 }, ['s2', 'f2']],
  ['same completion time: the name decides who is newer', runs('s-b@5', 's-a@5'), { succeeded: 1 }, ['s-b']],
  ['TTL: older than the TTL goes, the next expiry is when to look again', runs('s1@10', 's2@70', 'f1@50'), { ttlSecondsAfterFinished: 3600 }, ['s2'], 10 * 60_000],
  ['TTL: exactly at the TTL goes', runs('s1@60'), { ttlSecondsAfterFinished: 3600 }, ['s1']],
  ['TTL 0: everything finished goes, no recheck', runs('s1@0', 'f1@1'), { ttlSecondsAfterFinished: 0 }, ['s1', 'f1']],
  ['TTL and counts: a Run over the count needs no recheck', runs('s1@1', 's2@2'), { succeeded: 1, ttlSecondsAfterFinished: 600 }, ['s2'], 9 * 60_000],
  ['TTL: everything kept expires later; the soonest decides', runs('s1@1', 'c1@9', 'f1@5'), { ttlSecondsAfterFinished: 600 }, [], 60_000],
  ['no TTL: no recheck', runs('s1@100000'), {}, []],
];

describe('retentionPlan()', () => {
  it.each(table)('%s', (_name, finished, retention, del, recheck) => {
    expect(retentionPlan(finished, retention, NOW)).toEqual({ delete: del, recheckInMs: recheck });
  });

  it('keeps 10 succeeded and 20 failed by default', () => {
    expect(DEFAULT_RETENTION).toEqual({ succeeded: 10, failed: 20 });
    const many = [
      ...Array.from({ length: 15 }, (_, i) => `s${i}@${i}`),
      ...Array.from({ length: 15 }, (_, i) => `f${i}@${i}`),
      ...Array.from({ length: 10 }, (_, i) => `c${i}@${i + 0.5}`),
    ];
    const plan = retentionPlan(runs(...many), undefined, NOW);
    // 15 succeeded keep 10; 15 failed and 10 cancelled, 25 together, keep 20 (c0 … c9 are newer
    // than f10). Newest first; at the same instant the name decides.
    expect(plan.delete).toEqual([10, 11, 12, 13, 14].flatMap((i) => [`f${i}`, `s${i}`]));
    expect(plan.recheckInMs).toBeUndefined();
  });

  it('orders by completion time as an instant, not as text (fractional seconds sort before Z)', () => {
    const finished: FinishedRun[] = [
      { name: 'older', phase: S, completionTime: '2024-05-01T10:00:05Z' },
      { name: 'newer', phase: S, completionTime: '2024-05-01T10:00:05.500Z' },
    ];
    expect(retentionPlan(finished, { succeeded: 1 }, NOW).delete).toEqual(['older']);
    expect(retentionPlan([...finished].reverse(), { succeeded: 1 }, NOW).delete).toEqual(['older']);
  });

  it('ignores an unreadable completion time for the TTL instead of answering NaN', () => {
    const plan = retentionPlan([{ name: 's1', phase: S, completionTime: 'yesterday' }, ...runs('s2@1')], { ttlSecondsAfterFinished: 3600 }, NOW);
    expect(plan).toEqual({ delete: [], recheckInMs: 59 * 60_000 });
  });

  it('keeps exactly the newest N of each kind, deletes the rest, and never lists a Run twice', () => {
    const run = fc.record({
      name: fc.stringMatching(/^[a-z]{1,6}$/),
      phase: fc.constantFrom<RunPhase>(S, F, C),
      completionTime: fc.integer({ min: 0, max: 10_000 }).map((m) => ago(m)),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(run, { maxLength: 40, selector: (r) => r.name }),
        fc.record({ succeeded: fc.integer({ min: 0, max: 8 }), failed: fc.integer({ min: 0, max: 8 }) }),
        (finished, retention) => {
          const del = retentionPlan(finished, retention, NOW).delete;
          expect(new Set(del).size).toBe(del.length);
          const kept = finished.filter((r) => !del.includes(r.name));
          const succeeded = finished.filter((r) => r.phase === S);
          const failed = finished.filter((r) => r.phase !== S);
          expect(kept.filter((r) => r.phase === S)).toHaveLength(Math.min(retention.succeeded, succeeded.length));
          expect(kept.filter((r) => r.phase !== S)).toHaveLength(Math.min(retention.failed, failed.length));
          // Nothing deleted is newer than something kept of the same kind.
          for (const d of finished.filter((r) => del.includes(r.name))) {
            for (const k of kept.filter((r) => (r.phase === S) === (d.phase === S))) expect(Date.parse(d.completionTime)).toBeLessThanOrEqual(Date.parse(k.completionTime));
          }
        },
      ),
    );
  });
});
