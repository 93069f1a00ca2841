// validatePipeline: every error in a Pipeline, each with its field path — including whether its
// Runs could hold a status for every job, and their per-run ConfigMaps the parameter defaults. Synth, the controller and admission call this one
// function (and validatePipelineSpec for a Run's snapshot).
import { DEFAULT_WORKSPACE_MOUNT, ENV_PREFIX, JOB_ENV, METADATA_ENV, RUN_ENV, WORKSPACE_VOLUME, paramEnv, resultEnv } from '../env.ts';
import { findCycles } from '../dag.ts';
import { templateRefs } from '../refs.ts';
import { fieldPath, type FieldError } from '../../errors.ts';
import { closest } from '../../suggest.ts';
import { isObject, MAX_OBJECT_BYTES, validateObject } from './object.ts';
import { runEnvSizeError, runSizeError } from './size.ts';
import { validateJobTemplate } from './job-template.ts';
import { PIPELINE_SCHEMA } from './schemas.ts';
import type { PipelineJob, PipelineSpec } from '../pipeline.ts';

const FIXED_VARIABLES = new Set<string>([
  ...Object.values(METADATA_ENV),
  ...Object.values(RUN_ENV),
  ...Object.values(JOB_ENV),
]);

export function validatePipeline(obj: unknown): FieldError[] {
  const errors = validateObject('Pipeline', PIPELINE_SCHEMA, obj, 'label');
  if (isObject(obj) && isObject(obj.spec)) {
    errors.push(...validatePipelineSpec(obj.spec as unknown as PipelineSpec, 'spec'));
    // A Pipeline that fits may still make Runs that do not: the snapshot plus a status per job.
    if (Buffer.byteLength(JSON.stringify(obj)) <= MAX_OBJECT_BYTES) {
      const tooLarge = runSizeError(obj.spec as unknown as PipelineSpec, 'spec.jobs');
      if (tooLarge) errors.push(tooLarge);
    }
    // Parameter defaults become run-wide variables, which one ConfigMap must hold.
    const envTooLarge = runEnvSizeError(obj.spec as unknown as PipelineSpec, 'spec.params');
    if (envTooLarge) errors.push(envTooLarge);
  }
  return errors;
}

/**
 * The rules a schema cannot express: unique names across jobs and notify jobs, needs that
 * exist, no cycles, variable names that do not collide, references to declared parameters and
 * results, and Job templates Kubernetes accepts. Tolerates any shape: the schema reports those.
 */
export function validatePipelineSpec(spec: PipelineSpec, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const jobs = (Array.isArray(spec.jobs) ? spec.jobs : []).filter(isObject) as unknown as PipelineJob[];
  const jobsPath = fieldPath(path, 'jobs');
  const byName = new Map<string, number>();
  jobs.forEach((job, i) => {
    if (typeof job.name === 'string' && !byName.has(job.name)) byName.set(job.name, i);
  });

  errors.push(...notifyNameErrors(spec, byName, path));
  errors.push(...needsErrors(jobs, byName, jobsPath));
  errors.push(...collisionErrors(spec, jobs, path));
  errors.push(...referenceErrors(spec, jobs, byName, jobsPath));
  jobs.forEach((job, i) => errors.push(...validateJobTemplate(job.template, fieldPath(fieldPath(jobsPath, i), 'template'))));
  const notify = Array.isArray(spec.notify) ? spec.notify : [];
  notify.forEach((n, i) => {
    if (isObject(n)) errors.push(...validateJobTemplate(n.template, fieldPath(fieldPath(fieldPath(path, 'notify'), i), 'template')));
  });
  if (isObject(spec.workspace)) {
    const mountPath = typeof spec.workspace.mountPath === 'string' ? spec.workspace.mountPath : DEFAULT_WORKSPACE_MOUNT;
    jobs.forEach((job, i) => errors.push(...workspaceErrors(job.template, mountPath, fieldPath(fieldPath(jobsPath, i), 'template'))));
    notify.forEach((n, i) => {
      if (isObject(n)) errors.push(...workspaceErrors(n.template, mountPath, fieldPath(fieldPath(fieldPath(path, 'notify'), i), 'template')));
    });
  }
  return errors;
}

