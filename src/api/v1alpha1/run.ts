// The Run kind: one execution of a Pipeline. It holds a snapshot of the Pipeline's spec taken at
// creation, so later edits to the Pipeline never change a Run in flight.
import type { Condition, Int32, Int64, LocalObjectReference, NameValue, ObjectMeta, Time } from './meta.ts';
import type { PipelineSpec } from './pipeline.ts';

/** One execution of a Pipeline. Owned by its Pipeline; owns its Jobs and ConfigMap. */
export interface Run {
  apiVersion: 'kayci.dev/v1alpha1';
  kind: 'Run';
  metadata: ObjectMeta;
  spec: RunSpec;
  status?: RunStatus;
}

/** What to run. */
export interface RunSpec {
  /** The Pipeline this is a Run of, in the same namespace. */
  pipelineRef: LocalObjectReference;
  /**
   * Snapshot of the Pipeline's spec, copied by the controller when the Run is first seen (or
   * set by whoever creates the Run). The Run executes this, never the live Pipeline.
   */
  pipelineSpec?: PipelineSpec;
  /** Trigger metadata; jobs see it as the `KAYCI_*` variables. */
  metadata?: RunMetadata;
  /**
   * Parameter values; parameters not listed take the Pipeline's defaults.
   * @listMapKeys name
   * @maxItems 64
   */
  params?: NameValue[];
  /**
   * Run only these jobs and the jobs they need. All jobs when empty.
   * @maxItems 5000
   */
  jobs?: string[];
  /**
   * Set to true to cancel: running Jobs are deleted and the Run ends Cancelled.
   * @default false
   */
  cancel?: boolean;
  /**
   * While true, no Job is created: a pull request from an untrusted fork waits here for a
   * trusted `/ok-to-test`, which sets it to false for this Run (this commit) only.
   * @default false
   */
  hold?: boolean;
  /**
   * The code comes from someone not trusted (a fork): the Run's Jobs get no Secrets (no
   * `secretKeyRef` env, no Secret `envFrom`, no Secret volumes) and no service-account token.
   * @default false
   */
  untrusted?: boolean;
}

/**
 * What triggered the Run. Each field becomes one `KAYCI_*` variable; unset fields are omitted,
 * never set to an empty string. Values come from a fixed list of payload fields and are capped.
 */
export interface RunMetadata {
  /**
   * Name of the Trigger that created the Run (`KAYCI_TRIGGER`).
   * @maxLength 253
   */
  trigger?: string;
  /**
   * Source of the event (`KAYCI_PROVIDER`).
   */
  provider?: 'github' | 'gitlab' | 'generic' | 'schedule' | 'manual' | 'local';
  /**
   * Kind of event (`KAYCI_EVENT`): `push`, `tag`, `pull_request`, `comment`, `schedule`, `manual`.
   * @maxLength 64
   */
  event?: string;
  /**
   * Clone URL of the repository (`KAYCI_REPO_URL`).
   * @maxLength 2048
   */
  repoUrl?: string;
  /**
   * Repository path, e.g. `acme/service` (`KAYCI_REPO`).
   * @maxLength 512
   */
  repo?: string;
  /**
   * Full commit SHA to build (`KAYCI_COMMIT_SHA`).
   * @pattern ^[0-9a-f]{7,64}$
   */
  commitSha?: string;
  /**
   * Full Git ref, e.g. `refs/heads/main` (`KAYCI_REF`).
   * @maxLength 1024
   */
  ref?: string;
  /**
   * Branch name (`KAYCI_BRANCH`); for pull requests the head branch.
   * @maxLength 1024
   */
  branch?: string;
  /**
   * Tag name for tag events (`KAYCI_TAG`).
   * @maxLength 1024
   */
  tag?: string;
  /**
   * Pull or merge request number (`KAYCI_PR_NUMBER`).
   * @pattern ^[0-9]{1,12}$
   */
  prNumber?: string;
  /**
   * Base branch of the pull request (`KAYCI_PR_BASE_REF`).
   * @maxLength 1024
   */
  prBaseRef?: string;
  /**
   * Who caused the event (`KAYCI_ACTOR`).
   * @maxLength 256
   */
  actor?: string;
  /**
   * Files changed by the event, for `when.paths` filters. Not exported as a variable.
   * @maxItems 3000
   */
  changedFiles?: string[];
}

/** Phase of a Run. Only moves forward: Pending → Running → Succeeded | Failed | Cancelled. */
export type RunPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Cancelled';

/** Phase of one job of a Run. */
export type JobPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Skipped' | 'Cancelled';

/** What the controller observed of a Run. */
export interface RunStatus {
  /** Where the Run is in its life. */
  phase?: RunPhase;
  /** The `metadata.generation` this status describes. */
  observedGeneration?: Int64;
  /** When the first job started. */
  startTime?: Time;
  /** When the Run reached a final phase. */
  completionTime?: Time;
  /** Why the Run is in its phase, in CamelCase. */
  reason?: string;
  /** Details for people. */
  message?: string;
  /**
   * Status of each job that has left Pending.
   * @listMapKeys name
   */
  jobs?: JobStatus[];
  /**
   * @listMapKeys type
   */
  conditions?: Condition[];
}

/** What the controller observed of one job. Kept small: a Run may hold thousands. */
export interface JobStatus {
  /** Name of the job in the Pipeline. */
  name: string;
  /** Where the job is in its life. */
  phase: JobPhase;
  /** Attempts started so far, counting retries; disruptions do not count. */
  attempts?: Int32;
  /** Name of the Kubernetes Job that executes it. */
  jobName?: string;
  /** When the job started. */
  startTime?: Time;
  /** When the job finished. */
  completionTime?: Time;
  /** Results the job wrote, by name. */
  results?: Record<string, string>;
  /** Why the job is in its phase, in CamelCase, e.g. `BackoffLimitExceeded`, `NeedsFailed`. */
  reason?: string;
  /** Details for people, e.g. the tail of a failure message. */
  message?: string;
}

