// PlanEngine beyond the decision table: take(), results, timeouts, restore(), status details.
import { describe, expect, it } from 'vitest';
import type { JobStatus } from '../../src/api/v1alpha1/run.ts';
import { DEADLINE_GRACE_SECONDS } from '../../src/plan/engine.ts';
import { job } from '../helpers/objects.ts';
import { engineOf, summary } from './fixtures.ts';

describe('take()', () => {
  it('hands out ready jobs first ready, first taken, each once, up to the limit', () => {
    const e = engineOf([job('a'), job('b'), job('c'), job('d', { needs: ['a'] })]);
    expect(e.phase()).toBe('Pending');
    expect(e.take(2)).toEqual(['a', 'b']);
    expect(e.phase()).toBe('Running');
    expect(e.readyJobs()).toEqual(['c']);
    expect(e.activeJobs()).toEqual(['a', 'b']);
    expect(e.take(0)).toEqual([]);
    e.observe('a', { phase: 'Running' });
    expect(e.take()).toEqual(['c']);
    e.observe('a', { phase: 'Succeeded' });
    expect(e.take()).toEqual(['d']);
    expect(e.take()).toEqual([]);
    expect(e.activeJobs().sort()).toEqual(['b', 'c', 'd']);
  });

  it('a taken job has no status until observed, and is stopped if the run is cancelled', () => {
    const e = engineOf([job('a')]);
    e.take();
    expect(e.status('a')).toBeUndefined();
    expect(e.cancel()).toEqual([{ job: 'a', reason: 'RunCancelled' }]);
    expect(e.status('a')).toMatchObject({ phase: 'Cancelled', reason: 'RunCancelled' });
    expect(e.isCancelled).toBe(true);
  });

  it('a Running observation for a job of a cancelled run ends it Cancelled', () => {
    const e = engineOf([job('a'), job('b')], { cancel: true });
    expect(e.phase()).toBe('Cancelled');
    e.observe('a', { phase: 'Running' });
    expect(summary(e.jobStatuses())).toEqual({ a: 'Cancelled/RunCancelled', b: 'Cancelled/RunCancelled' });
    expect(e.take()).toEqual([]);
  });
});

describe('observed details flow into the status', () => {
  it('attempts, job name, times, reason and message', () => {
    const e = engineOf([job('a', { retries: 3 })]);
    e.observe('a', { phase: 'Running', attempts: 1, jobName: 'r1-a', startTime: '2030-01-01T00:00:00Z' });
    expect(e.status('a')).toEqual({ name: 'a', phase: 'Running', attempts: 1, jobName: 'r1-a', startTime: '2030-01-01T00:00:00Z' });
    e.observe('a', { phase: 'Running', attempts: 3, jobName: 'r1-a', startTime: '2030-01-01T00:00:00Z' });
    expect(e.status('a')?.attempts).toBe(3);
    e.observe('a', { phase: 'Failed', attempts: 4, jobName: 'r1-a', startTime: '2030-01-01T00:00:00Z', completionTime: '2030-01-01T00:05:00Z', reason: 'BackoffLimitExceeded', message: 'exit 1' });
    expect(e.status('a')).toEqual({ name: 'a', phase: 'Failed', attempts: 4, jobName: 'r1-a', startTime: '2030-01-01T00:00:00Z', completionTime: '2030-01-01T00:05:00Z', reason: 'BackoffLimitExceeded', message: 'exit 1' });
  });

  it('each observation is the whole picture: details a later one leaves out are gone', () => {
    // Backends report startTime, jobName and attempts with every observation; plan() sees only
    // the latest one, so the engine keeps only the latest one too.
    const e = engineOf([job('a')]);
    e.observe('a', { phase: 'Running', attempts: 1, jobName: 'r1-a', startTime: '2030-01-01T00:00:00Z' });
    e.observe('a', { phase: 'Succeeded' });
    expect(e.status('a')).toEqual({ name: 'a', phase: 'Succeeded' });
  });

  it('statuses hold no undefined fields', () => {
    const e = engineOf([job('a'), job('b', { needs: ['a'] })]);
    e.observe('a', { phase: 'Failed' });
    for (const s of e.jobStatuses()) expect(Object.values(s)).not.toContain(undefined);
  });

  it('onFinish hears of every job once, cascades included', () => {
    const seen: JobStatus[] = [];
    const e = engineOf([job('a'), job('b', { needs: ['a'] }), job('c', { needs: ['b'] }), job('f', { when: { branches: ['main'] } }), job('z', { when: { status: 'always' } })], { metadata: { branch: 'x' } }, (s) => seen.push(s));
    expect(seen.map((s) => s.name)).toEqual(['f']);
    e.observe('a', { phase: 'Failed' });
    e.observe('a', { phase: 'Failed' });
    e.observe('z', { phase: 'Succeeded' });
    expect(seen.map((s) => `${s.name}:${s.phase}`)).toEqual(['f:Skipped', 'a:Failed', 'b:Skipped', 'c:Skipped', 'z:Succeeded']);
  });
});

