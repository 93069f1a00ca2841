// The local backend: executes the rendered batch/v1 Job the way the Job controller and kubelet
// would — init containers then containers, in order; on failure a new attempt, up to
// backoffLimit more; the whole job bounded by activeDeadlineSeconds; results read from the file
// KAYCI_RESULTS_FILE names — and keeps each job's output in .kayci/runs/<run>/<job>.log.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import { WORKSPACE_VOLUME } from '../plan/render-job.ts';
import { containerMounts, defaultVolumeRoot, type MountContext } from './mounts.ts';
import type { JobObservation } from '../plan/engine.ts';
import { parseResults } from '../plan/env.ts';
import type { Backend, OutputListener, StartRequest } from './backend.ts';
import { containerEnv, type ValueFromResolver } from '../api/v1alpha1/expand.ts';
import type { Executor } from './executors/executor.ts';
import { LineSplitter } from './lines.ts';

export interface LocalBackendOptions {
  readonly executor: Executor;
  /** The directory jobs run in (the pod's workspace mount). */
  readonly workspace: string;
  readonly mountPath: string;
  /** Where PersistentVolumeClaims (caches) live. @default ~/.cache/kayci/volumes */
  readonly volumeRoot?: string;
  /** Where logs and results files go: .kayci/runs/<run>. */
  readonly runDir: string;
  readonly run: string;
  readonly values: ValueFromResolver;
  readonly onOutput: OutputListener;
  readonly now?: () => Date;
}

/** Starts the log of every attempt after the first; the failure tail shows the last attempt only. */
export const RETRY_MARK = 'retrying: attempt';

interface Running {
  readonly done: Promise<JobObservation>;
  readonly abort: AbortController;
  readonly log: string;
}

export class LocalBackend implements Backend {
  private readonly options: LocalBackendOptions;
  private readonly jobs = new Map<string, Running>();
  private readonly now: () => Date;

  constructor(options: LocalBackendOptions) {
    this.options = options;
    this.now = options.now ?? (() => new Date());
  }

  private runDirMade = false;

  async start(request: StartRequest): Promise<JobObservation> {
    if (!this.runDirMade) mkdirSync(this.options.runDir, { recursive: true });
    this.runDirMade = true;
    const startTime = this.now().toISOString();
    const abort = new AbortController();
    const log = path.join(this.options.runDir, `${request.job}.log`);
    const done = this.execute(request, abort, log, startTime);
    this.jobs.set(request.job, { done, abort, log });
    return { phase: 'Running', attempts: 1, jobName: request.object.metadata?.name, startTime };
  }

  wait(job: string): Promise<JobObservation> {
    const running = this.jobs.get(job);
    if (!running) return Promise.reject(new Error(`job ${job} was not started`));
    return running.done;
  }

  async logs(job: string): Promise<string> {
    const running = this.jobs.get(job);
    try {
      return running ? readFileSync(running.log, 'utf8') : '';
    } catch {
      return '';
    }
  }

  async cancel(job: string): Promise<void> {
    const running = this.jobs.get(job);
    if (!running) return;
    running.abort.abort('Cancelled');
    await running.done;
  }

