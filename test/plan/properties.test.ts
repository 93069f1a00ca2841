// Property tests on random DAGs. Edges go from a higher to a lower index, so every graph is
// acyclic; each job gets a random when.status, maybe a branch filter that drops it, and an
// outcome. A whole run is simulated with the incremental engine (take() some ready jobs, finish
// running ones in random order), and at every step plan() from scratch must agree with it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PipelineJob } from '../../src/api/v1alpha1/pipeline.ts';
import type { JobStatus, RunPhase, RunStatus } from '../../src/api/v1alpha1/run.ts';
import type { JobObservation, PlanEngine } from '../../src/plan/engine.ts';
import { plan } from '../../src/plan/plan.ts';
import { job } from '../helpers/objects.ts';
import { brief, engineOf, FINAL, runOf } from './fixtures.ts';

type Status = 'success' | 'failure' | 'always' | undefined;

interface Dag {
  readonly needs: readonly (readonly number[])[];
  readonly when: readonly Status[];
  readonly filtered: readonly boolean[];
  readonly succeeds: readonly boolean[];
  readonly attempts: readonly number[];
}

const dagArb: fc.Arbitrary<Dag> = fc.integer({ min: 1, max: 10 }).chain((n) =>
  fc.record({
    needs: fc.tuple(...Array.from({ length: n }, (_, i) => fc.shuffledSubarray(Array.from({ length: i }, (_, j) => j)))),
    when: fc.array(fc.constantFrom<Status>(undefined, 'success', 'failure', 'always'), { minLength: n, maxLength: n }),
    filtered: fc.array(fc.integer({ min: 0, max: 7 }).map((x) => x === 0), { minLength: n, maxLength: n }),
    succeeds: fc.array(fc.integer({ min: 0, max: 3 }).map((x) => x !== 0), { minLength: n, maxLength: n }),
    attempts: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: n, maxLength: n }),
  }),
);

const metadata = { branch: 'dev', event: 'push' };
const now = '2030-01-01T00:00:00Z';
const nameOf = (i: number) => `j${i}`;
const indexOf = (name: string) => Number(name.slice(1));
const RANK: Record<RunPhase, number> = { Pending: 0, Running: 1, Succeeded: 2, Failed: 2, Cancelled: 2 };

function jobsOf(dag: Dag): PipelineJob[] {
  return dag.needs.map((needs, i) => {
    const when = { ...(dag.when[i] && { status: dag.when[i] }), ...(dag.filtered[i] && { branches: ['main'] }) };
    return job(nameOf(i), { needs: needs.map(nameOf), when, results: [{ name: 'out' }] });
  });
}

/** What a job's run ends as: the same for every backend, order and parallelism. */
function finalObservation(dag: Dag, i: number): JobObservation {
  const base = { attempts: dag.attempts[i], jobName: `r1-${nameOf(i)}` };
  return dag.succeeds[i] ? { ...base, phase: 'Succeeded', results: { out: `v${i}`, junk: 'x' } } : { ...base, phase: 'Failed', reason: 'BackoffLimitExceeded' };
}

/** The semantics of engine.ts's header, written out independently: what each job waits for and ends as. */
function reference(dag: Dag): { waits: number[][]; outcome: string[] } {
  const n = dag.needs.length;
  const isFinally = dag.when.map((w, i) => (w === 'failure' || w === 'always') && dag.needs[i]!.length === 0);
  // Jobs that need a finally job, directly or not, run after it: finally jobs do not wait for them.
  const after = new Array<boolean>(n).fill(false);
  for (let i = 0; i < n; i++) after[i] = dag.needs[i]!.some((d) => isFinally[d] || after[d]);
  const before = Array.from({ length: n }, (_, i) => i).filter((i) => !isFinally[i] && !after[i]);
  const waits = Array.from({ length: n }, (_, i) => (isFinally[i] ? before : [...dag.needs[i]!]));
  const memo = new Map<number, string>();
  const failedLike = (s: string) => s.startsWith('Failed') || s === 'Skipped/NeedsFailed';
  const outcome = (i: number): string => {
    const known = memo.get(i);
    if (known) return known;
    const ws = waits[i]!.map(outcome);
    const failed = ws.some(failedLike);
    const skipped = ws.some((s) => s.startsWith('Skipped') && !failedLike(s));
    const when = dag.when[i] ?? 'success';
    const ran = dag.succeeds[i] ? 'Succeeded' : 'Failed/BackoffLimitExceeded';
    let s: string;
    if (dag.filtered[i]) s = 'Skipped/FilteredOut';
    else if (when === 'success') s = failed ? 'Skipped/NeedsFailed' : skipped ? 'Skipped/NeedsSkipped' : ran;
    else if (when === 'failure') s = failed ? ran : 'Skipped/NoFailure';
    else s = ran;
    memo.set(i, s);
    return s;
  };
  return { waits, outcome: Array.from({ length: n }, (_, i) => outcome(i)) };
}

