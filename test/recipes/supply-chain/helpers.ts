// Rendering helpers for the supply-chain recipe tests: a pipeline's wire form, one job's
// containers (steps), their scripts and env, and the tools it declares.
import type { IContainer } from 'kubernetes-models/v1/Container';
import { expect } from 'vitest';
import { App, Pipeline, type PipelineProps } from '../../../constructs/index.ts';
import { TOOLS_ANNOTATION } from '../../../src/api/v1alpha1/env.ts';
import { jobSpecOf as jobOf } from '../render.ts';

export { jobOf };
export { specOf } from '../render.ts';

export function newPipeline(name = 'sc', props: PipelineProps = { workspace: { size: '2Gi' } }): Pipeline {
  return new Pipeline(new App(), name, props);
}

/** Init containers (steps) first, then the main container. */
export function containersOf(p: Pipeline, name: string): IContainer[] {
  const pod = jobOf(p, name).template.template!.spec!;
  return [...(pod.initContainers ?? []), ...pod.containers];
}

/** The job's containers by step name. */
export function stepsOf(p: Pipeline, name: string): Record<string, IContainer> {
  return Object.fromEntries(containersOf(p, name).map((c) => [c.name, c]));
}

/** The `sh -ec` script of the job's only (or named) container. */
export function scriptOf(p: Pipeline, name: string, container?: string): string {
  const containers = containersOf(p, name);
  const c = container ? containers.find((x) => x.name === container) : containers.length === 1 ? containers[0] : undefined;
  if (!c) throw new Error(`job ${name} has no single container${container ? ` named ${container}` : ''}`);
  expect(c.command?.slice(0, 2)).toEqual(['sh', '-ec']);
  expect(c.args).toBeUndefined();
  return c.command![2]!;
}

/** The container's env as name → value, or → `secret/key` for Secret keys. */
export function envOf(c: IContainer): Record<string, string> {
  return Object.fromEntries((c.env ?? []).map((e) => [e.name, e.valueFrom?.secretKeyRef ? `secret:${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}` : (e.value ?? '')]));
}

export function toolsOf(p: Pipeline, name: string): Record<string, string> {
  const annotations = jobOf(p, name).template.template!.metadata?.annotations ?? {};
  return JSON.parse(annotations[TOOLS_ANNOTATION] ?? '{}') as Record<string, string>;
}
