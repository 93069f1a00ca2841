// How big a Run gets: its snapshot of the Pipeline plus, once it ran, a status entry for every job
// it runs. The API server (etcd) stores at most MAX_OBJECT_BYTES per object, and a Run that cannot
// hold its status cannot run — so validation says so up front (for a Pipeline at synth time, for a
// Run before the controller starts it) instead of a status write failing halfway through. The
// same for the per-run ConfigMap, whose data (parameters and metadata) the API server caps at 1 MiB.
import type { FieldError } from '../../errors.ts';
import { metadataEnv, paramEnv } from '../env.ts';
import type { PipelineJob, PipelineSpec } from '../pipeline.ts';
import type { RunMetadata } from '../run.ts';
import { MAX_OBJECT_BYTES } from './object.ts';

/** The API server's limit on a ConfigMap's data, which holds a Run's run-wide variables. */
export const MAX_CONFIGMAP_BYTES = 1024 * 1024;
/** KAYCI_RUN, _PIPELINE and _NAMESPACE, at their longest. */
const FIXED_VARIABLES_BYTES = 1024;

const STAMP = '2006-01-02T15:04:05Z';
/** A Run's metadata (a long name, labels, annotations, owner) and the status fields besides `jobs`. */
const RUN_OVERHEAD_BYTES = 2048;

/**
 * The status entry of a job that succeeded: its name, a Job name at the 63-character limit, two
 * times, and each declared result holding 64 bytes (a digest). Results can be larger (4 KiB at
 * most), so this is what a Run typically needs, not a bound: the controller checks the real size
 * before every status write as well.
 */
export function jobStatusBytes(job: PipelineJob): number {
  const results = Object.fromEntries((Array.isArray(job.results) ? job.results : []).map((r) => [String(r?.name), 'x'.repeat(64)]));
  return Buffer.byteLength(JSON.stringify({ name: job.name, phase: 'Succeeded', attempts: 1, jobName: 'x'.repeat(63), startTime: STAMP, completionTime: STAMP, results })) + 1;
}

/** About how many bytes a Run of `spec` takes once its status lists every job it runs (`selected` and what they need; all when empty). */
export function projectedRunBytes(spec: PipelineSpec, selected?: readonly string[], params?: unknown): number {
  const jobs = Array.isArray(spec.jobs) ? spec.jobs.filter((j) => typeof j === 'object' && j !== null) : [];
  const run = selectedJobs(jobs, selected);
  const snapshot = Buffer.byteLength(JSON.stringify(spec)) + (params === undefined ? 0 : Buffer.byteLength(JSON.stringify(params)));
  return snapshot + RUN_OVERHEAD_BYTES + run.reduce((n, j) => n + jobStatusBytes(j), 0);
}

/** The size problem of a Run of `spec`, if its snapshot and status would not fit in one object. */
export function runSizeError(spec: PipelineSpec, path: string, selected?: readonly string[], params?: unknown): FieldError | undefined {
  const bytes = projectedRunBytes(spec, selected, params);
  if (bytes <= MAX_OBJECT_BYTES) return undefined;
  const jobs = selectedJobs(Array.isArray(spec.jobs) ? spec.jobs : [], selected).length;
  return {
    path,
    message: `Too large: a Run of this pipeline, with a status entry for each of its ${jobs} jobs, would take about ${bytes} bytes; the API server stores at most ${MAX_OBJECT_BYTES} bytes per object. Split the pipeline, run fewer jobs at once, or make the job templates smaller.`,
  };
}

/** The size problem of a Run's run-wide variables (parameters, defaults, metadata), which one ConfigMap must hold. */
export function runEnvSizeError(spec: PipelineSpec, path: string, params?: unknown, metadata?: RunMetadata): FieldError | undefined {
  const values = new Map<string, string>();
  for (const p of Array.isArray(spec.params) ? spec.params : []) if (typeof p?.default === 'string') values.set(String(p.name), p.default);
  for (const p of Array.isArray(params) ? (params as { name?: unknown; value?: unknown }[]) : []) if (typeof p?.value === 'string') values.set(String(p.name), p.value);
  let bytes = FIXED_VARIABLES_BYTES;
  for (const [name, value] of values) bytes += paramEnv(name).length + Buffer.byteLength(value);
  for (const [name, value] of Object.entries(metadataEnv(metadata))) bytes += name.length + Buffer.byteLength(value);
  if (bytes <= MAX_CONFIGMAP_BYTES) return undefined;
  return { path, message: `Too large: the Run's parameters and metadata take about ${bytes} bytes as variables; the per-run ConfigMap holds at most ${MAX_CONFIGMAP_BYTES}. Pass large values as files in the workspace.` };
}

function selectedJobs(jobs: readonly PipelineJob[], names: readonly string[] | undefined): PipelineJob[] {
  if (!names || names.length === 0) return [...jobs];
  const byName = new Map(jobs.map((j) => [j.name, j]));
  const keep = new Set<string>();
  const stack = [...names];
  while (stack.length > 0) {
    const name = stack.pop()!;
    const job = byName.get(name);
    if (keep.has(name) || !job) continue;
    keep.add(name);
    stack.push(...(Array.isArray(job.needs) ? job.needs : []));
  }
  return jobs.filter((j) => keep.has(j.name));
}
