// Typed references to job results and pipeline parameters. Their string form is the Kubernetes
// variable reference `$(KAYCI_RESULT_<JOB>_<NAME>)`, which works in command, args and env values
// in the cluster and locally; a job whose strings hold another job's reference needs that job.
import { envRef, paramEnv, resultEnv } from '../src/api/v1alpha1/env.ts';

/** A result of a job, usable wherever a string is. */
export class ResultRef {
  /** The variable jobs that need the producer read, e.g. `KAYCI_RESULT_BUILD_DIGEST`. */
  readonly variable: string;
  /** Name of the producing job. */
  readonly job: string;
  /** Name of the result. */
  readonly name: string;
  constructor(job: string, name: string) {
    this.job = job;
    this.name = name;
    this.variable = resultEnv(job, name);
  }
  /** `$(KAYCI_RESULT_<JOB>_<NAME>)` */
  toString(): string {
    return envRef(this.variable);
  }
  toJSON(): string {
    return this.toString();
  }
}

/** A pipeline parameter, usable wherever a string is. */
export class ParamRef {
  readonly variable: string;
  readonly name: string;
  constructor(name: string) {
    this.name = name;
    this.variable = paramEnv(name);
  }
  /** `$(KAYCI_PARAM_<NAME>)` */
  toString(): string {
    return envRef(this.variable);
  }
  toJSON(): string {
    return this.toString();
  }
}