/** kayci adds the workspace volume and mounts it in every container: a template must leave both free. */
function workspaceErrors(template: unknown, mountPath: string, path: string): FieldError[] {
  const pod = isObject(template) && isObject(template.template) && isObject(template.template.spec) ? template.template.spec : undefined;
  if (!pod) return [];
  const errors: FieldError[] = [];
  const podPath = `${path}.template.spec`;
  (Array.isArray(pod.volumes) ? pod.volumes : []).forEach((v: unknown, i) => {
    if (isObject(v) && v.name === WORKSPACE_VOLUME) {
      errors.push({ path: `${podPath}.volumes[${i}].name`, message: `Forbidden: ${JSON.stringify(WORKSPACE_VOLUME)} is the volume kayci adds for spec.workspace; rename this one` });
    }
  });
  const strip = (p: string) => p.replace(/\/+$/, '') || '/';
  for (const field of ['initContainers', 'containers'] as const) {
    (Array.isArray(pod[field]) ? pod[field] : []).forEach((c: unknown, i) => {
      const mounts = isObject(c) && Array.isArray(c.volumeMounts) ? c.volumeMounts : [];
      mounts.forEach((m: unknown, j) => {
        if (isObject(m) && typeof m.mountPath === 'string' && strip(m.mountPath) === strip(mountPath)) {
          errors.push({ path: `${podPath}.${field}[${i}].volumeMounts[${j}].mountPath`, message: `Invalid value: ${JSON.stringify(m.mountPath)} is where kayci mounts the workspace (spec.workspace.mountPath); mount this volume elsewhere` });
        }
      });
    });
  }
  return errors;
}

function notifyNameErrors(spec: PipelineSpec, jobs: Map<string, number>, path: string): FieldError[] {
  const notify = Array.isArray(spec.notify) ? spec.notify : [];
  const errors: FieldError[] = [];
  notify.forEach((n, i) => {
    if (isObject(n) && typeof n.name === 'string' && jobs.has(n.name)) {
      errors.push({ path: fieldPath(fieldPath(fieldPath(path, 'notify'), i), 'name'), message: `Duplicate value: ${JSON.stringify(n.name)} is also a job name; notify jobs and jobs share one namespace of names` });
    }
  });
  return errors;
}

function needsErrors(jobs: PipelineJob[], byName: Map<string, number>, jobsPath: string): FieldError[] {
  const errors: FieldError[] = [];
  const names = [...byName.keys()];
  jobs.forEach((job, i) => {
    if (!Array.isArray(job.needs)) return;
    const seen = new Set<string>();
    job.needs.forEach((need, j) => {
      if (typeof need !== 'string') return;
      const at = fieldPath(fieldPath(fieldPath(jobsPath, i), 'needs'), j);
      if (need === job.name) {
        errors.push({ path: at, message: `Invalid value: job ${JSON.stringify(need)} needs itself; remove it from its own needs` });
      } else if (!byName.has(need)) {
        const hint = closest(need, names);
        errors.push({ path: at, message: `Not found: no job named ${JSON.stringify(need)}${hint ? `; did you mean ${JSON.stringify(hint)}?` : ''}` });
      } else if (seen.has(need)) {
        errors.push({ path: at, message: `Duplicate value: ${JSON.stringify(need)} is already needed` });
      }
      seen.add(need);
    });
  });
  const valid = jobs.filter((j) => typeof j.name === 'string').map((j) => ({ name: j.name, needs: Array.isArray(j.needs) ? j.needs.filter((n) => n !== j.name) : [] }));
  for (const cycle of findCycles(valid)) {
    const first = byName.get(cycle[0]!)!;
    errors.push({ path: fieldPath(fieldPath(jobsPath, first), 'needs'), message: `Invalid value: cycle ${cycle.join(' → ')}; a job cannot (indirectly) need itself` });
  }
  return errors;
}

