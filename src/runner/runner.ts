// runLocal(): executes one pipeline on this machine. The planner decides (the same engine the
// controller uses); the local backend executes the rendered Jobs; the reporter shows it.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Pipeline } from '../api/v1alpha1/pipeline.ts';
import type { JobStatus, Run, RunMetadata, RunPhase, RunStatus } from '../api/v1alpha1/run.ts';
import { validateRunInputs } from '../api/v1alpha1/validate/index.ts';
import { API_VERSION } from '../api/v1alpha1/meta.ts';
import { TOOLS_ANNOTATION } from '../api/v1alpha1/env.ts';
import { PlanEngine, type JobObservation } from '../plan/engine.ts';
import { runEnv } from '../plan/env.ts';
import { DEFAULT_WORKSPACE_MOUNT, renderJob } from '../plan/render-job.ts';
import { snapshotOf } from '../plan/snapshot.ts';
import type { Executor } from './executors/executor.ts';
import { containerEnv } from '../api/v1alpha1/expand.ts';
import { LocalBackend, RETRY_MARK } from './local-backend.ts';
import type { ConsoleReporter, SummaryRow } from './reporter.ts';
import { localValues } from './values.ts';
import { containerMounts, type MountContext } from './mounts.ts';

export interface LocalRunOptions {
  readonly pipeline: Pipeline;
  readonly origin: string;
  readonly workspace: string;
  readonly metadata: RunMetadata;
  readonly executor: Executor;
  readonly reporter: ConsoleReporter;
  readonly parallelism: number;
  readonly jobs?: readonly string[];
  readonly params?: Readonly<Record<string, string>>;
  /** Aborting it cancels the run (Ctrl-C). */
  readonly signal?: AbortSignal;
  readonly runName?: string;
  readonly hostEnv?: NodeJS.ProcessEnv;
  readonly now?: () => Date;
  /** Paths in messages are relative to it. @default process.cwd() */
  readonly cwd?: string;
}

export interface LocalRunResult {
  readonly run: string;
  readonly phase: RunPhase;
  readonly status: RunStatus;
  readonly runDir: string;
}

