// Renders a Pipeline chart to plain objects and collects every error found in it, mapped to
// construct paths. `kayci synth` reaches pipelines through a process-wide host registered under
// a global symbol, and exchanges only plain data with them: the user's bundle carries its own
// copy of these classes, so nothing may depend on `instanceof` across that boundary.
import { ApiObject, Chart } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { validatePipeline, validateTrigger } from '../src/api/v1alpha1/validate/index.ts';
import type { FieldError } from '../src/api/errors.ts';
import type { SynthError } from './errors.ts';
import { synthHost, type RenderedPipeline } from './host.ts';
import type { Job } from './job.ts';
import type { Pipeline } from './pipeline.ts';

export function registerWithHost(pipeline: Pipeline): void {
  synthHost()?.register({ path: pipeline.node.path, render: () => pipeline.render() });
}

const DIGEST = /@sha256:[0-9a-f]{64}$/;

export function renderPipeline(pipeline: Pipeline, options: { userValidations?: boolean } = {}): RenderedPipeline {
  const path = pipeline.node.path;
  const errors: SynthError[] = [];
  const objects = pipeline.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === pipeline);
  const documents: Record<string, unknown>[] = [];
  for (const obj of objects) {
    try {
      documents.push(obj.toJson() as Record<string, unknown>);
    } catch (e) {
      errors.push({ construct: obj.node.path, message: `cannot render: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
  const jobs = pipeline.jobs;
  const notify = pipeline.notifyJobs;
  const [doc, ...triggers] = documents;
  if (doc && objects[0] === pipeline.resource) {
    errors.push(...mapPipelineErrors(validatePipeline(doc), pipeline, jobs, notify));
  }
  triggers.forEach((t, i) => {
    const construct = objects[i + 1]!.node.path;
    errors.push(...validateTrigger(t).map((e) => ({ construct, field: e.path, message: e.message })));
  });
  errors.push(...crossPipelineNeeds(pipeline, jobs));
  if (pipeline.strict ?? synthHost()?.strict ?? false) errors.push(...undigestedImages([...jobs, ...notify]));
  // cdk8s's own App.synth calls these itself; only `kayci synth` needs them here.
  if (options.userValidations ?? true) errors.push(...userValidations(pipeline));
  return { name: pipeline.name, path, file: `${pipeline.name}.k8s.yaml`, documents, errors: inConstructOrder(pipeline, errors) };
}

/** `spec.jobs[3].template…` → the job's construct and `template…`. */
function mapPipelineErrors(errors: FieldError[], pipeline: Pipeline, jobs: IConstruct[], notify: IConstruct[]): SynthError[] {
  const owner = (list: string, index: string) => (list === 'jobs' ? jobs : notify)[Number(index)];
  return errors.map((e) => {
    // Other jobs named in the message are easier to find by construct path too.
    const message = e.message.replace(/\bspec\.(jobs|notify)\[(\d+)\]/g, (text, list: string, i: string) => owner(list, i)?.node.path ?? text);
    const m = /^spec\.(jobs|notify)\[(\d+)\](?:\.(.*))?$/.exec(e.path);
    const construct = m && owner(m[1]!, m[2]!);
    if (m && construct) return { construct: construct.node.path, field: m[3], message };
    const field = e.path === 'metadata.name' ? 'name' : e.path.replace(/^spec\./, '') || undefined;
    return { construct: pipeline.node.path, field, message };
  });
}

function crossPipelineNeeds(pipeline: Pipeline, jobs: Job<string>[]): SynthError[] {
  const errors: SynthError[] = [];
  for (const job of jobs) {
    for (const need of job.dependencies) {
      if (Chart.of(need) !== pipeline) {
        errors.push({ construct: job.node.path, field: 'needs', message: `needs job ${need.node.path}, which belongs to another pipeline; a job can only need jobs of its own pipeline` });
      }
    }
  }
  return errors;
}

function undigestedImages(constructs: { readonly node: IConstruct['node']; readonly images: string[] }[]): SynthError[] {
  const errors: SynthError[] = [];
  for (const c of constructs) {
    for (const image of c.images) {
      if (image && !DIGEST.test(image)) {
        const bare = image.replace(/@.*$/, '');
        errors.push({ construct: c.node.path, field: 'image', message: `${JSON.stringify(image)} is not pinned by digest (strict mode): use ${bare}@sha256:<digest>, e.g. from \`crane digest ${bare}\`` });
      }
    }
  }
  return errors;
}

/** Errors sorted by where their construct is in the tree (stable: same-construct order kept). */
function inConstructOrder(pipeline: Pipeline, errors: SynthError[]): SynthError[] {
  const order = new Map(pipeline.node.findAll().map((c, i) => [c.node.path, i]));
  return errors
    .map((e, i) => ({ e, i, at: order.get(e.construct) ?? -1 }))
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map((x) => x.e);
}

/** Validations users attached with `node.addValidation` to constructs inside the pipeline. */
function userValidations(pipeline: Pipeline): SynthError[] {
  const errors: SynthError[] = [];
  for (const c of pipeline.node.findAll()) {
    if (c === pipeline) continue;
    for (const message of c.node.validate()) errors.push({ construct: c.node.path, message });
  }
  return errors;
}
