// The environment contract as data: the run-wide variables (the per-run ConfigMap in the
// cluster, set directly locally) and the per-job ones.
import { JOB_ENV, RESULTS_MAX_BYTES, RUN_ENV, metadataEnv, paramEnv, resultEnv } from '../api/v1alpha1/env.ts';
import type { PlanEngine } from './engine.ts';
import type { RunSnapshot } from './snapshot.ts';

/** Where a container writes its results in the cluster: its termination message file. */
export const TERMINATION_MESSAGE_PATH = '/dev/termination-log';

/** KAYCI_RUN, _PIPELINE, _NAMESPACE, the metadata, and KAYCI_PARAM_* for every parameter. */
export function runEnv(snapshot: RunSnapshot): Record<string, string> {
  const env: Record<string, string> = {
    [RUN_ENV.run]: snapshot.run,
    [RUN_ENV.pipeline]: snapshot.pipeline,
    [RUN_ENV.namespace]: snapshot.namespace,
    ...metadataEnv(snapshot.metadata),
  };
  for (const [name, value] of Object.entries(snapshot.params)) env[paramEnv(name)] = value;
  return env;
}

/** KAYCI_JOB, the results of the jobs it needs, and KAYCI_RESULTS_FILE. */
export function jobEnv(engine: PlanEngine, job: string, resultsFile = TERMINATION_MESSAGE_PATH): { name: string; value: string }[] {
  return [
    { name: JOB_ENV.job, value: job },
    ...engine.resultsFor(job).map((r) => ({ name: resultEnv(r.job, r.result), value: r.value })),
    { name: JOB_ENV.resultsFile, value: resultsFile },
  ];
}

const RESULT_NAME = /^[a-zA-Z][a-zA-Z0-9_-]*$/;

export interface ParsedResults {
  readonly results: Record<string, string>;
  /** Problems worth failing the job for, e.g. the file is over the size limit. */
  readonly error?: string;
}

/** Parses `name=value` lines; blank lines and `#` comments are ignored, the last value wins. */
export function parseResults(text: string): ParsedResults {
  const results: Record<string, string> = {};
  if (Buffer.byteLength(text) > RESULTS_MAX_BYTES) {
    return { results, error: `results are ${Buffer.byteLength(text)} bytes; at most ${RESULTS_MAX_BYTES} fit (write large values to the workspace and pass a path)` };
  }
  for (const line of text.split('\n')) {
    const trimmed = line.replace(/\r$/, '');
    if (trimmed.trim() === '' || trimmed.trimStart().startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    const name = eq > 0 ? trimmed.slice(0, eq).trim() : '';
    if (!RESULT_NAME.test(name)) return { results, error: `results line ${JSON.stringify(trimmed.slice(0, 80))} is not name=value with a result name` };
    results[name] = trimmed.slice(eq + 1);
  }
  return { results };
}
