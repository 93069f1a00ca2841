// Rendering helpers for the C recipe tests: a pipeline with a workspace, its spec (which must be
// free of errors and pass the API validation the controller uses), and one job's parts.
import { execFileSync } from 'node:child_process';
import { expect } from 'vitest';
import { App, Pipeline } from '../../../constructs/index.ts';
import { TOOLS_ANNOTATION } from '../../../src/api/v1alpha1/env.ts';
import type { PipelineJob } from '../../../src/api/v1alpha1/pipeline.ts';
import { expand } from '../../../src/api/v1alpha1/expand.ts';
import { jobSpecOf } from '../render.ts';

export { specOf } from '../render.ts';

export function pipeline(name = 'c'): Pipeline {
  return new Pipeline(new App(), name, { workspace: { size: '1Gi' } });
}

export interface RenderedJob {
  readonly job: PipelineJob;
  readonly image: string;
  /** The `run` script as written (before `$$` becomes `$`). */
  readonly script: string;
  readonly lines: string[];
  readonly env: Record<string, string | undefined>;
  readonly tools: Record<string, string>;
}

/** One job of a valid pipeline, by name. */
export function jobOf(p: Pipeline, name: string): RenderedJob {
  const job = jobSpecOf(p, name);
  const pod = job.template.template!;
  const [c] = pod.spec!.containers;
  expect(pod.spec!.initContainers).toBeUndefined();
  expect(c!.command!.slice(0, 2)).toEqual(['sh', '-ec']);
  const script = c!.command![2]!;
  return {
    job,
    image: c!.image!,
    script,
    lines: script.split('\n'),
    env: Object.fromEntries((c!.env ?? []).map((e) => [e.name, e.value])),
    tools: JSON.parse(pod.metadata!.annotations![TOOLS_ANNOTATION]!) as Record<string, string>,
  };
}

/** The script as the shell receives it: `$(VAR)` of the given variables expanded, `$$` → `$`. */
export function shellScript(script: string, vars: Record<string, string> = {}): string {
  return expand(script, new Map(Object.entries(vars)));
}

/** `sh -n`: the script parses. Throws with the shell's message otherwise. */
export function checkSyntax(script: string): void {
  execFileSync('sh', ['-n', '-c', shellScript(script)], { stdio: 'pipe' });
}