describe('skip messages', () => {
  it('name the first need, in needs order, that did not succeed, whatever finished first', () => {
    for (const order of [['a', 'b'], ['b', 'a']]) {
      const e = engineOf([job('a'), job('b'), job('f', { when: { branches: ['main'] } }), job('c', { needs: ['a', 'b'] }), job('d', { needs: ['f', 'a'] }), job('g', { needs: ['b', 'f'] })], { metadata: { branch: 'dev' } });
      for (const n of order) e.observe(n, { phase: n === 'a' ? 'Failed' : 'Succeeded' });
      expect(e.status('c'), order.join()).toMatchObject({ reason: 'NeedsFailed', message: 'a did not succeed' });
      // f was skipped (and final) before a failed: the failure is still what is named.
      expect(e.status('d'), order.join()).toMatchObject({ reason: 'NeedsFailed', message: 'a did not succeed' });
      expect(e.status('g'), order.join()).toMatchObject({ reason: 'NeedsSkipped', message: 'f was skipped' });
    }
  });
});

describe('results', () => {
  const jobs = () => [
    job('build', { results: [{ name: 'digest' }, { name: 'tag' }] }),
    job('lint', { results: [{ name: 'report' }] }),
    job('plain'),
    job('push', { needs: ['build', 'lint', 'plain'], when: { status: 'always' } }),
    job('cleanup', { when: { status: 'always' } }),
  ];

  it('keeps only declared results; resultsFor gives every declared result of every need, empty when unwritten', () => {
    const e = engineOf(jobs());
    e.observe('build', { phase: 'Succeeded', results: { digest: 'sha256:abc', extra: 'dropped' } });
    e.observe('lint', { phase: 'Succeeded', results: {} });
    e.observe('plain', { phase: 'Succeeded', results: { stray: 'x' } });
    expect(e.status('build')?.results).toEqual({ digest: 'sha256:abc' });
    expect(e.status('lint')?.results).toEqual({});
    expect(e.status('plain')).not.toHaveProperty('results');
    expect(e.resultsFor('push')).toEqual([
      { job: 'build', result: 'digest', value: 'sha256:abc' },
      { job: 'build', result: 'tag', value: '' },
      { job: 'lint', result: 'report', value: '' },
    ]);
  });

  it('a failed need passes on what it wrote (a failed test\'s report path), empty for the rest', () => {
    const e = engineOf(jobs());
    e.observe('build', { phase: 'Failed', results: { digest: 'sha256:abc' } });
    e.observe('lint', { phase: 'Succeeded', results: { report: 'ok' } });
    e.observe('plain', { phase: 'Succeeded' });
    expect(e.readyJobs()).toEqual(['push']);
    expect(e.status('build')?.results).toEqual({ digest: 'sha256:abc' });
    expect(e.resultsFor('push')).toEqual([
      { job: 'build', result: 'digest', value: 'sha256:abc' },
      { job: 'build', result: 'tag', value: '' },
      { job: 'lint', result: 'report', value: 'ok' },
    ]);
  });

  it('a failed need that wrote nothing has no results in its status', () => {
    const e = engineOf(jobs());
    e.observe('build', { phase: 'Failed' });
    expect(e.status('build')).not.toHaveProperty('results');
  });

  it('finally jobs read no results (they need nothing); unknown jobs get none', () => {
    const e = engineOf(jobs());
    e.observe('build', { phase: 'Succeeded', results: { digest: 'd' } });
    expect(e.resultsFor('cleanup')).toEqual([]);
    expect(e.resultsFor('nope')).toEqual([]);
  });

  it('result names that are Object.prototype keys are plain data', () => {
    const e = engineOf([job('a', { results: [{ name: 'constructor' }, { name: 'toString' }] }), job('b', { needs: ['a'] })]);
    e.observe('a', { phase: 'Succeeded', results: JSON.parse('{"__proto__": "p", "toString": "t"}') as Record<string, string> });
    expect(e.resultsFor('b')).toEqual([
      { job: 'a', result: 'constructor', value: '' },
      { job: 'a', result: 'toString', value: 't' },
    ]);
  });
});

