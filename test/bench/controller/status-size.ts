// Section 4: the size of a Run's final status per DAG node, and of the whole Run (snapshot
// included) against etcd's default 1.5 MiB value limit. The status is what the planner writes:
// PlanEngine fed one observation per job as observeJob would make it (attempts, the Job's
// deterministic name, start and completion times from the API server, whole seconds, declared
// results), then runStatus() as the controller's last write.
import type { PipelineJob, PipelineSpec } from '../../../src/api/v1alpha1/pipeline.ts';
import type { Run, RunStatus } from '../../../src/api/v1alpha1/run.ts';
import type { JobObservation } from '../../../src/plan/engine.ts';
import { jobObjectName } from '../../../src/plan/names.ts';
import { plan } from '../../../src/plan/plan.ts';
import { jobTemplate, NS, pushMetadata } from './common.ts';

export const ETCD_LIMIT = 1.5 * 1024 * 1024;
const T0 = Date.parse('2026-03-02T09:14:07Z');
const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

const AREAS = ['api', 'auth', 'billing', 'catalog', 'checkout', 'gateway', 'inventory', 'ledger', 'notifier', 'orders', 'payments', 'search', 'storage', 'users'];
const KINDS = ['build', 'test', 'lint', 'vet', 'integration', 'image', 'scan'];

/** Names as a monorepo's generated matrix has them: `test-billing-07`, `integration-search-112`. */
export function jobName(i: number): string {
  return `${KINDS[i % KINDS.length]}-${AREAS[Math.floor(i / KINDS.length) % AREAS.length]}-${String(i).padStart(2, '0')}`;
}

/**
 * A Pipeline of `n` jobs in layers of up to 50, each needing one job of the layer before; every
 * 10th job declares results (a coverage figure, a report path), every `image` job a digest.
 * `template`: `typical` is a CI step's Job template (~600 B); `minimal` is image + command.
 */
export function wideSpec(n: number, template: 'typical' | 'minimal' = 'typical'): PipelineSpec {
  const jobs: PipelineJob[] = [];
  for (let i = 0; i < n; i++) {
    const name = jobName(i);
    const results = name.startsWith('image-') ? [{ name: 'digest' }] : i % 10 === 0 ? [{ name: 'coverage' }, { name: 'report' }] : undefined;
    const tpl = template === 'typical' ? jobTemplate(name) : ({ template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'golang:1.25', command: ['make', name] }] } } } as PipelineJob['template']);
    jobs.push({ name, ...(i >= 50 ? { needs: [jobName(i - 50)] } : {}), ...(results ? { results } : {}), template: tpl } as PipelineJob);
  }
  return { jobs } as PipelineSpec;
}

function resultValue(name: string, i: number): string {
  if (name === 'digest') return `sha256:${(BigInt(i + 7) * 0x9e3779b97f4a7c15n).toString(16).padStart(16, '0').repeat(4).slice(0, 64)}`;
  if (name === 'coverage') return `${60 + (i % 40)}.${i % 10}%`;
  return `.kayci/out/test/junit-${i}.xml`;
}

/** A finished Run of `spec`: every job succeeded (a few after a retry), as the controller writes it last. */
export function finishedRun(spec: PipelineSpec, runName: string, pipeline = 'svc'): Run & { status: RunStatus } {
  const run: Run = {
    apiVersion: 'kayci.dev/v1alpha1',
    kind: 'Run',
    metadata: { name: runName, namespace: NS, labels: { 'kayci.dev/pipeline': pipeline, 'kayci.dev/trigger': `${pipeline}-github` }, annotations: { 'kayci.dev/created-at': new Date(T0).toISOString() } },
    spec: { pipelineRef: { name: pipeline }, pipelineSpec: spec, metadata: pushMetadata(1) },
  };
  const observed: Record<string, JobObservation> = {};
  spec.jobs.forEach((job, i) => {
    const layer = Math.floor(i / 50);
    const start = T0 + 2_000 + layer * 95_000 + (i % 50) * 300;
    const results: Record<string, string> = {};
    for (const r of job.results ?? []) results[r.name] = resultValue(r.name, i);
    observed[job.name] = {
      phase: 'Succeeded',
      attempts: i % 37 === 5 ? 2 : 1,
      jobName: jobObjectName(runName, job.name),
      startTime: rfc3339(start),
      completionTime: rfc3339(start + 20_000 + (i % 7) * 9_000),
      ...(job.results ? { results } : {}),
    };
  });
  const last = Math.max(...Object.values(observed).map((o) => Date.parse(o.completionTime!)));
  const status = plan({ run, observed, now: rfc3339(last + 1_000) }).status;
  if (status.phase !== 'Succeeded' || status.jobs?.length !== spec.jobs.length) throw new Error(`unexpected final status: ${status.phase}, ${status.jobs?.length} jobs`);
  return { ...run, status };
}

