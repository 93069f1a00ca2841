// The planner alone on a large DAG: one PlanEngine driven through a whole run the way a backend
// would (take what is ready, report it Running, report it Succeeded, until done), timed per
// node; and the controller's from-scratch plan() at the start, halfway, and at the end.
// run.ts runs it in a fresh process per shape and reads the JSON it prints last:
//
//   node planner.ts <wide|chain|layered> <nodes> [reps]
//
// Two ways to drive the engine, both over the whole run (snapshot, engine construction, every
// take/observe, the final runStatus):
//   batch  take() everything ready, report all Running, then all Succeeded (the most work per call)
//   jobs2  the local runner's loop at --jobs 2: take(2 - active), one completion at a time
// The snapshot is built directly (snapshotOf on a Run): a 10,000-job Pipeline is over the
// API's 5,000-job limit, so it could not come from validated YAML.
import type { Run, RunStatus } from '../../../src/api/v1alpha1/run.ts';
import { PlanEngine, type JobObservation } from '../../../src/plan/engine.ts';
import { plan } from '../../../src/plan/plan.ts';
import { snapshotOf } from '../../../src/plan/snapshot.ts';
import { dag, edgeCount, pipelineJobs, type Shape } from './shape.ts';

export type Drive = 'batch' | 'jobs2';

export interface PlannerMeasurement {
  readonly shape: Shape;
  readonly nodes: number;
  readonly edges: number;
  /** µs per node of the whole run, per drive: the first run in the process, then warm reps. */
  readonly cold: Record<Drive, number>;
  readonly warm: Record<Drive, number[]>;
  /** ms of one plan() call on a Run at that point. */
  readonly plan: { start: number; half: number; end: number };
  /** ms to build the engine alone (graph, initial readiness), warm. */
  readonly construct: number;
}

const T0 = Date.parse('2026-01-01T00:00:00Z');
// Times the observations carry, made before any timing: a backend has them anyway.
let STAMPS: string[] = [];
const stamp = (k: number) => STAMPS[k] ?? new Date(T0 + k * 1000).toISOString();

function runOf(shape: Shape, n: number, status?: RunStatus): Run {
  const d = dag(shape, n, shape === 'layered' ? Math.round(Math.sqrt(n)) : 10);
  return {
    apiVersion: 'kayci.dev/v1alpha1',
    kind: 'Run',
    metadata: { name: `bench-${shape}-1`, namespace: 'default', uid: '00000000-0000-0000-0000-000000000001' },
    spec: { pipelineRef: { name: `bench-${shape}` }, pipelineSpec: { jobs: pipelineJobs(d) }, metadata: { provider: 'local', event: 'push' } },
    ...(status && { status }),
  };
}

/**
 * One whole run; returns its time in ms. `probe` is called after every Succeeded observation
 * with how many jobs have succeeded and every observation so far (for plan(), untimed use only).
 */
function simulate(run: Run, drive: Drive, probe?: (engine: PlanEngine, succeeded: number, observed: Map<string, JobObservation>) => void): number {
  const start = performance.now();
  const engine = new PlanEngine(snapshotOf(run));
  const observed = new Map<string, JobObservation>();
  let tick = 0;
  let count = 0;
  const see = (job: string, obs: JobObservation) => {
    engine.observe(job, obs);
    if (!probe) return;
    observed.set(job, obs);
    if (obs.phase === 'Succeeded') probe(engine, ++count, observed);
  };
  const running = (job: string) => see(job, { phase: 'Running', attempts: 1, jobName: job, startTime: stamp(tick++) });
  const succeeded = (job: string) => see(job, { phase: 'Succeeded', attempts: 1, jobName: job, startTime: stamp(tick), completionTime: stamp(tick++) });
  if (drive === 'batch') {
    while (!engine.done) {
      const taken = engine.take();
      if (taken.length === 0) throw new Error('stuck: nothing ready and not done');
      for (const job of taken) running(job);
      for (const job of taken) succeeded(job);
    }
  } else {
    const active: string[] = [];
    while (!engine.done) {
      for (const job of engine.take(2 - active.length)) {
        running(job);
        active.push(job);
      }
      const job = active.shift();
      if (job === undefined) throw new Error('stuck: nothing ready and not done');
      succeeded(job);
    }
  }
  const status = engine.runStatus(stamp(tick));
  if (status.phase !== 'Succeeded' || status.jobs!.length !== run.spec.pipelineSpec!.jobs.length) throw new Error(`the simulated run ended ${status.phase}`);
  return performance.now() - start;
}

function timePlan(run: Run, observed: Map<string, JobObservation>, now: string): number {
  const input = { run, observed: Object.fromEntries(observed), now };
  const start = performance.now();
  const p = plan(input);
  const ms = performance.now() - start;
  if (!p.status.phase) throw new Error('plan() returned no phase');
  return ms;
}

export function measurePlanner(shape: Shape, n: number, reps: number): PlannerMeasurement {
  STAMPS = Array.from({ length: 2 * n + 2 }, (_, k) => new Date(T0 + k * 1000).toISOString());
  const run = runOf(shape, n);
  const d = dag(shape, n, shape === 'layered' ? Math.round(Math.sqrt(n)) : 10);
  const perNode = (ms: number) => (ms * 1000) / n;
  const cold = { batch: perNode(simulate(run, 'batch')), jobs2: perNode(simulate(run, 'jobs2')) };
  const warm: Record<Drive, number[]> = { batch: [], jobs2: [] };
  for (let i = 0; i < reps; i++) for (const drive of ['batch', 'jobs2'] as const) warm[drive].push(perNode(simulate(run, drive)));

  let construct = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    new PlanEngine(snapshotOf(run));
    construct = Math.min(construct, performance.now() - t);
  }

  // plan() as the controller calls it: the Run with its last written status, and every Job that
  // exists (started so far). Halfway: half the jobs final; end: all final, status not yet written.
  let half: { status: RunStatus; observed: Map<string, JobObservation> } | undefined;
  let beforeLast: RunStatus | undefined;
  let end: Map<string, JobObservation> | undefined;
  simulate(run, 'jobs2', (engine, succeeded, observed) => {
    if (succeeded === Math.floor(n / 2)) half = { status: engine.runStatus(stamp(0)), observed: new Map(observed) };
    if (succeeded === n - 1) beforeLast = engine.runStatus(stamp(0));
    if (succeeded === n) end = new Map(observed);
  });
  return {
    shape,
    nodes: n,
    edges: edgeCount(d),
    cold,
    warm,
    plan: {
      start: timePlan(run, new Map(), stamp(0)),
      half: timePlan(runOf(shape, n, half!.status), half!.observed, stamp(n)),
      end: timePlan(runOf(shape, n, beforeLast), end!, stamp(2 * n)),
    },
    construct,
  };
}

if (import.meta.main) {
  const [shape, n = '10000', reps = '5'] = process.argv.slice(2) as [Shape, string, string];
  process.stdout.write(`${JSON.stringify(measurePlanner(shape, Number(n), Number(reps)))}\n`);
}