/** mulberry32: a small seeded generator, so a failing schedule replays. */
function random(seed: number): (below: number) => number {
  let a = seed >>> 0;
  return (below) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * below);
  };
}

function shuffle<T>(items: readonly T[], rand: (below: number) => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rand(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

interface Simulation {
  readonly engine: PlanEngine;
  readonly statuses: JobStatus[];
  readonly observed: Record<string, JobObservation>;
  readonly lastStatus: RunStatus | undefined;
}

/**
 * Runs the whole DAG with one engine under a random schedule, checking the invariants at every
 * step. With `cancelAt`, the run is cancelled once that many jobs were completed.
 */
function simulate(dag: Dag, seed: number, options: { withPlan?: boolean; cancelAt?: number } = {}): Simulation {
  const rand = random(seed);
  const jobs = jobsOf(dag);
  const ref = reference(dag);
  const engine = engineOf(jobs, { metadata });
  const observed: Record<string, JobObservation> = {};
  const taken = new Set<string>();
  let running: string[] = [];
  let previous: RunStatus | undefined;
  let lastRank = 0;
  let completed = 0;
  let cancelled = false;

  const check = (stop: string[] = []) => {
    const rank = RANK[engine.phase()];
    expect(rank).toBeGreaterThanOrEqual(lastRank);
    lastRank = rank;
    expect(rank === 2).toBe(engine.done);
    if (!options.withPlan) return;
    const p = plan({ run: runOf(jobs, { metadata, status: previous, cancel: cancelled }), observed: { ...observed }, now });
    expect(p.start).toEqual(engine.readyJobs());
    expect(p.status).toEqual(engine.runStatus(now, previous));
    expect(p.stop.map((s) => s.job).sort()).toEqual(stop.sort());
    previous = structuredClone(p.status);
  };

  check();
  for (let guard = 0; !engine.done; guard++) {
    expect(guard, 'every round takes or finishes a job').toBeLessThanOrEqual(2 * jobs.length);
    const ready = engine.readyJobs();
    if (ready.length === 0 && running.length === 0) throw new Error(`stuck with nothing ready or running: ${JSON.stringify(engine.jobStatuses().map(brief))}`);
    const limit = running.length === 0 ? 1 + rand(ready.length) : rand(ready.length + 1);
    for (const name of engine.take(limit)) {
      const i = indexOf(name);
      expect(taken.has(name), `${name} taken twice`).toBe(false);
      taken.add(name);
      for (const w of ref.waits[i]!) expect(FINAL.has(engine.status(nameOf(w))?.phase ?? 'Pending'), `${name} started before ${nameOf(w)} was final`).toBe(true);
      expect(ref.outcome[i], `${name} should not run`).toMatch(/^(Succeeded|Failed)/);
      const results = dag.needs[i]!.map((n) => ({ job: nameOf(n), result: 'out', value: dag.succeeds[n] && engine.status(nameOf(n))?.phase === 'Succeeded' ? `v${n}` : '' }));
      expect(engine.resultsFor(name)).toEqual(results);
      const obs: JobObservation = { phase: 'Running', attempts: 1, jobName: `r1-${name}` };
      engine.observe(name, obs);
      observed[name] = obs;
      running.push(name);
    }
    check();
    for (let k = running.length === 0 ? 0 : 1 + rand(running.length); k > 0; k--) {
      const [name] = running.splice(rand(running.length), 1);
      const obs = finalObservation(dag, indexOf(name!));
      engine.observe(name!, obs);
      observed[name!] = obs;
      completed++;
      if (options.cancelAt === completed && !engine.done) {
        cancelled = true;
        const stops = engine.cancel();
        expect(stops.every((s) => s.reason === 'RunCancelled')).toBe(true);
        expect(stops.map((s) => s.job).sort()).toEqual([...running].sort());
        expect(engine.take()).toEqual([]);
        check(stops.map((s) => s.job));
        running = [];
        break;
      }
      check();
    }
  }
  return { engine, statuses: engine.jobStatuses(), observed, lastStatus: previous };
}

const runs = { numRuns: 300 };

describe('random DAGs', () => {
  it('a whole run: starts only after what it waits for, each job once, ends as the semantics say; plan() agrees at every step', () => {
    fc.assert(
      fc.property(dagArb, fc.integer(), (dag, seed) => {
        const { engine, statuses, lastStatus } = simulate(dag, seed, { withPlan: true });
        const ref = reference(dag);
        expect(statuses.map((s) => s.name)).toEqual(dag.needs.map((_, i) => nameOf(i)));
        expect(statuses.map(brief)).toEqual(ref.outcome);
        for (const s of statuses) expect(FINAL.has(s.phase)).toBe(true);
        const anyFailed = statuses.some((s) => s.phase === 'Failed');
        expect(engine.phase()).toBe(anyFailed ? 'Failed' : 'Succeeded');
        expect(lastStatus?.phase).toBe(engine.phase());
        // Results of jobs that succeeded: declared ones only.
        for (const s of statuses) if (s.phase === 'Succeeded') expect(s.results).toEqual({ out: `v${indexOf(s.name)}` });
      }),
      runs,
    );
  });

  it('once terminal, further observations change nothing, in the engine or in plan()', () => {
    fc.assert(
      fc.property(dagArb, fc.integer(), fc.array(fc.tuple(fc.nat(), fc.constantFrom('Running', 'Succeeded', 'Failed') as fc.Arbitrary<JobObservation['phase']>)), (dag, seed, noise) => {
        const { engine, lastStatus, observed } = simulate(dag, seed);
        const before = { statuses: structuredClone(engine.jobStatuses()), phase: engine.phase(), status: engine.runStatus(now) };
        const later: Record<string, JobObservation> = { ...observed };
        for (const [i, phase] of noise) {
          const name = nameOf(i % (dag.needs.length + 1));
          engine.observe(name, { phase, attempts: 9 });
          later[name] = { phase };
        }
        expect(engine.overdue(Date.parse(now) + 1e12)).toEqual([]);
        expect(engine.cancel()).toEqual([]);
        expect(engine.take()).toEqual([]);
        expect(engine.jobStatuses()).toEqual(before.statuses);
        expect(engine.phase()).toBe(before.phase);
        expect(engine.runStatus(now)).toEqual(before.status);
        const terminal = lastStatus ?? engine.runStatus(now);
        const p = plan({ run: runOf(jobsOf(dag), { metadata, status: terminal }), observed: later, now });
        expect(p.status).toBe(terminal);
        expect(p.start).toEqual([]);
        expect(p.stop).toEqual([]);
      }),
      runs,
    );
  });

  it('final statuses do not depend on the schedule or on the order observations arrive in', () => {
    fc.assert(
      fc.property(dagArb, fc.integer(), fc.integer(), (dag, seedA, seedB) => {
        const a = simulate(dag, seedA);
        const b = simulate(dag, seedB);
        expect(b.statuses).toEqual(a.statuses);
        // All the final observations at once, in any order: a fresh engine, and plan() from scratch.
        const rand = random(seedB);
        const entries = shuffle(Object.entries(a.observed), rand);
        const fresh = engineOf(jobsOf(dag), { metadata });
        for (const [name, obs] of entries) fresh.observe(name, obs);
        expect(fresh.jobStatuses()).toEqual(a.statuses);
        const p = plan({ run: runOf(jobsOf(dag), { metadata }), observed: Object.fromEntries(shuffle(entries, rand)), now });
        expect(p.status.jobs).toEqual(a.statuses);
        expect(p.status.phase).toBe(a.engine.phase());
        expect(p.start).toEqual([]);
        // And a controller that restarts from its last write, with every Job deleted since.
        const restored = plan({ run: runOf(jobsOf(dag), { metadata, status: { phase: 'Running', jobs: shuffle(a.statuses, rand) } }), observed: {}, now });
        expect(restored.status.jobs).toEqual(a.statuses);
      }),
      runs,
    );
  });

  it('cancelling mid-run: running jobs are stopped, nothing else starts, the run ends Cancelled; plan() agrees', () => {
    fc.assert(
      fc.property(dagArb, fc.integer(), fc.integer({ min: 0, max: 10 }), (dag, seed, cancelAt) => {
        const { engine, statuses } = simulate(dag, seed, { withPlan: true, cancelAt });
        expect(statuses).toHaveLength(dag.needs.length);
        if (engine.isCancelled) {
          expect(engine.phase()).toBe(statuses.some((s) => s.phase === 'Cancelled') ? 'Cancelled' : statuses.some((s) => s.phase === 'Failed') ? 'Failed' : 'Succeeded');
          for (const s of statuses) if (s.phase === 'Cancelled') expect(s.reason).toBe('RunCancelled');
        }
      }),
      runs,
    );
  });
});
