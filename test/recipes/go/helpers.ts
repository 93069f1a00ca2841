// Rendering helpers for the Go recipe tests: a pipeline's spec, checked by the API's own
// validation, and the parts of one job's Job template the tests look at.
import { expect } from 'vitest';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { PipelineJob } from '../../../src/api/v1alpha1/pipeline.ts';

export { jobSpecOf as jobOf, specOf } from '../render.ts';

/** The job's only container. */
export function containerOf(job: PipelineJob): IContainer {
  const pod = job.template.template!.spec!;
  expect(pod.initContainers).toBeUndefined();
  expect(pod.containers).toHaveLength(1);
  return pod.containers[0]!;
}

/** The `sh -ec` script of the job's container. */
export function scriptOf(job: PipelineJob): string {
  const command = containerOf(job).command!;
  expect(command.slice(0, 2)).toEqual(['sh', '-ec']);
  return command[2]!;
}

/** The job's env as a record (plain values only). */
export function envOf(job: PipelineJob): Record<string, string | undefined> {
  return Object.fromEntries((containerOf(job).env ?? []).map((e) => [e.name, e.value]));
}

/** The kayci.dev/tools annotation, parsed. */
export function toolsOf(job: PipelineJob): Record<string, string> {
  return JSON.parse(job.template.template!.metadata!.annotations!['kayci.dev/tools']!) as Record<string, string>;
}

/** The volumes and mounts a job gets for the Go cache named `name`, claim `claim`, at `mountPath`. */
export function expectCache(job: PipelineJob, claim = 'kayci-cache-go', mountPath = '/cache/go', name = 'go'): void {
  expect(job.template.template!.spec!.volumes).toEqual([{ name: `cache-${name}`, persistentVolumeClaim: { claimName: claim } }]);
  expect(containerOf(job).volumeMounts).toEqual([{ name: `cache-${name}`, mountPath }]);
}
