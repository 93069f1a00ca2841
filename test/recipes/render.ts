// What every family's recipe tests start from: a pipeline's spec, which must render without
// errors and pass the API's own validation (the one the controller uses), and one job of it.
import { expect } from 'vitest';
import type { Pipeline } from '../../constructs/index.ts';
import { validatePipeline } from '../../src/api/index.ts';
import type { PipelineJob, PipelineSpec } from '../../src/api/v1alpha1/pipeline.ts';

/** The pipeline's spec; the render and validatePipeline must both find nothing wrong. */
export function specOf(p: Pipeline): PipelineSpec {
  const r = p.render();
  expect(r.errors).toEqual([]);
  const doc = r.documents[0]!;
  expect(validatePipeline(doc)).toEqual([]);
  return doc.spec as PipelineSpec;
}

/** One job of the pipeline's (valid) spec, by name. */
export function jobSpecOf(p: Pipeline, name: string): PipelineJob {
  const job = specOf(p).jobs.find((j) => j.name === name);
  expect(job, `job ${name}`).toBeDefined();
  return job!;
}
