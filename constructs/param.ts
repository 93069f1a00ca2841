// Pipeline parameters: values a Run may set (`kayci run --param`, a Trigger's params), read by
// jobs as `KAYCI_PARAM_<NAME>`.
import type { ParamSpec } from '../src/api/v1alpha1/pipeline.ts';
import { ParamRef } from './result.ts';
import type { Pipeline } from './pipeline.ts';

export interface ParamProps {
  /**
   * Value when a Run does not set one.
   * @default none: every Run must set the parameter
   */
  readonly default?: string;
  /**
   * What the parameter means.
   * @default none
   */
  readonly description?: string;
}

/** A parameter of a Pipeline; its string form is `$(KAYCI_PARAM_<NAME>)`. */
export class Param extends ParamRef {
  private readonly props: ParamProps;
  constructor(pipeline: Pipeline, name: string, props: ParamProps = {}) {
    super(name);
    this.props = props;
    pipeline._addParam(this);
  }
  /** @internal */
  _toSpec(): ParamSpec {
    return { name: this.name, default: this.props.default, description: this.props.description };
  }
}