describe('overdue()', () => {
  const start = '2030-01-01T00:00:00Z';
  const t0 = Date.parse(start);

  it(`fails running jobs past timeoutSeconds + ${DEADLINE_GRACE_SECONDS}s with DeadlineExceeded and returns them to stop`, () => {
    const e = engineOf([job('a', { timeoutSeconds: 60 }), job('b', { needs: ['a'] }), job('c', { timeoutSeconds: 60 }), job('d')]);
    e.observe('a', { phase: 'Running', startTime: start });
    e.observe('c', { phase: 'Running', startTime: '2030-01-01T00:00:30Z' });
    e.observe('d', { phase: 'Running', startTime: start });
    const limit = t0 + (60 + DEADLINE_GRACE_SECONDS) * 1000;
    expect(e.overdue(limit)).toEqual([]);
    expect(e.overdue(limit + 1)).toEqual([{ job: 'a', reason: 'DeadlineExceeded' }]);
    expect(e.status('a')).toMatchObject({ phase: 'Failed', reason: 'DeadlineExceeded', message: 'ran longer than its timeout of 60s', startTime: start });
    expect(e.status('b')).toMatchObject({ phase: 'Skipped', reason: 'NeedsFailed' });
    expect(e.overdue(limit + 1)).toEqual([]);
    // d has no timeout and never is overdue; c is, later.
    expect(e.overdue(limit + 3_600_000)).toEqual([{ job: 'c', reason: 'DeadlineExceeded' }]);
    e.observe('d', { phase: 'Succeeded' });
    expect(e.phase()).toBe('Failed');
    expect(e.runStatus('2030-01-01T02:00:00Z')).toMatchObject({ phase: 'Failed', reason: 'JobTimedOut' });
  });

  it('a job without a start time, or not running, is never overdue', () => {
    const e = engineOf([job('a', { timeoutSeconds: 1 }), job('b', { timeoutSeconds: 1 }), job('c', { timeoutSeconds: 1 })]);
    e.take(1);
    e.observe('b', { phase: 'Running' });
    e.observe('c', { phase: 'Succeeded', startTime: start });
    expect(e.overdue(t0 + 86_400_000)).toEqual([]);
  });
});

