// Table-driven planner decisions. Each row is a small pipeline and a sequence of steps (what was
// observed, optionally a cancellation) with the ready jobs, job statuses and Run phase expected
// after each step. Every row runs twice: through one incremental PlanEngine (the local runner's
// way) and through plan() from scratch at every step (the controller's way), so the two uses of
// the one planner cannot drift apart.
import { describe, expect, it } from 'vitest';
import type { PipelineJob } from '../../src/api/v1alpha1/pipeline.ts';
import type { RunMetadata, RunPhase, RunStatus } from '../../src/api/v1alpha1/run.ts';
import type { JobObservation } from '../../src/plan/engine.ts';
import { plan } from '../../src/plan/plan.ts';
import { job } from '../helpers/objects.ts';
import { engineOf, parseObs, runOf, summary, type Obs } from './fixtures.ts';

interface Step {
  readonly observe?: readonly Obs[];
  readonly cancel?: boolean;
  readonly ready: readonly string[];
  readonly jobs: Record<string, string>;
  readonly phase: RunPhase;
  /** Jobs to stop (sorted); none when absent. */
  readonly stop?: readonly string[];
}

interface Case {
  readonly name: string;
  readonly jobs: PipelineJob[];
  readonly metadata?: RunMetadata;
  readonly steps: readonly Step[];
}

const onMain = { when: { branches: ['main'] } };
const dev: RunMetadata = { branch: 'dev', event: 'push' };
const cancelled = 'Cancelled/RunCancelled';

