// plan(): the level-triggered form the controller calls on every reconcile.
import { describe, expect, it } from 'vitest';
import type { RunStatus } from '../../src/api/v1alpha1/run.ts';
import { DEADLINE_GRACE_SECONDS } from '../../src/plan/engine.ts';
import { plan, statusChanged } from '../../src/plan/plan.ts';
import { job } from '../helpers/objects.ts';
import { runOf, summary } from './fixtures.ts';

const now = '2030-01-01T01:00:00Z';
const jobs = () => [job('a'), job('b', { needs: ['a'] }), job('c')];

describe('plan()', () => {
  it('first reconcile: Pending, start the roots, nothing to stop', () => {
    const p = plan({ run: runOf(jobs()), observed: {}, now });
    expect(p).toMatchObject({ start: ['a', 'c'], stop: [], status: { phase: 'Pending', jobs: [] } });
    expect(p.engine.snapshot.run).toBe('r1');
  });

  it('is a function of its input: the same input gives the same plan', () => {
    const status: RunStatus = { phase: 'Running', startTime: '2030-01-01T00:00:00Z', jobs: [{ name: 'a', phase: 'Succeeded' }, { name: 'c', phase: 'Running', jobName: 'r1-c' }] };
    const input = { run: runOf(jobs(), { status }), observed: { c: { phase: 'Running' as const, jobName: 'r1-c' } }, now };
    const one = plan(input);
    const two = plan(structuredClone(input));
    expect(two.status).toEqual(one.status);
    expect(two.start).toEqual(one.start);
    expect(one.start).toEqual(['b']);
    expect(statusChanged(status, one.status)).toBe(false);
  });

  it('a terminal Run returns its status unchanged with no actions, whatever is observed or asked', () => {
    const status: RunStatus = { phase: 'Succeeded', reason: 'AllSucceeded', completionTime: '2030-01-01T00:00:00Z', jobs: [{ name: 'a', phase: 'Succeeded' }] };
    for (const cancel of [false, true]) {
      const p = plan({ run: runOf(jobs(), { status, cancel }), observed: { a: { phase: 'Failed' }, b: { phase: 'Running' } }, now });
      expect(p.status).toBe(status);
      expect(p.start).toEqual([]);
      expect(p.stop).toEqual([]);
    }
    for (const phase of ['Failed', 'Cancelled'] as const) {
      const p = plan({ run: runOf(jobs(), { status: { phase, jobs: [] } }), observed: {}, now });
      expect(p).toMatchObject({ status: { phase, jobs: [] }, start: [], stop: [] });
    }
  });

  it('a job last seen Running whose Job is gone fails with JobLost, and what needs it is skipped', () => {
    const status: RunStatus = { phase: 'Running', startTime: '2030-01-01T00:00:00Z', jobs: [{ name: 'a', phase: 'Running', jobName: 'r1-a', attempts: 1, startTime: '2030-01-01T00:00:00Z' }] };
    const p = plan({ run: runOf(jobs(), { status }), observed: { c: { phase: 'Running' } }, now });
    expect(p.status.jobs?.find((j) => j.name === 'a')).toEqual({ name: 'a', phase: 'Failed', reason: 'JobLost', message: 'its Job r1-a disappeared while running', jobName: 'r1-a', attempts: 1, startTime: '2030-01-01T00:00:00Z' });
    expect(summary(p.status.jobs)).toEqual({ a: 'Failed/JobLost', b: 'Skipped/NeedsFailed', c: 'Running' });
    expect(p.start).toEqual([]);
  });

  it('a job seen Running and now observed final is not lost', () => {
    const status: RunStatus = { phase: 'Running', jobs: [{ name: 'a', phase: 'Running' }] };
    const p = plan({ run: runOf(jobs(), { status }), observed: { a: { phase: 'Succeeded' } }, now });
    expect(summary(p.status.jobs)).toEqual({ a: 'Succeeded' });
    expect(p.start).toEqual(['b', 'c']);
  });

  it('final statuses of an earlier write survive the deletion of their Jobs', () => {
    const status: RunStatus = { phase: 'Running', jobs: [{ name: 'a', phase: 'Succeeded', results: {} }, { name: 'c', phase: 'Failed', reason: 'BackoffLimitExceeded' }] };
    const p = plan({ run: runOf(jobs(), { status }), observed: {}, now });
    expect(summary(p.status.jobs)).toEqual({ a: 'Succeeded', c: 'Failed/BackoffLimitExceeded' });
    expect(p.start).toEqual(['b']);
  });

  it('the phase never goes backwards, even when the observations say less than the last write', () => {
    const status: RunStatus = { phase: 'Running', startTime: '2030-01-01T00:00:00Z', jobs: [] };
    const p = plan({ run: runOf(jobs(), { status }), observed: {}, now });
    expect(p.status.phase).toBe('Running');
    expect(p.status.startTime).toBe('2030-01-01T00:00:00Z');
    expect(p.start).toEqual(['a', 'c']);
  });

  it('spec.cancel: running jobs are stopped, the rest cancelled, finished ones kept', () => {
    const status: RunStatus = { phase: 'Running', jobs: [{ name: 'a', phase: 'Succeeded' }, { name: 'c', phase: 'Running' }] };
    const p = plan({ run: runOf(jobs(), { status, cancel: true }), observed: { c: { phase: 'Running' } }, now });
    expect(p.stop).toEqual([{ job: 'c', reason: 'RunCancelled' }]);
    expect(p.start).toEqual([]);
    expect(summary(p.status.jobs)).toEqual({ a: 'Succeeded', b: 'Cancelled/RunCancelled', c: 'Cancelled/RunCancelled' });
    expect(p.status).toMatchObject({ phase: 'Cancelled', reason: 'Cancelled', completionTime: now });
  });

  it('spec.cancel on a Run that never started', () => {
    const p = plan({ run: runOf(jobs(), { cancel: true }), observed: {}, now });
    expect(p).toMatchObject({ start: [], stop: [], status: { phase: 'Cancelled' } });
  });

  it('stops jobs running past their timeout plus grace, measured from their start', () => {
    const start = '2030-01-01T00:00:00Z';
    const run = runOf([job('a', { timeoutSeconds: 600 }), job('b', { needs: ['a'] })], { status: { phase: 'Running', jobs: [{ name: 'a', phase: 'Running', startTime: start }] } });
    const at = (ms: number) => new Date(Date.parse(start) + ms).toISOString();
    const grace = (600 + DEADLINE_GRACE_SECONDS) * 1000;
    expect(plan({ run, observed: { a: { phase: 'Running', startTime: start } }, now: at(grace) }).stop).toEqual([]);
    const p = plan({ run, observed: { a: { phase: 'Running', startTime: start } }, now: at(grace + 1000) });
    expect(p.stop).toEqual([{ job: 'a', reason: 'DeadlineExceeded' }]);
    expect(summary(p.status.jobs)).toEqual({ a: 'Failed/DeadlineExceeded', b: 'Skipped/NeedsFailed' });
    expect(p.status).toMatchObject({ phase: 'Failed', reason: 'JobTimedOut' });
  });

  it('spec.jobs runs the named jobs and the jobs they need, in pipeline order', () => {
    const all = [job('lint'), job('build'), job('test', { needs: ['build'] }), job('deploy', { needs: ['test', 'lint'] }), job('docs'), job('cleanup', { when: { status: 'always' } })];
    const p = plan({ run: runOf(all, { jobs: ['test'] }), observed: {}, now });
    expect(p.engine.snapshot.jobs.map((j) => j.name)).toEqual(['build', 'test']);
    expect(p.start).toEqual(['build']);
    const d = plan({ run: runOf(all, { jobs: ['deploy', 'docs'] }), observed: {}, now });
    expect(d.engine.snapshot.jobs.map((j) => j.name)).toEqual(['lint', 'build', 'test', 'deploy', 'docs']);
    expect(d.start).toEqual(['lint', 'build', 'docs']);
    // Observations of jobs not selected are ignored.
    const e = plan({ run: runOf(all, { jobs: ['build'] }), observed: { lint: { phase: 'Failed' }, build: { phase: 'Succeeded' } }, now });
    expect(e.status).toMatchObject({ phase: 'Succeeded', jobs: [{ name: 'build', phase: 'Succeeded' }] });
  });

  it('returns an engine that renders with the run snapshot, its observations included', () => {
    const p = plan({ run: runOf([job('a', { results: [{ name: 'v' }] }), job('b', { needs: ['a'] })]), observed: { a: { phase: 'Succeeded', results: { v: '1' } } }, now });
    expect(p.start).toEqual(['b']);
    expect(p.engine.resultsFor('b')).toEqual([{ job: 'a', result: 'v', value: '1' }]);
  });
});

describe('statusChanged()', () => {
  it('ignores key order and conditions, sees any other difference', () => {
    const a: RunStatus = { phase: 'Running', startTime: 't', jobs: [{ name: 'x', phase: 'Running', attempts: 1 }] };
    const b: RunStatus = { jobs: [{ attempts: 1, phase: 'Running', name: 'x' }], startTime: 't', phase: 'Running', conditions: [] };
    expect(statusChanged(a, b)).toBe(false);
    expect(statusChanged(undefined, b)).toBe(true);
    expect(statusChanged(a, { ...b, jobs: [{ name: 'x', phase: 'Running', attempts: 2 }] })).toBe(true);
    expect(statusChanged(a, { ...a, phase: 'Failed' })).toBe(true);
  });
});
