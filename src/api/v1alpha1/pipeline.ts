// The Pipeline kind: a named DAG of jobs, each a batch/v1 JobSpec plus needs, conditions,
// retries, timeout and declared results. See meta.ts for the schema tag conventions.
import type { IJobSpec } from 'kubernetes-models/batch/v1/JobSpec';
import type { Condition, Int32, Int64, ObjectMeta, Time } from './meta.ts';

/**
 * A CI pipeline: a DAG of jobs that a Run executes. Jobs may only create Kubernetes Jobs in
 * the Pipeline's own namespace.
 */
export interface Pipeline {
  apiVersion: 'kayci.dev/v1alpha1';
  kind: 'Pipeline';
  metadata: ObjectMeta;
  spec: PipelineSpec;
  status?: PipelineStatus;
}

/** What a Pipeline runs and how. */
export interface PipelineSpec {
  /**
   * Parameters a Run may set. Jobs see each as `KAYCI_PARAM_<NAME>` (upper case, `-` as `_`).
   * @listMapKeys name
   * @maxItems 64
   */
  params?: ParamSpec[];
  /**
   * The jobs of the DAG. Order carries no meaning: `needs` alone orders jobs.
   * @listMapKeys name
   * @minItems 1
   * @maxItems 5000
   */
  jobs: PipelineJob[];
  /** Limits on Runs of this Pipeline that execute at the same time. */
  concurrency?: Concurrency;
  /** How many finished Runs to keep, and for how long. */
  retention?: Retention;
  /** An optional volume shared by every job of a Run, claimed per Run and deleted with it. */
  workspace?: Workspace;
  /**
   * Jobs run when a Run's phase changes, e.g. to post a chat message on failure. They do not
   * count towards the Run's phase.
   * @listMapKeys name
   * @maxItems 16
   */
  notify?: NotifyJob[];
}

/** A parameter of a Pipeline. */
export interface ParamSpec {
  /**
   * Name of the parameter; jobs read it as `KAYCI_PARAM_<NAME>`.
   * @maxLength 63
   * @pattern ^[a-zA-Z][a-zA-Z0-9_-]*$
   */
  name: string;
  /** Value used when a Run does not set the parameter. Without a default, the parameter is required. */
  default?: string;
  /** What the parameter means, for people reading the Pipeline. */
  description?: string;
}

/** One node of the DAG; executes as one Kubernetes Job. */
export interface PipelineJob {
  /**
   * Name of the job, unique in the Pipeline; a DNS label.
   * @maxLength 63
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
   */
  name: string;
  /**
   * Jobs that must finish before this one starts.
   * @maxItems 256
   */
  needs?: string[];
  /** When the job runs; by default when every job it needs succeeded. */
  when?: When;
  /**
   * How many times a failed job is retried. Pod disruptions (drains, evictions, preemption) are
   * retried without spending retries.
   * @default 0
   * @minimum 0
   * @maximum 10
   */
  retries?: Int32;
  /**
   * Seconds the job may run, retries included, before it fails with reason `DeadlineExceeded`.
   * @minimum 1
   */
  timeoutSeconds?: Int64;
  /**
   * Results the job writes to `$KAYCI_RESULTS_FILE` as `name=value` lines (4 KiB in all).
   * Jobs that need this one read them as `KAYCI_RESULT_<JOB>_<NAME>`.
   * @listMapKeys name
   * @maxItems 32
   */
  results?: ResultSpec[];
  /**
   * The batch/v1 JobSpec the job executes; kayci adds its labels, env, owner and failure policy.
   * Validated against the Kubernetes schema by kayci, preserved as is by the API server.
   */
  template: JobTemplate;
}

/**
 * A batch/v1 JobSpec. Embedded without a schema so the CRD stays small; kayci validates it
 * against the Kubernetes schema when synthesizing and when admitting a Run.
 * @preserveUnknownFields
 */
export type JobTemplate = IJobSpec;

