// Pipeline: a cdk8s Chart holding one `Pipeline` object and its Triggers. Jobs, notify jobs and
// triggers are child constructs; everything renders late (in `_toSpec`), so what is added after
// construction still shows up.
import { ApiObject, Chart, Lazy } from 'cdk8s';
import type { Construct } from 'constructs';
import { API_VERSION } from '../src/api/v1alpha1/meta.ts';
import type { Concurrency, PipelineSpec, Retention } from '../src/api/v1alpha1/pipeline.ts';
import { templateRefs } from '../src/api/v1alpha1/refs.ts';
import { Job, type JobProps } from './job.ts';
import { Notify } from './notify.ts';
import type { Param } from './param.ts';
import { registerWithHost, renderPipeline } from './render.ts';
import type { RenderedPipeline } from './host.ts';
import { Workspace, type WorkspaceProps } from './workspace.ts';
import { formatSynthError } from './errors.ts';

export interface PipelineProps {
  /**
   * Name of the Pipeline object; a DNS label.
   * @default the construct id
   */
  readonly name?: string;
  /**
   * Namespace of the Pipeline and its Triggers; its Runs and Jobs live there too.
   * @default none: the namespace `kubectl apply` or ArgoCD uses
   */
  readonly namespace?: string;
  /**
   * Labels on the Pipeline and its Triggers.
   * @default none
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Limits on Runs executing at once.
   * @default no limit
   */
  readonly concurrency?: Readonly<Concurrency>;
  /**
   * Finished Runs to keep.
   * @default 10 succeeded, 20 failed, no TTL
   */
  readonly retention?: Readonly<Retention>;
  /**
   * A volume claimed per Run and shared by every job.
   * @default none: jobs share nothing but results
   */
  readonly workspace?: WorkspaceProps;
  /**
   * Strict mode: every container image must be pinned by digest.
   * @default the `--strict` flag of `kayci synth`, else false
   */
  readonly strict?: boolean;
}

export class Pipeline extends Chart {
  /** Name of the Pipeline object. */
  readonly name: string;
  /** The shared per-Run volume, if any. */
  readonly workspace?: Workspace;
  /** Whether images must be pinned by digest; undefined defers to `kayci synth --strict`. */
  readonly strict?: boolean;
  /** The Pipeline object. */
  readonly resource: ApiObject;
  private readonly props: PipelineProps;
  private readonly params: Param[] = [];

  constructor(scope: Construct, id: string, props: PipelineProps = {}) {
    super(scope, id, { namespace: props.namespace, labels: props.labels ? { ...props.labels } : undefined });
    this.props = props;
    this.name = props.name ?? id;
    this.strict = props.strict;
    this.workspace = props.workspace ? new Workspace(props.workspace) : undefined;
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: API_VERSION,
      kind: 'Pipeline',
      metadata: { name: this.name },
      spec: Lazy.any({ produce: () => this._toSpec() }),
    });
    this.node.addValidation({ validate: () => renderPipeline(this, { userValidations: false }).errors.map(formatSynthError) });
    registerWithHost(this);
  }

  /** Adds a job; the same as `new Job(this, id, props)`. */
  addJob<const R extends string = never>(id: string, props: JobProps<R> = {}): Job<R> {
    return new Job(this, id, props);
  }

  /** Jobs in the order they were added. */
  get jobs(): Job<string>[] {
    return this.node.children.filter((c): c is Job<string> => c instanceof Job);
  }

  /** Notify jobs in the order they were added. */
  get notifyJobs(): Notify[] {
    return this.node.children.filter((c): c is Notify => c instanceof Notify);
  }

  /** Renders and validates this pipeline: its objects and every error found. */
  render(): RenderedPipeline {
    return renderPipeline(this);
  }

  /** @internal */
  _addParam(param: Param): void {
    this.params.push(param);
  }

  /** @internal */
  _toSpec(): PipelineSpec {
    const jobs = this.jobs;
    // A result variable → the job that declares it, so references imply needs.
    const producers = new Map<string, string>();
    for (const job of jobs) for (const ref of Object.values(job.results) as { variable: string; job: string }[]) producers.set(ref.variable, ref.job);
    const params = this.params.map((p) => p._toSpec());
    const notify = this.notifyJobs.map((n) => n._toSpec());
    return {
      params: params.length > 0 ? params : undefined,
      jobs: jobs.map((job) => {
        const spec = job._toSpec();
        const implied = templateRefs(spec.template)
          .map((r) => producers.get(r.variable))
          .filter((p): p is string => p !== undefined && p !== job.name);
        const needs = [...new Set([...(spec.needs ?? []), ...implied])];
        return { ...spec, needs: needs.length > 0 ? needs : undefined };
      }),
      concurrency: this.props.concurrency ? { ...this.props.concurrency } : undefined,
      retention: this.props.retention ? { ...this.props.retention } : undefined,
      workspace: this.workspace?._toSpec(),
      notify: notify.length > 0 ? notify : undefined,
    };
  }
}