  private async execute(request: StartRequest, abort: AbortController, logFile: string, startTime: string): Promise<JobObservation> {
    const job: IJob = request.object;
    const spec = job.spec!;
    const pod = spec.template.spec!;
    const containers: IContainer[] = [...(pod.initContainers ?? []), ...pod.containers];
    const maxAttempts = (spec.backoffLimit ?? 6) + 1;
    const log = new JobLog(logFile);
    const resultsFile = path.join(this.options.runDir, `${request.job}.results`);
    const emptyDirs = path.join(this.mountContext(request.job).runDir, 'volumes', request.job);
    const deadline = spec.activeDeadlineSeconds;
    const timer = deadline === undefined ? undefined : setTimeout(() => abort.abort('DeadlineExceeded'), deadline * 1000);
    const finish = (phase: 'Succeeded' | 'Failed', attempts: number, extra: Partial<JobObservation>): JobObservation => ({
      phase,
      attempts,
      jobName: job.metadata?.name,
      startTime,
      completionTime: this.now().toISOString(),
      ...extra,
    });
    try {
      let failure = '';
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        if (attempt > 1) this.line(request.job, log, `${RETRY_MARK} ${attempt} of ${maxAttempts}`, 'stderr');
        if (attempt > 1) {
          rmSync(resultsFile, { force: true });
          // Each attempt is a new pod, with new emptyDir volumes.
          rmSync(emptyDirs, { recursive: true, force: true });
        }
        failure = await this.attempt(request, pod.volumes, containers, resultsFile, abort.signal, log);
        if (abort.signal.aborted) {
          const reason = String(abort.signal.reason);
          const message = reason === 'DeadlineExceeded' ? `exceeded its timeout of ${deadline}s` : 'stopped';
          this.line(request.job, log, reason === 'DeadlineExceeded' ? `${message}: stopped` : 'stopped', 'stderr');
          return finish('Failed', attempt, { reason, message });
        }
        if (!failure) {
          const parsed = parseResults(readIfExists(resultsFile));
          if (parsed.error) return finish('Failed', attempt, { reason: 'BadResults', message: parsed.error });
          return finish('Succeeded', attempt, { results: parsed.results });
        }
      }
      // What the last attempt wrote is kept (a test report's path, say); unreadable results are not.
      const last = parseResults(readIfExists(resultsFile));
      return finish('Failed', maxAttempts, { reason: 'BackoffLimitExceeded', message: failure, results: last.error ? undefined : last.results });
    } finally {
      if (timer) clearTimeout(timer);
      rmSync(resultsFile, { force: true });
      // emptyDir volumes end with their pod: whatever the job kept there (credentials) goes too.
      rmSync(emptyDirs, { recursive: true, force: true });
      log.close();
    }
  }

  /** Runs every container of one attempt in order; returns why it failed, or '' on success. */
  private async attempt(request: StartRequest, volumes: IVolume[] | undefined, containers: IContainer[], resultsFile: string, signal: AbortSignal, log: JobLog): Promise<string> {
    for (const container of containers) {
      if (signal.aborted) return 'stopped';
      const env = containerEnv(request.runEnv, container, this.options.values);
      const mounts = containerMounts(volumes, container, this.mountContext(request.job));
      for (const m of mounts.slice(1)) mkdirSync(m.hostPath, { recursive: true });
      const split = { stdout: this.splitter(request.job, log, 'stdout'), stderr: this.splitter(request.job, log, 'stderr') };
      const exit = await this.options.executor.run({
        id: `${this.options.run}-${request.job}-${container.name}`,
        container,
        env,
        workspace: this.options.workspace,
        mounts,
        resultsFile,
        signal,
        onOutput: (chunk, stream) => split[stream].push(chunk),
      });
      split.stdout.end();
      split.stderr.end();
      if (exit.error) {
        this.line(request.job, log, `error: ${exit.error}`, 'stderr');
        return containers.length > 1 ? `step ${container.name}: ${exit.error}` : exit.error;
      }
      if (exit.code !== 0 && !signal.aborted) {
        const hint = exit.code === 127 ? ' (command not found: is the tool installed and on PATH?)' : '';
        const why = `${containers.length > 1 ? `step ${container.name} ` : ''}exited with code ${exit.code}${hint}`;
        this.line(request.job, log, why, 'stderr');
        return why;
      }
    }
    return '';
  }

  /** How this run's volumes map to directories here (also used to check a pipeline up front). */
  mountContext(job: string): MountContext {
    return {
      workspace: this.options.workspace,
      workspaceMount: this.options.mountPath,
      workspaceVolume: WORKSPACE_VOLUME,
      runDir: this.options.runDir,
      job,
      volumeRoot: this.options.volumeRoot ?? defaultVolumeRoot(),
    };
  }

  private splitter(job: string, log: JobLog, stream: 'stdout' | 'stderr'): LineSplitter {
    return new LineSplitter((line) => this.line(job, log, line, stream));
  }

  private line(job: string, log: JobLog, line: string, stream: 'stdout' | 'stderr'): void {
    log.write(`${line}\n`);
    this.options.onOutput(job, line, stream);
  }
}

/**
 * A job's log file, opened on first write (most trivial jobs print little) and written
 * synchronously: lines are small, and a file descriptor costs a fraction of a stream's setup.
 */
class JobLog {
  private fd: number | undefined;
  private readonly file: string;
  constructor(file: string) {
    this.file = file;
  }
  write(text: string): void {
    this.fd ??= openSync(this.file, 'w');
    writeSync(this.fd, text);
  }
  /** Closes it; a job that printed nothing still gets its (empty) log. */
  close(): void {
    closeSync(this.fd ?? openSync(this.file, 'w'));
    this.fd = undefined;
  }
}

function readIfExists(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw e;
  }
}
