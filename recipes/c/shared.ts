// What the C recipes share: how their tools are installed, the checks their props go through,
// and the shell fragments their scripts are made of. Scripts run as `sh -ec`, after Kubernetes
// (or the local runner) expanded `$(NAME)`: a shell command substitution is written `$$(…)`.
import type { IConstruct } from 'constructs';
import { PropError } from '../../constructs/errors.ts';
import type { Pipeline } from '../../constructs/pipeline.ts';
import { sh, type Tools } from '../common.ts';

/** How to install each tool the C recipes call, for the message a local run gives when one is missing. */
export const C_TOOLS = {
  cmake: 'apt-get install -y cmake',
  ctest: 'apt-get install -y cmake (ctest comes with CMake; 3.21 or newer for --output-junit)',
  make: 'apt-get install -y make',
  meson: 'apt-get install -y meson ninja-build (or: pipx install meson)',
  ninja: 'apt-get install -y ninja-build',
  gcc: 'apt-get install -y gcc',
  clang: 'apt-get install -y clang',
  ccache: 'apt-get install -y ccache',
  cppcheck: 'apt-get install -y cppcheck',
  'clang-tidy': 'apt-get install -y clang-tidy',
  gcovr: 'apt-get install -y gcovr (or: pipx install gcovr)',
  'llvm-cov': 'apt-get install -y llvm',
} as const satisfies Tools;

export type CTool = keyof typeof C_TOOLS;

/** The tools annotation for a recipe's script: each tool with its install hint. */
export function tools(...names: CTool[]): Tools {
  return Object.fromEntries(names.map((n) => [n, C_TOOLS[n]]));
}

/**
 * Recipes take `(scope, props)` or `(scope, id, props)`: the id has a default, so a pipeline
 * with one build needs no name for it.
 */
export function idAndProps<P extends object>(idOrProps: string | P | undefined, props: P | undefined, defaultId: string): [string, P] {
  if (typeof idOrProps === 'string') return [idOrProps, props ?? ({} as P)];
  return [defaultId, idOrProps ?? props ?? ({} as P)];
}

/**
 * Where a recipe's prop errors point. Props are checked before the job joins the pipeline, so a
 * rejected recipe leaves nothing behind (and its id free); the error names the path it would have had.
 */
export function at(scope: Pipeline, id: string): IConstruct {
  const path = scope.node.path ? `${scope.node.path}/${id}` : id;
  return { node: { path } } as unknown as IConstruct;
}

/** `value` must be one of `allowed`. */
export function oneOf<T extends string>(where: IConstruct, prop: string, value: T | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) {
    throw new PropError(where, prop, `must be ${allowed.slice(0, -1).map((a) => JSON.stringify(a)).join(', ')} or ${JSON.stringify(allowed.at(-1))}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A path relative to the workspace (or absolute): not empty, one line. */
export function pathProp(where: IConstruct, prop: string, value: string | undefined, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.trim() === '' || /[\n\r]/.test(value)) {
    throw new PropError(where, prop, `must be a path (relative to the workspace, or absolute) on one line, got ${JSON.stringify(value)}`);
  }
  return value.replace(/(.)\/+$/, '$1');
}

/** How many jobs a tool runs at once: a positive whole number, or every core. */
export function parallelism(where: IConstruct, value: number | undefined): string {
  if (value === undefined) return '"$$(nproc)"';
  if (!Number.isInteger(value) || value < 1) throw new PropError(where, 'parallel', `must be a whole number of at least 1, got ${value}`);
  return String(value);
}

/** `build` and `buildDir` say the same thing; one of them at most. */
export function exclusive(where: IConstruct, props: object, a: string, b: string): void {
  const p = props as Record<string, unknown>;
  if (p[a] !== undefined && p[b] !== undefined) throw new PropError(where, b, `cannot be combined with ${a}, which already says it`);
}

/** Quoted arguments joined for a command line, with a leading space when there are any. */
export function argsOf(args: readonly string[] | undefined): string {
  return args && args.length > 0 ? ` ${args.map(sh).join(' ')}` : '';
}

/** An absolute path the shell computes: relative paths are taken from the working directory. */
export function absolute(path: string): string {
  return path.startsWith('/') ? sh(path) : `"$PWD"/${sh(path)}`;
}

/** The line that writes one result. */
export function result(name: string, value: string): string {
  return `echo ${sh(`${name}=${value}`)} >> "$KAYCI_RESULTS_FILE"`;
}

/**
 * `job` reads files `producer` leaves in the workspace (a build directory, coverage counters). In
 * the cluster each job is its own pod, so that works only when the pipeline has a workspace; say
 * so at synth rather than as a missing directory in CI.
 */
export function readsFilesOf(job: IConstruct, pipeline: Pipeline, producer: IConstruct, what: string): void {
  job.node.addValidation({
    validate: () =>
      pipeline.workspace
        ? []
        : [`reads ${what} that ${producer.node.path} writes, but pipeline ${pipeline.name} has no workspace, so in the cluster its jobs share no files: give it one, e.g. new Pipeline(app, '${pipeline.node.id}', { workspace: { size: '1Gi' } })`],
  });
}