describe('restore()', () => {
  it('restores final statuses from an earlier write, results included', () => {
    const e = engineOf([job('a', { results: [{ name: 'out' }] }), job('b', { needs: ['a'] })]);
    e.restore({ name: 'a', phase: 'Succeeded', attempts: 2, results: { out: 'x' } });
    expect(e.readyJobs()).toEqual(['b']);
    expect(e.status('a')).toEqual({ name: 'a', phase: 'Succeeded', attempts: 2, results: { out: 'x' } });
    expect(e.resultsFor('b')).toEqual([{ job: 'a', result: 'out', value: 'x' }]);
  });

  it('ignores Pending and Running statuses, unknown jobs and jobs already final', () => {
    const e = engineOf([job('a'), job('b')]);
    e.restore({ name: 'a', phase: 'Running' });
    e.restore({ name: 'b', phase: 'Pending' });
    e.restore({ name: 'ghost', phase: 'Failed' });
    expect(e.jobStatuses()).toEqual([]);
    expect(e.readyJobs()).toEqual(['a', 'b']);
    e.restore({ name: 'a', phase: 'Failed', reason: 'BackoffLimitExceeded' });
    e.restore({ name: 'a', phase: 'Succeeded' });
    e.observe('a', { phase: 'Succeeded' });
    expect(summary(e.jobStatuses())).toEqual({ a: 'Failed/BackoffLimitExceeded' });
  });

  it('a restored NeedsFailed skip still counts as a failure for failure jobs and finally jobs', () => {
    const e = engineOf([job('a'), job('b', { needs: ['a'] }), job('c', { needs: ['b'], when: { status: 'failure' } }), job('n', { when: { status: 'failure' } })]);
    e.restore({ name: 'b', phase: 'Skipped', reason: 'NeedsFailed', message: 'a did not succeed' });
    e.restore({ name: 'a', phase: 'Failed' });
    expect(e.readyJobs()).toEqual(['c']);
    e.observe('c', { phase: 'Succeeded' });
    expect(e.readyJobs()).toEqual(['n']);
  });
});

describe('runStatus()', () => {
  const now = '2030-01-01T01:00:00Z';

  it('Pending before anything starts, without times', () => {
    expect(engineOf([job('a')]).runStatus(now)).toEqual({ phase: 'Pending', jobs: [] });
  });

  it('Running from the earliest observed start, then terminal with reason, message and completion time', () => {
    const e = engineOf([job('a'), job('b'), job('c', { needs: ['a'] })]);
    e.observe('b', { phase: 'Running', startTime: '2030-01-01T00:10:00Z' });
    e.observe('a', { phase: 'Running', startTime: '2030-01-01T00:05:00Z' });
    expect(e.runStatus(now)).toMatchObject({ phase: 'Running', startTime: '2030-01-01T00:05:00Z' });
    expect(e.runStatus(now)).not.toHaveProperty('completionTime');
    e.observe('a', { phase: 'Failed', startTime: '2030-01-01T00:05:00Z' });
    e.observe('b', { phase: 'Succeeded', startTime: '2030-01-01T00:10:00Z' });
    expect(e.runStatus(now)).toEqual({
      phase: 'Failed',
      startTime: '2030-01-01T00:05:00Z',
      completionTime: now,
      reason: 'JobFailed',
      message: 'failed: a (1 succeeded, 1 failed, 1 skipped, 0 cancelled)',
      jobs: e.jobStatuses(),
    });
    // An earlier write's times are kept.
    expect(e.runStatus('2030-01-02T00:00:00Z', { phase: 'Running', startTime: '2030-01-01T00:00:00Z', completionTime: '2030-01-01T00:30:00Z' })).toMatchObject({ startTime: '2030-01-01T00:00:00Z', completionTime: '2030-01-01T00:30:00Z' });
  });

  it.each([
    ['AllSucceeded', [job('a')], { branch: 'main' }, 'Succeeded', '1 succeeded, 0 failed, 0 skipped, 0 cancelled'],
    ['NothingToRun', [job('a', { when: { branches: ['main'] } })], { branch: 'dev' }, 'Succeeded', '0 succeeded, 0 failed, 1 skipped, 0 cancelled'],
  ] as const)('reason %s', (reason, jobs, metadata, phase, message) => {
    const e = engineOf([...jobs], { metadata });
    if (e.readyJobs().includes('a')) e.observe('a', { phase: 'Succeeded' });
    expect(e.runStatus(now)).toMatchObject({ phase, reason, message, completionTime: now });
  });

  it('reason Cancelled, and a run that was filtered out entirely is still Succeeded after cancel()', () => {
    const e = engineOf([job('a'), job('b')]);
    e.observe('a', { phase: 'Succeeded' });
    e.cancel();
    expect(e.runStatus(now)).toMatchObject({ phase: 'Cancelled', reason: 'Cancelled', message: '1 succeeded, 0 failed, 0 skipped, 1 cancelled' });
    const f = engineOf([job('a', { when: { branches: ['main'] } })], { metadata: {} });
    expect(f.cancel()).toEqual([]);
    expect(f.phase()).toBe('Succeeded');
  });
});