const cases: Case[] = [
  // DAG readiness
  {
    name: 'a chain starts one job at a time',
    jobs: [job('a'), job('b', { needs: ['a'] }), job('c', { needs: ['b'] })],
    steps: [
      { ready: ['a'], jobs: {}, phase: 'Pending' },
      { observe: ['a=Running'], ready: [], jobs: { a: 'Running' }, phase: 'Running' },
      { observe: ['a=Succeeded'], ready: ['b'], jobs: { a: 'Succeeded' }, phase: 'Running' },
      { observe: ['b=Running', 'b=Succeeded'], ready: ['c'], jobs: { a: 'Succeeded', b: 'Succeeded' }, phase: 'Running' },
      { observe: ['c=Succeeded'], ready: [], jobs: { a: 'Succeeded', b: 'Succeeded', c: 'Succeeded' }, phase: 'Succeeded' },
    ],
  },
  {
    name: 'a diamond waits for both branches; independent roots are ready at once',
    jobs: [job('a'), job('b', { needs: ['a'] }), job('c', { needs: ['a'] }), job('d', { needs: ['c', 'b'] }), job('e')],
    steps: [
      { ready: ['a', 'e'], jobs: {}, phase: 'Pending' },
      { observe: ['a=Succeeded'], ready: ['b', 'c', 'e'], jobs: { a: 'Succeeded' }, phase: 'Running' },
      { observe: ['b=Succeeded'], ready: ['c', 'e'], jobs: { a: 'Succeeded', b: 'Succeeded' }, phase: 'Running' },
      { observe: ['c=Succeeded', 'e=Succeeded'], ready: ['d'], jobs: { a: 'Succeeded', b: 'Succeeded', c: 'Succeeded', e: 'Succeeded' }, phase: 'Running' },
      { observe: ['d=Succeeded'], ready: [], jobs: { a: 'Succeeded', b: 'Succeeded', c: 'Succeeded', d: 'Succeeded', e: 'Succeeded' }, phase: 'Succeeded' },
    ],
  },
  {
    name: 'a job may be observed running before the planner offered it (restart, local runner)',
    jobs: [job('a'), job('b', { needs: ['a'] })],
    steps: [
      { observe: ['a=Running', 'b=Running'], ready: [], jobs: { a: 'Running', b: 'Running' }, phase: 'Running' },
      { observe: ['a=Succeeded'], ready: [], jobs: { a: 'Succeeded', b: 'Running' }, phase: 'Running' },
      { observe: ['b=Succeeded'], ready: [], jobs: { a: 'Succeeded', b: 'Succeeded' }, phase: 'Succeeded' },
    ],
  },

  // Failures and cascades
  {
    name: 'a failure skips what depends on it through every level, cancels nothing, and fails the run',
    jobs: [job('a'), job('b', { needs: ['a'] }), job('c', { needs: ['b'] }), job('d', { needs: ['c'] }), job('x')],
    steps: [
      { observe: ['a=Running', 'x=Running'], ready: [], jobs: { a: 'Running', x: 'Running' }, phase: 'Running' },
      { observe: ['a=Failed'], ready: [], jobs: { a: 'Failed', b: 'Skipped/NeedsFailed', c: 'Skipped/NeedsFailed', d: 'Skipped/NeedsFailed', x: 'Running' }, phase: 'Running' },
      { observe: ['x=Succeeded'], ready: [], jobs: { a: 'Failed', b: 'Skipped/NeedsFailed', c: 'Skipped/NeedsFailed', d: 'Skipped/NeedsFailed', x: 'Succeeded' }, phase: 'Failed' },
    ],
  },
  {
    name: 'one failed need is enough to skip a success job',
    jobs: [job('a'), job('b'), job('c', { needs: ['a', 'b'] })],
    steps: [
      { observe: ['a=Succeeded'], ready: ['b'], jobs: { a: 'Succeeded' }, phase: 'Running' },
      { observe: ['b=Failed'], ready: [], jobs: { a: 'Succeeded', b: 'Failed', c: 'Skipped/NeedsFailed' }, phase: 'Failed' },
    ],
  },
  {
    name: 'a failed and a skipped need: NeedsFailed wins',
    jobs: [job('a'), job('b', onMain), job('c', { needs: ['b', 'a'] })],
    metadata: dev,
    steps: [
      { ready: ['a'], jobs: { b: 'Skipped/FilteredOut' }, phase: 'Running' },
      { observe: ['a=Failed'], ready: [], jobs: { a: 'Failed', b: 'Skipped/FilteredOut', c: 'Skipped/NeedsFailed' }, phase: 'Failed' },
    ],
  },
  {
    name: 'NeedsSkipped cascades to success jobs; an always job still runs',
    jobs: [job('a', onMain), job('b', { needs: ['a'] }), job('c', { needs: ['b'] }), job('d', { needs: ['c'], when: { status: 'always' } })],
    metadata: dev,
    steps: [
      { ready: ['d'], jobs: { a: 'Skipped/FilteredOut', b: 'Skipped/NeedsSkipped', c: 'Skipped/NeedsSkipped' }, phase: 'Running' },
      { observe: ['d=Succeeded'], ready: [], jobs: { a: 'Skipped/FilteredOut', b: 'Skipped/NeedsSkipped', c: 'Skipped/NeedsSkipped', d: 'Succeeded' }, phase: 'Succeeded' },
    ],
  },
  {
    name: 'a failure job runs when its need was skipped because something before it failed',
    jobs: [job('a'), job('b', { needs: ['a'] }), job('c', { needs: ['b'], when: { status: 'failure' } }), job('d', { needs: ['c'] })],
    steps: [
      { observe: ['a=Failed'], ready: ['c'], jobs: { a: 'Failed', b: 'Skipped/NeedsFailed' }, phase: 'Running' },
      { observe: ['c=Succeeded'], ready: ['d'], jobs: { a: 'Failed', b: 'Skipped/NeedsFailed', c: 'Succeeded' }, phase: 'Running' },
      { observe: ['d=Succeeded'], ready: [], jobs: { a: 'Failed', b: 'Skipped/NeedsFailed', c: 'Succeeded', d: 'Succeeded' }, phase: 'Failed' },
    ],
  },
  {
    name: 'a failure job whose need was skipped for another reason does not run',
    jobs: [job('a', onMain), job('b', { needs: ['a'] }), job('c', { needs: ['b'], when: { status: 'failure' } }), job('x')],
    metadata: dev,
    steps: [
      { ready: ['x'], jobs: { a: 'Skipped/FilteredOut', b: 'Skipped/NeedsSkipped', c: 'Skipped/NoFailure' }, phase: 'Running' },
      { observe: ['x=Succeeded'], ready: [], jobs: { a: 'Skipped/FilteredOut', b: 'Skipped/NeedsSkipped', c: 'Skipped/NoFailure', x: 'Succeeded' }, phase: 'Succeeded' },
    ],
  },

  // when.status with needs
  {
    name: 'failure with needs: skipped (NoFailure) when the need succeeded, and what needs it NeedsSkipped',
    jobs: [job('a'), job('onfail', { needs: ['a'], when: { status: 'failure' } }), job('after', { needs: ['onfail'] })],
    steps: [{ observe: ['a=Succeeded'], ready: [], jobs: { a: 'Succeeded', onfail: 'Skipped/NoFailure', after: 'Skipped/NeedsSkipped' }, phase: 'Succeeded' }],
  },
  {
    name: 'failure with needs: runs when the need failed',
    jobs: [job('a'), job('onfail', { needs: ['a'], when: { status: 'failure' } }), job('after', { needs: ['onfail'] })],
    steps: [
      { observe: ['a=Failed'], ready: ['onfail'], jobs: { a: 'Failed' }, phase: 'Running' },
      { observe: ['onfail=Succeeded'], ready: ['after'], jobs: { a: 'Failed', onfail: 'Succeeded' }, phase: 'Running' },
      { observe: ['after=Succeeded'], ready: [], jobs: { a: 'Failed', onfail: 'Succeeded', after: 'Succeeded' }, phase: 'Failed' },
    ],
  },
  {
    name: 'always with needs: runs after a failed need, waits for all its needs',
    jobs: [job('a'), job('b'), job('report', { needs: ['a', 'b'], when: { status: 'always' } }), job('next', { needs: ['a'] })],
    steps: [
      { observe: ['a=Failed'], ready: ['b'], jobs: { a: 'Failed', next: 'Skipped/NeedsFailed' }, phase: 'Running' },
      { observe: ['b=Succeeded'], ready: ['report'], jobs: { a: 'Failed', b: 'Succeeded', next: 'Skipped/NeedsFailed' }, phase: 'Running' },
      { observe: ['report=Succeeded'], ready: [], jobs: { a: 'Failed', b: 'Succeeded', report: 'Succeeded', next: 'Skipped/NeedsFailed' }, phase: 'Failed' },
    ],
  },
  {
    name: 'always with needs: runs after a skipped need',
    jobs: [job('a', onMain), job('b', { needs: ['a'], when: { status: 'always' } })],
    metadata: dev,
    steps: [{ ready: ['b'], jobs: { a: 'Skipped/FilteredOut' }, phase: 'Running' }],
  },

  // Finally jobs
  {
    name: 'finally: an always job without needs waits for every other job, wherever it is listed',
    jobs: [job('cleanup', { when: { status: 'always' } }), job('build'), job('test', { needs: ['build'] })],
    steps: [
      { ready: ['build'], jobs: {}, phase: 'Pending' },
      { observe: ['build=Succeeded'], ready: ['test'], jobs: { build: 'Succeeded' }, phase: 'Running' },
      { observe: ['test=Failed'], ready: ['cleanup'], jobs: { build: 'Succeeded', test: 'Failed' }, phase: 'Running' },
      { observe: ['cleanup=Succeeded'], ready: [], jobs: { cleanup: 'Succeeded', build: 'Succeeded', test: 'Failed' }, phase: 'Failed' },
    ],
  },
  {
    name: 'finally: a failure job without needs runs after a failure anywhere, once everything is final',
    jobs: [job('a'), job('b', { needs: ['a'] }), job('c'), job('notify', { when: { status: 'failure' } })],
    steps: [
      { observe: ['a=Failed'], ready: ['c'], jobs: { a: 'Failed', b: 'Skipped/NeedsFailed' }, phase: 'Running' },
      { observe: ['c=Succeeded'], ready: ['notify'], jobs: { a: 'Failed', b: 'Skipped/NeedsFailed', c: 'Succeeded' }, phase: 'Running' },
      { observe: ['notify=Succeeded'], ready: [], jobs: { a: 'Failed', b: 'Skipped/NeedsFailed', c: 'Succeeded', notify: 'Succeeded' }, phase: 'Failed' },
    ],
  },
  {
    name: 'finally: a failure job without needs is skipped when nothing failed; the always one runs',
    jobs: [job('a'), job('notify', { when: { status: 'failure' } }), job('cleanup', { when: { status: 'always' } })],
    steps: [
      { observe: ['a=Succeeded'], ready: ['cleanup'], jobs: { a: 'Succeeded', notify: 'Skipped/NoFailure' }, phase: 'Running' },
      { observe: ['cleanup=Succeeded'], ready: [], jobs: { a: 'Succeeded', notify: 'Skipped/NoFailure', cleanup: 'Succeeded' }, phase: 'Succeeded' },
    ],
  },
  {
    name: 'finally: a failing finally job fails the run',
    jobs: [job('a'), job('cleanup', { when: { status: 'always' } })],
    steps: [{ observe: ['a=Succeeded', 'cleanup=Failed'], ready: [], jobs: { a: 'Succeeded', cleanup: 'Failed' }, phase: 'Failed' }],
  },
  {
    name: 'finally: a job that needs a finally job runs after it, and the finally jobs do not wait for it',
    jobs: [
      job('build'),
      job('cleanup', { when: { status: 'always' } }),
      job('notify', { when: { status: 'failure' } }),
      job('report', { needs: ['cleanup'] }),
      job('audit', { needs: ['report', 'notify'], when: { status: 'always' } }),
    ],
    steps: [
      { ready: ['build'], jobs: {}, phase: 'Pending' },
      { observe: ['build=Failed'], ready: ['cleanup', 'notify'], jobs: { build: 'Failed' }, phase: 'Running' },
      { observe: ['cleanup=Succeeded'], ready: ['notify', 'report'], jobs: { build: 'Failed', cleanup: 'Succeeded' }, phase: 'Running' },
      { observe: ['report=Succeeded', 'notify=Succeeded'], ready: ['audit'], jobs: { build: 'Failed', cleanup: 'Succeeded', notify: 'Succeeded', report: 'Succeeded' }, phase: 'Running' },
      { observe: ['audit=Succeeded'], ready: [], jobs: { build: 'Failed', cleanup: 'Succeeded', notify: 'Succeeded', report: 'Succeeded', audit: 'Succeeded' }, phase: 'Failed' },
    ],
  },
  {
    name: 'finally: with only finally jobs, they are ready at once',
    jobs: [job('cleanup', { when: { status: 'always' } }), job('notify', { when: { status: 'failure' } })],
    steps: [{ ready: ['cleanup'], jobs: { notify: 'Skipped/NoFailure' }, phase: 'Running' }],
  },

  // Filters
  {
    name: 'filters: branch globs, release/1',
    jobs: [job('rel', { when: { branches: ['release/*'] } }), job('deep', { when: { branches: ['release/**'] } }), job('any', { when: { branches: ['**'] } }), job('main', onMain), job('either', { when: { branches: ['main', 'release/?'] } })],
    metadata: { branch: 'release/1' },
    steps: [{ ready: ['rel', 'deep', 'any', 'either'], jobs: { main: 'Skipped/FilteredOut' }, phase: 'Running' }],
  },
  {
    name: 'filters: branch globs, release/1/x (* stays within a segment)',
    jobs: [job('rel', { when: { branches: ['release/*'] } }), job('deep', { when: { branches: ['release/**'] } }), job('any', { when: { branches: ['**'] } }), job('either', { when: { branches: ['main', 'release/?'] } })],
    metadata: { branch: 'release/1/x' },
    steps: [{ ready: ['deep', 'any'], jobs: { rel: 'Skipped/FilteredOut', either: 'Skipped/FilteredOut' }, phase: 'Running' }],
  },
  {
    name: 'filters: a run without a branch (a tag) matches no branch filter, not even **',
    jobs: [job('any', { when: { branches: ['**'] } }), job('plain')],
    metadata: { event: 'tag', tag: 'v1.0.0' },
    steps: [{ ready: ['plain'], jobs: { any: 'Skipped/FilteredOut' }, phase: 'Running' }],
  },
  {
    name: 'filters: events',
    jobs: [job('push', { when: { events: ['push', 'tag'] } }), job('pr', { when: { events: ['pull_request'] } }), job('none', { when: { events: [] } })],
    metadata: { event: 'push' },
    steps: [{ ready: ['push', 'none'], jobs: { pr: 'Skipped/FilteredOut' }, phase: 'Running' }],
  },
  {
    name: 'filters: no event matches no event filter',
    jobs: [job('push', { when: { events: ['push'] } }), job('x')],
    metadata: {},
    steps: [{ ready: ['x'], jobs: { push: 'Skipped/FilteredOut' }, phase: 'Running' }],
  },
  {
    name: 'filters: paths against changed files',
    jobs: [job('docs', { when: { paths: ['docs/**'] } }), job('go', { when: { paths: ['**/*.go', 'go.mod'] } }), job('c', { when: { paths: ['src/*.c'] } })],
    metadata: { changedFiles: ['docs/a/b.md', 'go.mod', 'src/lib/x.c'] },
    steps: [{ ready: ['docs', 'go'], jobs: { c: 'Skipped/FilteredOut' }, phase: 'Running' }],
  },
  {
    name: 'filters: unknown changed files (undefined) filter nothing',
    jobs: [job('docs', { when: { paths: ['docs/**'] } })],
    metadata: {},
    steps: [{ ready: ['docs'], jobs: {}, phase: 'Pending' }],
  },
  {
    name: 'filters: an empty list of changed files matches no paths filter',
    jobs: [job('docs', { when: { paths: ['docs/**'] } }), job('x')],
    metadata: { changedFiles: [] },
    steps: [{ ready: ['x'], jobs: { docs: 'Skipped/FilteredOut' }, phase: 'Running' }],
  },
  {
    name: 'filters: every condition set must hold',
    jobs: [job('both', { when: { branches: ['main'], events: ['tag'] } }), job('x')],
    metadata: { branch: 'main', event: 'push' },
    steps: [{ ready: ['x'], jobs: { both: 'Skipped/FilteredOut' }, phase: 'Running' }],
  },
  {
    name: 'filters: a filtered finally or failure job is skipped up front, not run',
    jobs: [job('a'), job('cleanup', { when: { status: 'always', branches: ['main'] } })],
    metadata: dev,
    steps: [{ observe: ['a=Failed'], ready: [], jobs: { a: 'Failed', cleanup: 'Skipped/FilteredOut' }, phase: 'Failed' }],
  },
  {
    name: 'filters: a filtered job is FilteredOut even when what it needs was filtered too (either order)',
    jobs: [job('c', { needs: ['b'], when: { branches: ['main'] } }), job('b', onMain), job('d', { needs: ['b'], when: { branches: ['main'] } })],
    metadata: dev,
    steps: [{ ready: [], jobs: { b: 'Skipped/FilteredOut', c: 'Skipped/FilteredOut', d: 'Skipped/FilteredOut' }, phase: 'Succeeded' }],
  },
  {
    name: 'filters: when everything is filtered out the run succeeds at once',
    jobs: [job('a', onMain), job('b', { needs: ['a'] }), job('c', { when: { status: 'always', events: ['tag'] } })],
    metadata: dev,
    steps: [{ ready: [], jobs: { a: 'Skipped/FilteredOut', b: 'Skipped/NeedsSkipped', c: 'Skipped/FilteredOut' }, phase: 'Succeeded' }],
  },

  // Cancellation
  {
    name: 'cancel before anything ran: every job Cancelled, nothing to stop',
    jobs: [job('a'), job('b', { needs: ['a'] }), job('c', { when: { status: 'always' } })],
    steps: [{ cancel: true, ready: [], jobs: { a: cancelled, b: cancelled, c: cancelled }, phase: 'Cancelled' }],
  },
  {
    name: 'cancel while running: running jobs are stopped, waiting and finally jobs cancelled, finished jobs kept',
    jobs: [job('a'), job('b', { needs: ['a'] }), job('c'), job('d', { when: { status: 'always' } }), job('f', onMain)],
    metadata: dev,
    steps: [
      { observe: ['a=Succeeded', 'c=Running'], ready: ['b'], jobs: { a: 'Succeeded', c: 'Running', f: 'Skipped/FilteredOut' }, phase: 'Running' },
      { observe: ['b=Running'], cancel: true, ready: [], stop: ['b', 'c'], jobs: { a: 'Succeeded', b: cancelled, c: cancelled, d: cancelled, f: 'Skipped/FilteredOut' }, phase: 'Cancelled' },
      { observe: ['b=Failed', 'c=Succeeded', 'd=Running'], ready: [], jobs: { a: 'Succeeded', b: cancelled, c: cancelled, d: cancelled, f: 'Skipped/FilteredOut' }, phase: 'Cancelled' },
    ],
  },
  {
    name: 'cancel with ready jobs not yet started: they are cancelled, not started',
    jobs: [job('a'), job('b')],
    steps: [
      { observe: ['a=Running'], ready: ['b'], jobs: { a: 'Running' }, phase: 'Running' },
      { cancel: true, ready: [], stop: ['a'], jobs: { a: cancelled, b: cancelled }, phase: 'Cancelled' },
    ],
  },
  {
    name: 'cancel after the run finished changes nothing',
    jobs: [job('a'), job('b', { needs: ['a'] })],
    steps: [
      { observe: ['a=Succeeded', 'b=Failed'], ready: [], jobs: { a: 'Succeeded', b: 'Failed' }, phase: 'Failed' },
      { cancel: true, ready: [], jobs: { a: 'Succeeded', b: 'Failed' }, phase: 'Failed' },
    ],
  },

  // Observations that must not count
  {
    name: 'observations of final jobs and of unknown jobs change nothing',
    jobs: [job('a'), job('b', { needs: ['a'] }), job('c')],
    steps: [
      { observe: ['a=Failed', 'c=Running'], ready: [], jobs: { a: 'Failed', b: 'Skipped/NeedsFailed', c: 'Running' }, phase: 'Running' },
      { observe: ['a=Succeeded', 'b=Running', 'ghost=Succeeded'], ready: [], jobs: { a: 'Failed', b: 'Skipped/NeedsFailed', c: 'Running' }, phase: 'Running' },
      { observe: ['c=Succeeded'], ready: [], jobs: { a: 'Failed', b: 'Skipped/NeedsFailed', c: 'Succeeded' }, phase: 'Failed' },
      { observe: ['c=Failed', 'a=Running'], ready: [], jobs: { a: 'Failed', b: 'Skipped/NeedsFailed', c: 'Succeeded' }, phase: 'Failed' },
    ],
  },
  {
    name: 'a Failed observation carries its reason; without one the reason is Failed',
    jobs: [job('a'), job('b')],
    steps: [
      { observe: [['a', { phase: 'Failed', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }], 'b=Failed'], ready: [], jobs: { a: 'Failed/BackoffLimitExceeded', b: 'Failed' }, phase: 'Failed' },
    ],
  },
];

