// validateRun: every error in a Run, each with its field path, including its Pipeline snapshot,
// whether the Run can hold a status for every job it runs, and whether its per-run ConfigMap fits.
import type { FieldError } from '../../errors.ts';
import { closest } from '../../suggest.ts';
import type { PipelineSpec } from '../pipeline.ts';
import { isObject, MAX_OBJECT_BYTES, validateObject } from './object.ts';
import { validatePipelineSpec } from './pipeline.ts';
import { RUN_SCHEMA } from './schemas.ts';
import { runEnvSizeError, runSizeError } from './size.ts';

export function validateRun(obj: unknown): FieldError[] {
  const errors = validateObject('Run', RUN_SCHEMA, obj, 'subdomain');
  const spec = isObject(obj) && isObject(obj.spec) ? obj.spec : undefined;
  if (!spec || !isObject(spec.pipelineSpec)) return errors;
  errors.push(...validatePipelineSpec(spec.pipelineSpec as unknown as PipelineSpec, 'spec.pipelineSpec'));
  errors.push(...validateRunInputs(spec));
  // A Run that fits now may not once its status lists every job (validateObject reports one that does not fit at all).
  if (Buffer.byteLength(JSON.stringify(obj)) <= MAX_OBJECT_BYTES) {
    const tooLarge = runSizeError(spec.pipelineSpec as unknown as PipelineSpec, 'spec.pipelineSpec', stringList(spec.jobs), spec.params);
    if (tooLarge) errors.push(tooLarge);
  }
  const envTooLarge = runEnvSizeError(spec.pipelineSpec as unknown as PipelineSpec, 'spec.params', spec.params, isObject(spec.metadata) ? spec.metadata : undefined);
  if (envTooLarge) errors.push(envTooLarge);
  return errors;
}

function stringList(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

/**
 * What a Run asks of its snapshot: parameters it declares (and every required one), jobs it
 * has. For callers that validated the snapshot already, such as `kayci run`.
 */
export function validateRunInputs(spec: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  if (!isObject(spec.pipelineSpec)) return errors;
  const snapshot = spec.pipelineSpec as unknown as PipelineSpec;
  const declared = (Array.isArray(snapshot.params) ? snapshot.params : []).filter(isObject);
  const names = declared.map((p) => String(p.name));
  const given = (Array.isArray(spec.params) ? spec.params : []).filter(isObject);
  given.forEach((p, i) => {
    if (typeof p.name === 'string' && !names.includes(p.name)) {
      const hint = closest(p.name, names);
      const known = names.length > 0 ? `parameters: ${names.join(', ')}` : 'it declares none';
      errors.push({ path: `spec.params[${i}].name`, message: `Not found: the pipeline has no parameter ${JSON.stringify(p.name)}${hint ? `; did you mean ${JSON.stringify(hint)}?` : ''} (${known})` });
    }
  });
  for (const p of declared) {
    if (p.default === undefined && !given.some((g) => g.name === p.name)) {
      errors.push({ path: 'spec.params', message: `Required value: parameter ${JSON.stringify(p.name)} has no default; set it` });
    }
  }
  const jobNames = (Array.isArray(snapshot.jobs) ? snapshot.jobs : []).filter(isObject).map((j) => String(j.name));
  (Array.isArray(spec.jobs) ? spec.jobs : []).forEach((name, i) => {
    if (typeof name === 'string' && !jobNames.includes(name)) {
      const hint = closest(name, jobNames);
      errors.push({ path: `spec.jobs[${i}]`, message: `Not found: the pipeline has no job ${JSON.stringify(name)}${hint ? `; did you mean ${JSON.stringify(hint)}?` : ''}` });
    }
  });
  return errors;
}
