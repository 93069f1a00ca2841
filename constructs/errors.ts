// Errors the constructs raise. A prop that makes no sense on its own throws at construction
// (tier 1); everything that depends on other constructs is collected and reported all together
// at synth (tier 2, see render.ts).
import type { IConstruct } from 'constructs';

/** One problem found at synth, located by construct path and, where known, field path. */
export interface SynthError {
  /** Construct path, e.g. `go-service/build`. */
  readonly construct: string;
  /** Field inside the construct's output, e.g. `template.spec.containers[0].image`. */
  readonly field?: string;
  readonly message: string;
}

export function formatSynthError(e: SynthError): string {
  return `[${e.construct}] ${e.field ? `${e.field}: ` : ''}${e.message}`;
}

/** A prop that can never be right, whatever else the pipeline holds. */
export class PropError extends Error {
  override name = 'PropError';
  readonly code = 'KAYCI_INVALID_PROP';
  constructor(scope: IConstruct, prop: string, message: string) {
    super(`[${scope.node.path}] ${prop}: ${message}`);
  }
}

/** Thrown by render helpers when collected errors must stop the synth. */
export class SynthValidationError extends Error {
  override name = 'SynthValidationError';
  readonly code = 'KAYCI_VALIDATION_FAILED';
  readonly errors: readonly SynthError[];
  constructor(errors: readonly SynthError[]) {
    super(`Validation failed with ${errors.length} error${errors.length === 1 ? '' : 's'}:\n  ${errors.map(formatSynthError).join('\n  ')}`);
    this.errors = errors;
  }
}
