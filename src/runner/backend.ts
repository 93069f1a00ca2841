// The Backend interface: where planned jobs execute. The controller's backend creates Kubernetes
// Jobs; the local backend runs the same rendered Jobs as processes or containers. Both report
// JobObservations to the same planner.
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { JobObservation } from '../plan/engine.ts';

export interface StartRequest {
  /** Name of the job in the pipeline. */
  readonly job: string;
  /** The batch/v1 Job the planner rendered. */
  readonly object: IJob;
  /** The run-wide variables (the per-run ConfigMap's data). */
  readonly runEnv: Readonly<Record<string, string>>;
}

export interface Backend {
  /** Starts a job; resolves once it is running, with the first observation. */
  start(request: StartRequest): Promise<JobObservation>;
  /** Resolves with the final observation of a started job. */
  wait(job: string): Promise<JobObservation>;
  /** The job's output so far, every attempt and container. */
  logs(job: string): Promise<string>;
  /** Stops a running job and everything it started; resolves when it has stopped. */
  cancel(job: string): Promise<void>;
}

/** Output callback: one complete line of a job's output. */
export type OutputListener = (job: string, line: string, stream: 'stdout' | 'stderr') => void;
