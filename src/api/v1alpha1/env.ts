// The environment contract shared by the controller and the local runner (DESIGN.md): which
// KAYCI_* variable carries which Run field, and how job, result and parameter names become
// variable names. Pure functions; both backends call these, so the contract cannot drift.
import type { RunMetadata } from './run.ts';

/** Variable name for each exported metadata field. `changedFiles` is not exported. */
export const METADATA_ENV = {
  trigger: 'KAYCI_TRIGGER',
  provider: 'KAYCI_PROVIDER',
  event: 'KAYCI_EVENT',
  repoUrl: 'KAYCI_REPO_URL',
  repo: 'KAYCI_REPO',
  commitSha: 'KAYCI_COMMIT_SHA',
  ref: 'KAYCI_REF',
  branch: 'KAYCI_BRANCH',
  tag: 'KAYCI_TAG',
  prNumber: 'KAYCI_PR_NUMBER',
  prBaseRef: 'KAYCI_PR_BASE_REF',
  actor: 'KAYCI_ACTOR',
} as const satisfies Record<Exclude<keyof RunMetadata, 'changedFiles'>, string>;

/** Variables fixed for a whole Run besides the metadata. */
export const RUN_ENV = {
  run: 'KAYCI_RUN',
  pipeline: 'KAYCI_PIPELINE',
  namespace: 'KAYCI_NAMESPACE',
} as const;

/** Variables set per job when it starts. */
export const JOB_ENV = {
  job: 'KAYCI_JOB',
  resultsFile: 'KAYCI_RESULTS_FILE',
} as const;

/**
 * Pod template annotation naming the tools a job's scripts call, as JSON `{ "tool": "how to
 * install it" }`. The host executor checks them on PATH before a local run starts; images
 * carry them in the cluster.
 */
export const TOOLS_ANNOTATION = 'kayci.dev/tools';

/** The pod volume (and mount) kayci adds for a Pipeline's `workspace`; templates must not use the name. */
export const WORKSPACE_VOLUME = 'kayci-workspace';
/** Where the workspace is mounted unless the Pipeline says otherwise. */
export const DEFAULT_WORKSPACE_MOUNT = '/workspace';

/** Every variable name kayci may set starts with this; user env must not. */
export const ENV_PREFIX = 'KAYCI_';

/** Most bytes a job may write to its results file (the termination message limit). */
export const RESULTS_MAX_BYTES = 4096;

/** `build-image` → `BUILD_IMAGE`: how names become parts of variable names. */
export function envPart(name: string): string {
  return name.toUpperCase().replace(/-/g, '_');
}

/** `KAYCI_PARAM_<NAME>` */
export function paramEnv(param: string): string {
  return `${ENV_PREFIX}PARAM_${envPart(param)}`;
}

/** `KAYCI_RESULT_<JOB>_<NAME>` */
export function resultEnv(job: string, result: string): string {
  return `${ENV_PREFIX}RESULT_${envPart(job)}_${envPart(result)}`;
}

/** `$(NAME)`: the Kubernetes syntax for referring to a variable in command, args and env values. */
export function envRef(variable: string): string {
  return `$(${variable})`;
}

/** Run-wide metadata variables, with unset and empty fields omitted. */
export function metadataEnv(metadata: RunMetadata | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  if (!metadata) return env;
  for (const [field, variable] of Object.entries(METADATA_ENV)) {
    const value = metadata[field as keyof typeof METADATA_ENV];
    if (value !== undefined && value !== '') env[variable] = value;
  }
  return env;
}
