// What every recipe job shares: the props a user may override on any recipe, how a recipe
// declares the tools its script (or steps) call (checked on PATH before a local run; carried by
// the pinned image in the cluster), and how its choices become a job.
import type { Duration } from 'cdk8s';
import type { IResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { Cache } from '../constructs/cache.ts';
import type { EnvValue, StepProps } from '../constructs/container.ts';
import type { Job, JobProps } from '../constructs/job.ts';
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
  readonly tools: Tools;
  readonly results?: readonly R[];
  /** Env of every step; the user's `env` prop is laid over it. */
  readonly env?: Readonly<Record<string, EnvValue>>;
  readonly caches?: readonly Cache[];
  /** Pod volumes the steps mount (an emptyDir that one step fills for the next, say). */
  readonly volumes?: readonly IVolume[];
} & ({ readonly run: string; readonly steps?: never } | { readonly steps: readonly StepProps[]; readonly run?: never });

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

/** Quotes a value for a POSIX shell script. */
export function sh(value: string): string {
  return /^[A-Za-z0-9_./:=@+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
