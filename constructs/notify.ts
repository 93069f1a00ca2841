// Notify jobs: run when a Run's phase changes (e.g. to post to chat on failure). They do not
// count towards the Run's phase.
import { Construct } from 'constructs';
import type { NotifyJob } from '../src/api/v1alpha1/pipeline.ts';
import { checkPodProps, renderTemplate, templateImages, type PodProps } from './container.ts';
import type { Pipeline } from './pipeline.ts';

export interface NotifyProps extends PodProps {
  /**
   * Name of the notify job; unique among the pipeline's jobs and notify jobs.
   * @default the construct id
   */
  readonly name?: string;
  /** Run phases that start the job. */
  readonly on: NotifyJob['on'];
}

export class Notify extends Construct {
  readonly name: string;
  private readonly props: NotifyProps;
  constructor(scope: Pipeline, id: string, props: NotifyProps) {
    super(scope, id);
    this.props = props;
    checkPodProps(this, props);
    this.name = props.name ?? id;
  }
  /** Container images the job runs. */
  get images(): string[] {
    return templateImages(renderTemplate(this.name, this.props));
  }
  /** @internal */
  _toSpec(): NotifyJob {
    return { name: this.name, on: [...this.props.on], template: renderTemplate(this.name, this.props) };
  }
}