export interface StatusSizeRow {
  readonly nodes: number;
  readonly statusBytes: number;
  /** Bytes of status.jobs per node (the run-level fields excluded). */
  readonly perNode: number;
  /** Bytes of each field (key, quotes and comma included) per node, largest first. */
  readonly fields: [string, number][];
  readonly snapshotBytes: { typical: number; minimal: number };
  readonly runBytes: { typical: number; minimal: number };
  /**
   * Estimate: bytes per node the API server adds to metadata.managedFields for the controller's
   * status writes (status.jobs is a list map keyed by name, so every entry and field is tracked).
   */
  readonly managedFieldsPerNode: number;
  /**
   * What-ifs, bytes per node: without `jobName` (derivable: jobObjectName(run, job); but readers
   * use it, e.g. test/cluster/runs.test.ts), and also without `attempts` when it is 1 (absent
   * would mean 1: a representation change). Neither is made.
   */
  readonly whatIf: { withoutJobName: number; alsoWithoutDefaultAttempts: number };
}

export function measureStatusSizes(sizes: readonly number[]): StatusSizeRow[] {
  return sizes.map((n) => {
    const runName = 'go-service-github-8f3a2c1d';
    const typical = finishedRun(wideSpec(n, 'typical'), runName);
    const minimal = finishedRun(wideSpec(n, 'minimal'), runName);
    const jobs = typical.status.jobs!;
    const jobsBytes = Buffer.byteLength(JSON.stringify(jobs));
    const fieldBytes = new Map<string, number>();
    for (const j of jobs) {
      const entries = Object.entries(j);
      for (const [k, v] of entries) fieldBytes.set(k, (fieldBytes.get(k) ?? 0) + Buffer.byteLength(`"${k}":${JSON.stringify(v)},`));
      fieldBytes.set('{} and separators', (fieldBytes.get('{} and separators') ?? 0) + 2);
    }
    return {
      nodes: n,
      statusBytes: Buffer.byteLength(JSON.stringify(typical.status)),
      perNode: jobsBytes / n,
      fields: [...fieldBytes].map(([k, b]) => [k, b / n] as [string, number]).sort((a, b) => b[1] - a[1]),
      snapshotBytes: { typical: Buffer.byteLength(JSON.stringify(typical.spec.pipelineSpec)), minimal: Buffer.byteLength(JSON.stringify(minimal.spec.pipelineSpec)) },
      runBytes: { typical: Buffer.byteLength(JSON.stringify(typical)), minimal: Buffer.byteLength(JSON.stringify(minimal)) },
      managedFieldsPerNode: Buffer.byteLength(JSON.stringify(statusFieldsV1(jobs))) / n,
      whatIf: {
        withoutJobName: Buffer.byteLength(JSON.stringify(jobs.map((j) => ({ ...j, jobName: undefined })))) / n,
        alsoWithoutDefaultAttempts: Buffer.byteLength(JSON.stringify(jobs.map((j) => ({ ...j, jobName: undefined, attempts: j.attempts === 1 ? undefined : j.attempts })))) / n,
      },
    };
  });
}

/** fieldsV1 of status.jobs as server-side field tracking records it (`k:{"name":…}` per entry). */
function statusFieldsV1(jobs: NonNullable<RunStatus['jobs']>): Record<string, unknown> {
  const out: Record<string, unknown> = { '.': {} };
  for (const j of jobs) {
    const fields: Record<string, unknown> = { '.': {} };
    for (const [k, v] of Object.entries(j)) {
      fields[`f:${k}`] = k === 'results' ? { '.': {}, ...Object.fromEntries(Object.keys(v as object).map((r) => [`f:${r}`, {}])) } : {};
    }
    out[`k:${JSON.stringify({ name: j.name })}`] = fields;
  }
  return out;
}

/**
 * The same statuses in the compact form proposed in the report: jobName dropped (it is
 * jobObjectName(run, job), deterministic), times as seconds after status.startTime, attempts
 * only when not 1, phase as one letter. Bytes per node, for comparison only: the API is unchanged.
 */
export function compactPerNode(n: number): number {
  const run = finishedRun(wideSpec(n, 'minimal'), 'go-service-github-8f3a2c1d');
  const base = Date.parse(run.status.startTime!);
  const jobs = run.status.jobs!.map((j) => {
    const out: Record<string, unknown> = { n: j.name, p: j.phase[0] };
    if (j.attempts !== undefined && j.attempts !== 1) out.a = j.attempts;
    if (j.startTime) out.s = (Date.parse(j.startTime) - base) / 1000;
    if (j.completionTime && j.startTime) out.d = (Date.parse(j.completionTime) - Date.parse(j.startTime)) / 1000;
    if (j.results) out.r = j.results;
    if (j.reason) out.why = j.reason;
    if (j.message) out.msg = j.message;
    return out;
  });
  return Buffer.byteLength(JSON.stringify(jobs)) / n;
}