describe('planner decisions, one incremental engine', () => {
  it.each(cases)('$name', (c) => {
    const engine = engineOf(c.jobs, { metadata: c.metadata });
    c.steps.forEach((step, n) => {
      for (const o of step.observe ?? []) engine.observe(...parseObs(o));
      const stop = step.cancel ? engine.cancel().map((s) => s.job).sort() : [];
      const at = `step ${n}`;
      expect(engine.readyJobs(), at).toEqual(step.ready);
      expect(summary(engine.jobStatuses()), at).toEqual(step.jobs);
      expect(engine.phase(), at).toBe(step.phase);
      expect(stop, at).toEqual(step.stop ?? []);
      expect(engine.done, at).toBe(['Succeeded', 'Failed', 'Cancelled'].includes(step.phase));
    });
  });
});

describe('planner decisions, plan() from scratch at every step', () => {
  it.each(cases)('$name', (c) => {
    const observed: Record<string, JobObservation> = {};
    let status: RunStatus | undefined;
    let cancel = false;
    c.steps.forEach((step, n) => {
      for (const o of step.observe ?? []) {
        const [name, obs] = parseObs(o);
        observed[name] = obs;
      }
      cancel ||= step.cancel === true;
      const p = plan({ run: runOf(c.jobs, { metadata: c.metadata, status, cancel }), observed: { ...observed }, now: '2030-01-01T00:00:00Z' });
      const at = `step ${n}`;
      expect(p.start, at).toEqual(step.ready);
      expect(summary(p.status.jobs), at).toEqual(step.jobs);
      expect(p.status.phase, at).toBe(step.phase);
      expect(p.stop.map((s) => s.job).sort(), at).toEqual(step.stop ?? []);
      status = structuredClone(p.status);
    });
  });
});