/** Conditions under which a job runs. All that are set must hold. */
export interface When {
  /**
   * `success`: every needed job succeeded. `failure`: at least one needed job failed.
   * `always`: once the needed jobs finished, whatever their outcome. A `failure` or `always`
   * job without needs is a finally job: it waits for every other job (except those that need a
   * finally job, which run after it) and looks at all of them.
   * @default "success"
   */
  status?: 'success' | 'failure' | 'always';
  /**
   * Glob patterns (`*` within a segment, `**` across) the Run's branch must match.
   * @maxItems 64
   */
  branches?: string[];
  /**
   * Events the Run must come from, e.g. `push`, `pull_request`, `tag`, `schedule`, `manual`.
   * @maxItems 16
   */
  events?: string[];
  /**
   * Glob patterns at least one changed file must match. Runs without a list of changed files
   * (manual, schedule) are not filtered.
   * @maxItems 64
   */
  paths?: string[];
}

/** A result a job declares. */
export interface ResultSpec {
  /**
   * Name of the result; readers see it as `KAYCI_RESULT_<JOB>_<NAME>`.
   * @maxLength 63
   * @pattern ^[a-zA-Z][a-zA-Z0-9_-]*$
   */
  name: string;
  /** What the result holds. */
  description?: string;
}

/** Limits on concurrent Runs. */
export interface Concurrency {
  /**
   * Runs with the same group share the limits below. May use `$(KAYCI_BRANCH)` and the other
   * run-wide variables, e.g. `deploy-$(KAYCI_BRANCH)`.
   * @default "$(KAYCI_PIPELINE)"
   * @maxLength 253
   */
  group?: string;
  /**
   * Cancel a running Run of the group when a new one is created.
   * @default false
   */
  cancelInProgress?: boolean;
  /**
   * Runs of the group that may execute at once; the others wait in creation order.
   * @minimum 1
   */
  max?: Int32;
}

/** How long finished Runs are kept. */
export interface Retention {
  /**
   * Succeeded Runs to keep; older ones are deleted with their Jobs.
   * @default 10
   * @minimum 0
   */
  succeeded?: Int32;
  /**
   * Failed or cancelled Runs to keep.
   * @default 20
   * @minimum 0
   */
  failed?: Int32;
  /**
   * Delete any finished Run this many seconds after it finished.
   * @minimum 0
   */
  ttlSecondsAfterFinished?: Int64;
}

/** A volume claimed for each Run and mounted into every job. */
export interface Workspace {
  /**
   * Requested size, a Kubernetes quantity such as `1Gi`.
   * @pattern ^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$
   */
  size: string;
  /** StorageClass of the claim; the cluster default when unset. */
  storageClassName?: string;
  /**
   * Access mode of the claim. `ReadWriteMany` lets jobs on different nodes run at the same time.
   * @default "ReadWriteOnce"
   */
  accessMode?: 'ReadWriteOnce' | 'ReadWriteMany' | 'ReadWriteOncePod';
  /**
   * Where the volume is mounted in every container; also the containers' working directory.
   * @default "/workspace"
   * @pattern ^/
   */
  mountPath?: string;
}

/** A job run when a Run enters one of the given phases. */
export interface NotifyJob {
  /**
   * Name of the notify job, unique among jobs and notify jobs.
   * @maxLength 63
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
   */
  name: string;
  /**
   * Run phases that start this job.
   * @minItems 1
   */
  on: ('Running' | 'Succeeded' | 'Failed' | 'Cancelled')[];
  /** The batch/v1 JobSpec to run. */
  template: JobTemplate;
}

/** What the controller last observed of a Pipeline. */
export interface PipelineStatus {
  /** The `metadata.generation` this status describes. */
  observedGeneration?: Int64;
  /** The most recently created Run. */
  lastRun?: {
    /** Name of the Run. */
    name: string;
    /** Phase of the Run. */
    phase?: string;
    /** When the Run was created. */
    creationTime?: Time;
  };
  /**
   * @listMapKeys type
   */
  conditions?: Condition[];
}
