// What every recipe shares, whatever its family: the props a user may override on any recipe, how
// a recipe declares the tools its script (or steps) call (checked on PATH before a local run;
// carried by the pinned image in the cluster), how its choices become a job, and the conventions
// every recipe follows — its constructor shape, its prop checks, where it writes files for other
// jobs, and how its scripts quote and report.
import type { Duration } from 'cdk8s';
import type { IConstruct } from 'constructs';
import type { IResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { Cache } from '../constructs/cache.ts';
import type { EnvValue, StepProps } from '../constructs/container.ts';
import { PropError } from '../constructs/errors.ts';
import type { Job, JobProps } from '../constructs/job.ts';
import type { Pipeline } from '../constructs/pipeline.ts';
import { TOOLS_ANNOTATION } from '../src/api/v1alpha1/env.ts';
import type { When } from '../src/api/v1alpha1/pipeline.ts';

/** Props every recipe takes besides its own. */
export interface RecipeProps {
  /**
   * Jobs that must finish first.
   * @default none
   */
  readonly needs?: readonly Job<string>[];
  /**
   * When the job runs.
   * @default when every need succeeded
   */
  readonly when?: Readonly<When>;
  /**
   * Retries after a failure.
   * @default 0
   */
  readonly retries?: number;
  /**
   * How long the job may run.
   * @default no limit
   */
  readonly timeout?: Duration;
  /**
   * The image the job runs in the cluster; pin it by digest. In a recipe made of steps it is the
   * image of the tool's step (the recipe says which): helper steps keep their own images.
   * @default the recipe's entry in IMAGES
   */
  readonly image?: string;
  /**
   * Extra environment variables.
   * @default none
   */
  readonly env?: Readonly<Record<string, EnvValue>>;
  /**
   * CPU and memory requests and limits.
   * @default none
   */
  readonly resources?: IResourceRequirements;
}

/** Tool name → how to install it, for the message a local run gives when it is missing. */
export type Tools = Readonly<Record<string, string>>;

/** What a recipe chooses for its job: one script, or steps. */
export type RecipeJob<R extends string> = {
  /**
   * The image of the recipe's tool: `run`'s, or that of every step that names none. The user's
   * `image` prop replaces it; steps that name their own image keep it.
   */
  readonly image: string;
  /** Every tool the script or steps call, with how to install it. */
  readonly tools: Tools;
  /**
   * The results the job writes to `$KAYCI_RESULTS_FILE`, typed on the job's `results`.
   * @default none
   */
  readonly results?: readonly R[];
  /**
   * Env of every step; the user's `env` prop is laid over it.
   * @default none
   */
  readonly env?: Readonly<Record<string, EnvValue>>;
  /**
   * Caches the job mounts.
   * @default none
   */
  readonly caches?: readonly Cache[];
  /**
   * Pod volumes the steps mount (an emptyDir that one step fills for the next, say).
   * @default none
   */
  readonly volumes?: readonly IVolume[];
} & (
  | {
      /** The script, run as `sh -ec` in `image`. */
      readonly run: string;
      /** @default none: give `run` or `steps` */
      readonly steps?: never;
    }
  | {
      /** Steps run in order in one pod. */
      readonly steps: readonly StepProps[];
      /** @default none: give `run` or `steps` */
      readonly run?: never;
    }
);

/**
 * The JobProps of a recipe: the user's RecipeProps over the recipe's own choices. A recipe gives
 * either `run`, a script for its tool's image, or `steps`, run in order in one pod: tools whose
 * images have no shell run as a step of their own with `command`/`args`, between helper steps
 * that do have one. The user's `env` wins over a step's own entry of the same name, as it wins
 * over the recipe's `env`.
 */
export function recipeJob<const R extends string = never>(props: RecipeProps, recipe: RecipeJob<R>): JobProps<R> {
  const user = props.env ?? {};
  const steps = recipe.steps?.map((s) => (s.env ? { ...s, env: Object.fromEntries(Object.entries(s.env).filter(([name]) => !(name in user))) } : s));
  return {
    image: props.image ?? recipe.image,
    run: recipe.run,
    steps,
    env: { ...recipe.env, ...user },
    caches: recipe.caches,
    volumes: recipe.volumes,
    results: recipe.results,
    needs: props.needs,
    when: props.when,
    retries: props.retries,
    timeout: props.timeout,
    resources: props.resources,
    podAnnotations: { [TOOLS_ANNOTATION]: JSON.stringify(recipe.tools) },
  };
}

/**
 * Picks the id and props of a recipe constructed as `(scope)`, `(scope, props)` or
 * `(scope, id, props)`: every recipe has a default id, so a pipeline with one build needs no name
 * for it. Props left out are `{}`; where the recipe's overloads require props, only a JavaScript
 * caller (or a cast) gets there, and the recipe's checks then say which are missing.
 */
export function idAndProps<P extends object>(idOrProps: string | P | undefined, props: P | undefined, defaultId: string): [id: string, props: P] {
  if (typeof idOrProps === 'string') return [idOrProps, props ?? ({} as P)];
  return [defaultId, idOrProps ?? props ?? ({} as P)];
}

/**
 * Where a recipe's prop errors point, before `super()`: the path the construct would have. Props
 * are checked before the job joins the pipeline, so a rejected recipe leaves nothing behind (and
 * its id free).
 */
export function at(scope: IConstruct, id: string): IConstruct {
  const path = scope.node.path ? `${scope.node.path}/${id}` : id;
  return { node: { path } } as unknown as IConstruct;
}

/** A problem with a prop: its name (`tags[0]`, `credentials.username`), and what is wrong with the fix. */
export type Problem = readonly [prop: string, message: string];

/**
 * Throws one PropError for all of `problems`, if there are any: the first in full, then the names
 * of the other props at fault. `where` is `at(scope, id)` for checks made before `super()`; a
 * construct already in its scope is taken out of it first, so a caller that catches the error is
 * not left with half a recipe.
 */
export function throwProblems(where: IConstruct, problems: readonly Problem[]): void {
  const [first, ...rest] = problems;
  if (!first) return;
  where.node.scope?.node.tryRemoveChild(where.node.id);
  throw new PropError(where, first[0], rest.length === 0 ? first[1] : `${first[1]} (and ${rest.map((p) => p[0]).join(', ')})`);
}

/**
 * Adds a synth-time check that the job's pipeline has a workspace. In the cluster each job is its
 * own pod, and jobs share files only through the workspace: without one, files a job reads or
 * writes for another cannot reach it — say so at synth rather than as a missing file in CI.
 * `why` says which files, e.g. `push reads the image tarball from the workspace`.
 */
export function needsWorkspace(job: Job<string>, why: string): void {
  job.node.addValidation({
    validate: () => ((job.node.scope as Pipeline | undefined)?.workspace ? [] : [`${why}, which needs the pipeline's workspace: add \`workspace: { size: '2Gi' }\` to the Pipeline's props`]),
  });
}

/**
 * Where a recipe job writes the files it makes for other jobs or for people (reports, JSON,
 * JUnit, SBOMs, coverage summaries): `.kayci/out/<job id>/`, relative to the workspace (locally:
 * the project directory). Build outputs (`bin/`, `build/`) stay where their tools put them.
 */
export function outDir(job: string): string {
  return `.kayci/out/${job}`;
}

/** Quotes a value for a POSIX shell script. */
export function sh(value: string): string {
  return /^[A-Za-z0-9_./:=@+,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Words joined into a shell command line, each quoted as needed. */
export function shWords(words: readonly string[]): string {
  return words.map(sh).join(' ');
}

/** A script, one line each; `false` and `undefined` lines are left out, arrays spread. */
export function script(...lines: (string | false | undefined | readonly string[])[]): string {
  return lines.flatMap((l) => (l === false || l === undefined ? [] : typeof l === 'string' ? [l] : l)).join('\n');
}

/** The script line that writes a result whose value is known at synth (quoted as needed). */
export function writeResult(name: string, value: string): string {
  return `echo ${sh(`${name}=${value}`)} >> "$KAYCI_RESULTS_FILE"`;
}
