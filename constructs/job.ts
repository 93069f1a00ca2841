// Job: one node of a Pipeline's DAG, executed as one Kubernetes Job (or, locally, as processes).
import { Construct } from 'constructs';
import type { Duration } from 'cdk8s';
import type { PipelineJob, When } from '../src/api/v1alpha1/pipeline.ts';
import { checkPodProps, renderTemplate, templateImages, type PodProps } from './container.ts';
import { PropError } from './errors.ts';
import { ResultRef } from './result.ts';
import type { Pipeline } from './pipeline.ts';

export interface JobProps<R extends string = never> extends PodProps {
  /**
   * Name of the job in the Pipeline; a DNS label.
   * @default the construct id
   */
  readonly name?: string;
  /**
   * Jobs that must finish first. Using another job's result adds it too.
   * @default none
   */
  readonly needs?: readonly Job<string>[];
  /**
   * When the job runs.
   * @default { status: 'success' }: when every needed job succeeded
   */
  readonly when?: Readonly<When>;
  /**
   * Retries after a failure; disruptions (node drains, evictions) never spend them.
   * @default 0
   */
  readonly retries?: number;
  /**
   * How long the job may run, retries included.
   * @default no limit
   */
  readonly timeout?: Duration;
  /**
   * Results the job writes to `$KAYCI_RESULTS_FILE` as `name=value` lines.
   * @default none
   */
  readonly results?: readonly R[];
}

/** A job of a Pipeline. `R` names its results, so `job.results.x` type-checks. */
export class Job<const R extends string = never> extends Construct {
  /** Name of the job in the Pipeline. */
  readonly name: string;
  /** The job's results, by name; their string form is `$(KAYCI_RESULT_<JOB>_<NAME>)`. */
  readonly results: { readonly [K in R]: ResultRef };
  private readonly props: JobProps<R>;
  private readonly explicitNeeds = new Set<Job<string>>();

  constructor(scope: Pipeline, id: string, props: JobProps<R> = {}) {
    super(scope, id);
    checkPodProps(this, props);
    if (props.retries !== undefined && !Number.isInteger(props.retries)) {
      throw new PropError(this, 'retries', `must be a whole number, got ${props.retries}`);
    }
    this.props = props;
    this.name = props.name ?? id;
    const results = {} as Record<string, ResultRef>;
    for (const r of props.results ?? []) results[r] = new ResultRef(this.name, r);
    this.results = results as { readonly [K in R]: ResultRef };
    for (const need of props.needs ?? []) this.explicitNeeds.add(need);
  }

  /** Makes this job wait for `jobs`. */
  needs(...jobs: Job<string>[]): this {
    for (const j of jobs) this.explicitNeeds.add(j);
    return this;
  }

  /** Jobs this job was told to need (not those implied by result references). */
  get dependencies(): readonly Job<string>[] {
    return [...this.explicitNeeds];
  }

  /** Container images the job runs. */
  get images(): string[] {
    return templateImages(this.template());
  }

  /**
   * @internal The wire form, with the explicit needs on jobs of the same pipeline (others are
   * reported by validation); the pipeline adds the needs that result references imply.
   */
  _toSpec(): PipelineJob {
    const needs = [...this.explicitNeeds].filter((j) => j.node.scope === this.node.scope).map((j) => j.name);
    return {
      name: this.name,
      needs: needs.length > 0 ? needs : undefined,
      when: this.props.when ? { ...this.props.when } : undefined,
      retries: this.props.retries,
      timeoutSeconds: this.props.timeout?.toSeconds(),
      results: this.props.results?.map((name) => ({ name })),
      template: this.template(),
    };
  }

  private template() {
    return renderTemplate(this.name, this.props);
  }
}
