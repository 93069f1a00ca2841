// What every recipe job shares: the props a user may override on any recipe, and how a recipe
// declares the tools its script calls (checked on PATH before a local run; carried by the
// pinned image in the cluster).
import type { Duration } from 'cdk8s';
import type { IResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import type { Cache } from '../constructs/cache.ts';
import type { EnvValue } from '../constructs/container.ts';
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
   * The image the job runs in the cluster; pin it by digest.
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

/** The JobProps of a recipe: the user's RecipeProps over the recipe's own choices. */
export function recipeJob<const R extends string = never>(
  props: RecipeProps,
  recipe: {
    readonly image: string;
    readonly run: string;
    readonly tools: Tools;
    readonly results?: readonly R[];
    readonly env?: Readonly<Record<string, EnvValue>>;
    readonly caches?: readonly Cache[];
  },
): JobProps<R> {
  return {
    image: props.image ?? recipe.image,
    run: recipe.run,
    env: { ...recipe.env, ...props.env },
    caches: recipe.caches,
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