/** The run cannot start: bad parameters or job names, or jobs this machine cannot execute. */
export class RunInputError extends Error {
  override name = 'RunInputError';
  readonly code = 'KAYCI_BAD_RUN_INPUT';
  readonly problems: string[];
  constructor(summary: string, problems: string[]) {
    super(`${summary}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

export async function runLocal(options: LocalRunOptions): Promise<LocalRunResult> {
  const now = options.now ?? (() => new Date());
  const name = options.pipeline.metadata.name!;
  const runName = options.runName ?? uniqueRunName(options.workspace, name, now());
  const run = buildRun(options, runName);
  const inputErrors = validateRunInputs(run.spec as unknown as Record<string, unknown>).map((e) => `${flagFor(e.path)}: ${e.message}`);
  if (inputErrors.length > 0) throw new RunInputError(`cannot run pipeline ${name}`, inputErrors);

  const snapshot = snapshotOf(run);
  const finished: JobStatus[] = [];
  const engine = new PlanEngine(snapshot, { onFinish: (s) => finished.push(s) });
  const mountPath = snapshot.spec.workspace?.mountPath ?? DEFAULT_WORKSPACE_MOUNT;
  const env = runEnv(snapshot);
  const values = localValues(options.hostEnv ?? process.env, { name: runName, namespace: snapshot.namespace });
  const runDir = path.join(options.workspace, '.kayci', 'runs', runName);
  const reporter = options.reporter;
  const backend = new LocalBackend({
    executor: options.executor,
    workspace: options.workspace,
    mountPath,
    runDir,
    run: runName,
    values: values.resolve,
    onOutput: (job, line) => reporter.output(job, line),
    now,
  });
  preflight(engine, options.executor, env, values.missing, (job) => backend.mountContext(job));
  mkdirSync(runDir, { recursive: true });
  writeFileSync(path.join(runDir, 'run.json'), `${JSON.stringify(run, null, 2)}\n`);

  const startedAt = now().getTime();
  const startMs = new Map<string, number>();
  const durations = new Map<string, number>();
  reporter.runStarted({
    run: runName,
    pipeline: name,
    jobs: snapshot.jobs.map((j) => j.name),
    origin: options.origin,
    parallelism: options.parallelism,
    executor: options.executor.name,
    logDir: path.relative(options.cwd ?? process.cwd(), runDir) || runDir,
  });

  const completions: { job: string; obs: JobObservation }[] = [];
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const report = () => {
    for (const s of finished.splice(0)) {
      const began = startMs.get(s.name);
      if (began !== undefined) durations.set(s.name, now().getTime() - began);
      reporter.jobFinished(s.name, s, durations.get(s.name));
    }
  };
  let cancelling: Promise<unknown> | undefined;
  const cancel = () => {
    if (cancelling) return;
    reporter.notice('cancelling: stopping running jobs…');
    const stops = engine.cancel();
    cancelling = Promise.all(stops.map((s) => backend.cancel(s.job)));
    notify();
  };
  options.signal?.addEventListener('abort', cancel, { once: true });
  if (options.signal?.aborted) cancel();

  try {
    report();
    let active = 0;
    while (!engine.done) {
      for (const job of engine.take(options.parallelism - active)) {
        active++;
        startMs.set(job, now().getTime());
        const first = await backend.start({ job, object: renderJob(engine, job), runEnv: env });
        engine.observe(job, first);
        reporter.jobStarted(job);
        void backend.wait(job).then((obs) => {
          completions.push({ job, obs });
          notify();
        });
      }
      if (engine.done) break;
      if (completions.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      for (const { job, obs } of completions.splice(0)) {
        active--;
        engine.observe(job, obs);
      }
      report();
    }
    await cancelling;
    report();
  } finally {
    options.signal?.removeEventListener('abort', cancel);
  }

  const status = engine.runStatus(now().toISOString());
  writeFileSync(path.join(runDir, 'status.json'), `${JSON.stringify(status, null, 2)}\n`);
  const rows: SummaryRow[] = snapshot.jobs.map((j) => ({ job: j.name, status: engine.status(j.name), durationMs: durations.get(j.name) }));
  const tails = new Map<string, string>();
  for (const r of rows) if (r.status?.phase === 'Failed') tails.set(r.job, lastAttempt(await backend.logs(r.job)));
  reporter.runFinished(status.phase!, rows, tails, now().getTime() - startedAt);
  return { run: runName, phase: status.phase!, status, runDir };
}

function buildRun(options: LocalRunOptions, runName: string): Run {
  const p = options.pipeline;
  return {
    apiVersion: API_VERSION,
    kind: 'Run',
    metadata: { name: runName, namespace: p.metadata.namespace ?? 'default' },
    spec: {
      pipelineRef: { name: p.metadata.name! },
      pipelineSpec: p.spec,
      metadata: options.metadata,
      params: Object.entries(options.params ?? {}).map(([n, value]) => ({ name: n, value })),
      jobs: options.jobs && options.jobs.length > 0 ? [...options.jobs] : undefined,
    },
  };
}

/** The tools a pod template says its scripts call; a malformed annotation names no tools. */
function declaredTools(annotations: Record<string, string> | undefined): Record<string, string> {
  const raw = annotations?.[TOOLS_ANNOTATION];
  if (!raw) return {};
  try {
    const parsed = JSON.parse(raw) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/** The part of a log the last attempt wrote. */
function lastAttempt(log: string): string {
  const at = log.lastIndexOf(`\n${RETRY_MARK} `);
  return at < 0 ? log : log.slice(at + 1);
}

/** Every job that will run must be runnable here; say all that is not before starting any. */
function preflight(engine: PlanEngine, executor: Executor, env: Record<string, string>, missing: ReturnType<typeof localValues>['missing'], mountContext: (job: string) => MountContext): void {
  const problems: string[] = [];
  for (const job of engine.snapshot.jobs) {
    if (engine.status(job.name)?.phase === 'Skipped') continue;
    const template = renderJob(engine, job.name).spec!.template;
    const pod = template.spec!;
    for (const problem of executor.checkTools(declaredTools(template.metadata?.annotations))) problems.push(`job ${job.name}: ${problem}`);
    for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
      try {
        containerMounts(pod.volumes, c, mountContext(job.name));
      } catch (e) {
        problems.push(`job ${job.name}: ${(e as Error).message}`);
      }
      for (const e of c.env ?? []) {
        const problem = e.valueFrom && missing(e.valueFrom, e.name);
        if (problem) problems.push(`job ${job.name}: ${problem}`);
      }
      const problem = executor.check(c, containerEnv(env, { ...c, env: (c.env ?? []).filter((e) => !e.valueFrom) }, () => undefined));
      if (problem) problems.push(`job ${job.name}: ${problem}`);
    }
  }
  if (problems.length > 0) throw new RunInputError(`cannot run pipeline ${engine.snapshot.pipeline} with the ${executor.name} executor`, problems);
}

function flagFor(path: string): string {
  if (path.startsWith('spec.params')) return '--param';
  if (path.startsWith('spec.jobs')) return '--job';
  return path;
}

/** `<pipeline>-<yyyymmdd>-<hhmmss>` (UTC), with a suffix if that run directory exists. */
function uniqueRunName(workspace: string, pipeline: string, at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15).toLowerCase();
  const base = `${pipeline.slice(0, 40)}-${stamp}`;
  for (let n = 1; ; n++) {
    const name = n === 1 ? base : `${base}-${n}`;
    if (!existsSync(path.join(workspace, '.kayci', 'runs', name))) return name;
  }
}