/** Distinct names that map to the same variable (`a-b` and `a_b`, or job `a-b`+result `c` and job `a`+result `b-c`). */
function collisionErrors(spec: PipelineSpec, jobs: PipelineJob[], path: string): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Map<string, { at: string; what: string }>();
  const claim = (variable: string, at: string, what: string) => {
    const first = seen.get(variable);
    if (first && first.what !== what) {
      errors.push({ path: at, message: `Invalid value: ${what} and ${first.what} (at ${first.at}) both become ${variable}; rename one` });
    } else if (!first) {
      seen.set(variable, { at, what });
    }
  };
  const params = Array.isArray(spec.params) ? spec.params : [];
  params.forEach((p, i) => {
    if (isObject(p) && typeof p.name === 'string') claim(paramEnv(p.name), fieldPath(fieldPath(fieldPath(path, 'params'), i), 'name'), `parameter ${JSON.stringify(p.name)}`);
  });
  jobs.forEach((job, i) => {
    if (typeof job.name !== 'string' || !Array.isArray(job.results)) return;
    job.results.forEach((r, j) => {
      if (!isObject(r) || typeof r.name !== 'string') return;
      const at = fieldPath(fieldPath(fieldPath(fieldPath(fieldPath(path, 'jobs'), i), 'results'), j), 'name');
      claim(resultEnv(job.name, r.name), at, `result ${JSON.stringify(`${job.name}.${r.name}`)}`);
    });
  });
  return errors;
}

/** `$(KAYCI_…)` references must name a fixed variable, a declared parameter, or a declared result of a needed job. */
function referenceErrors(spec: PipelineSpec, jobs: PipelineJob[], byName: Map<string, number>, jobsPath: string): FieldError[] {
  const errors: FieldError[] = [];
  const params = new Set((Array.isArray(spec.params) ? spec.params : []).filter(isObject).map((p) => paramEnv(String(p.name))));
  const results = new Map<string, { job: string; result: string }>();
  for (const job of jobs) {
    for (const r of Array.isArray(job.results) ? job.results : []) {
      if (isObject(r) && typeof r.name === 'string' && typeof job.name === 'string') results.set(resultEnv(job.name, r.name), { job: job.name, result: r.name });
    }
  }
  const jobPrefixes = [...byName.keys()].map((name) => ({ name, prefix: resultEnv(name, '') })).sort((a, b) => b.prefix.length - a.prefix.length);
  jobs.forEach((job, i) => {
    if (!isObject(job.template)) return;
    const needs = new Set(Array.isArray(job.needs) ? job.needs : []);
    for (const ref of templateRefs(job.template)) {
      const v = ref.variable;
      if (!v.startsWith(ENV_PREFIX) || FIXED_VARIABLES.has(v)) continue;
      const at = fieldPath(fieldPath(fieldPath(jobsPath, i), 'template'), ref.path);
      if (v.startsWith(`${ENV_PREFIX}PARAM_`)) {
        if (!params.has(v)) errors.push({ path: at, message: `Not found: $(${v}) refers to no parameter; declare it in spec.params` });
        continue;
      }
      if (v.startsWith(`${ENV_PREFIX}RESULT_`)) {
        const result = results.get(v);
        if (!result) {
          const owner = jobPrefixes.find((j) => v.startsWith(j.prefix));
          const fix = owner ? `job ${JSON.stringify(owner.name)} declares no such result; add it to its results` : 'no job declares it';
          errors.push({ path: at, message: `Not found: $(${v}): ${fix}` });
        } else if (!needs.has(result.job)) {
          errors.push({ path: at, message: `Invalid value: $(${v}) is a result of ${JSON.stringify(result.job)}, which this job does not need; add it to needs` });
        }
        continue;
      }
      errors.push({ path: at, message: `Not found: $(${v}) is not a kayci variable (see the environment contract in the README)` });
    }
  });
  return errors;
}
