// Validates a job's batch/v1 JobSpec: first against the Kubernetes schema (kubernetes-models'
// compiled validators), then against the rules the API server or the Job controller enforce for
// the Job kayci will create from it, and kayci's own (fields kayci owns must stay unset).
import { Job } from 'kubernetes-models/batch/v1/Job';
import { ENV_PREFIX } from '../env.ts';
import { envNameProblem, dnsLabelProblem, labelValueProblem, qualifiedNameProblem } from '../../names.ts';
import { fieldPath, type FieldError } from '../../errors.ts';
import type { JobTemplate } from '../pipeline.ts';

/** JobSpec fields kayci sets itself, with what to use instead. */
const OWNED_FIELDS: Record<string, string> = {
  backoffLimit: 'set the job\'s `retries` instead',
  activeDeadlineSeconds: 'set the job\'s `timeoutSeconds` instead',
  selector: 'remove it: the Job controller picks the selector',
  manualSelector: 'remove it: the Job controller picks the selector',
  suspend: 'remove it: kayci decides when a Job starts',
  ttlSecondsAfterFinished: 'remove it: finished Jobs live as long as their Run (see the Pipeline\'s `retention`)',
};

const RESERVED_LABEL_PREFIX = 'kayci.dev/';

/** The API server takes 20 pod failure policy rules; kayci appends one (disruptions are retried). */
const MAX_FAILURE_RULES = 20 - 1;

interface ContainerLike {
  name?: unknown;
  image?: unknown;
  env?: unknown;
}

export function validateJobTemplate(template: unknown, path: string): FieldError[] {
  if (typeof template !== 'object' || template === null || Array.isArray(template)) {
    return [{ path, message: 'Required value: a batch/v1 JobSpec with template.spec.containers' }];
  }
  const errors = schemaErrors(template, path);
  const spec = template as JobTemplate;
  for (const [field, fix] of Object.entries(OWNED_FIELDS)) {
    if ((template as Record<string, unknown>)[field] !== undefined) {
      errors.push({ path: fieldPath(path, field), message: `Forbidden: kayci sets this field; ${fix}` });
    }
  }
  const pod = spec.template?.spec;
  if (!pod || typeof pod !== 'object') return errors;
  const podPath = `${path}.template.spec`;
  if (pod.restartPolicy !== undefined && pod.restartPolicy !== 'Never') {
    errors.push({
      path: `${podPath}.restartPolicy`,
      message: `Unsupported value: ${JSON.stringify(pod.restartPolicy)}: kayci Jobs use restartPolicy Never (failed pods are retried through the job's \`retries\`); remove the field or set it to Never`,
    });
  }
  const rules = spec.podFailurePolicy?.rules;
  if (Array.isArray(rules) && rules.length > MAX_FAILURE_RULES) {
    errors.push({ path: `${path}.podFailurePolicy.rules`, message: `Too many: ${rules.length}: at most ${MAX_FAILURE_RULES} rules, since kayci adds one (pod disruptions are retried) and the API server takes 20` });
  }
  const labels = spec.template?.metadata?.labels ?? {};
  for (const [key, value] of Object.entries(labels)) {
    const at = `${path}.template.metadata.labels[${key}]`;
    if (key.startsWith(RESERVED_LABEL_PREFIX)) {
      errors.push({ path: at, message: `Forbidden: the ${RESERVED_LABEL_PREFIX} label prefix is kayci's own; use another prefix` });
    }
    const problem = qualifiedNameProblem(key) ?? (typeof value === 'string' ? labelValueProblem(value) : undefined);
    if (problem) errors.push({ path: at, message: `Invalid value: ${problem}` });
  }
  for (const key of Object.keys(spec.template?.metadata?.annotations ?? {})) {
    const problem = qualifiedNameProblem(key);
    if (problem) errors.push({ path: `${path}.template.metadata.annotations[${key}]`, message: `Invalid value: ${problem}` });
  }
  if (Array.isArray(pod.containers) && pod.containers.length === 0) {
    errors.push({ path: `${podPath}.containers`, message: 'Required value: a Job\'s pod needs at least one container' });
  }
  const names = new Map<string, string>();
  for (const field of ['initContainers', 'containers'] as const) {
    const list = pod[field];
    if (!Array.isArray(list)) continue;
    list.forEach((c: ContainerLike, i) => {
      const at = `${podPath}.${field}[${i}]`;
      if (typeof c?.name === 'string') {
        const problem = dnsLabelProblem(c.name);
        if (problem) errors.push({ path: `${at}.name`, message: `Invalid value: ${problem}` });
        const first = names.get(c.name);
        if (first) errors.push({ path: `${at}.name`, message: `Duplicate value: ${JSON.stringify(c.name)} (also at ${first})` });
        else names.set(c.name, `${at}.name`);
      }
      if (c && (typeof c.image !== 'string' || c.image.trim() === '')) {
        errors.push({ path: `${at}.image`, message: 'Required value: every container of a Job needs an image' });
      }
      errors.push(...envErrors(c?.env, `${at}.env`));
    });
  }
  return errors;
}

function envErrors(env: unknown, path: string): FieldError[] {
  if (!Array.isArray(env)) return [];
  const errors: FieldError[] = [];
  const seen = new Map<string, number>();
  env.forEach((e: { name?: unknown }, i) => {
    if (typeof e?.name !== 'string') return;
    const at = fieldPath(fieldPath(path, i), 'name');
    const problem = envNameProblem(e.name);
    if (problem) errors.push({ path: at, message: `Invalid value: ${problem}` });
    if (e.name.startsWith(ENV_PREFIX)) {
      errors.push({ path: at, message: `Forbidden: ${JSON.stringify(e.name)}: variables starting with ${ENV_PREFIX} are set by kayci; rename it` });
    }
    const first = seen.get(e.name);
    if (first !== undefined) {
      errors.push({ path: at, message: `Duplicate value: ${JSON.stringify(e.name)} (also at ${fieldPath(path, first)}); a later entry would silently win` });
    } else {
      seen.set(e.name, i);
    }
  });
  return errors;
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** The Kubernetes schema errors of a JobSpec, with paths relative to `path`. */
function schemaErrors(template: object, path: string): FieldError[] {
  try {
    new Job({ metadata: { name: 'x' }, spec: template as JobTemplate }).validate();
    return [];
  } catch (e) {
    const list = (e as { errors?: AjvError[] }).errors;
    if (!Array.isArray(list)) return [{ path, message: `Invalid value: ${String(e)}` }];
    return list.map((err) => {
      const parts = err.instancePath.split('/').slice(2); // drop '' and 'spec'
      let at = path;
      for (const p of parts) at = /^\d+$/.test(p) ? fieldPath(at, Number(p)) : fieldPath(at, p.replace(/~1/g, '/').replace(/~0/g, '~'));
      if (err.keyword === 'required') return { path: fieldPath(at, String(err.params?.missingProperty)), message: 'Required value' };
      if (err.keyword === 'enum') {
        const allowed = (err.params?.allowedValues as unknown[] | undefined)?.map((v) => JSON.stringify(v)).join(', ');
        return { path: at, message: `Unsupported value: supported values: ${allowed}` };
      }
      return { path: at, message: `Invalid value: ${err.message ?? err.keyword}` };
    });
  }
}
