// Typed synth failures, each with a stable code. The CLI prints `message` and exits non-zero;
// nothing is written to the output directory when any of these is raised.
import type { SynthError } from '../../constructs/errors.ts';
import { formatSynthError } from '../../constructs/errors.ts';

export class SynthFailure extends Error {
  override name = 'SynthFailure';
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** The entry file does not exist or cannot be found from the given path. */
export class EntryNotFoundError extends SynthFailure {
  constructor(message: string) {
    super('KAYCI_ENTRY_NOT_FOUND', message);
  }
}

/** esbuild could not bundle the entry: syntax errors, unresolved imports. */
export class BundleError extends SynthFailure {
  readonly messages: string[];
  constructor(messages: string[]) {
    super('KAYCI_BUNDLE_FAILED', `cannot bundle the pipeline entry:\n${messages.map((m) => `  ${m}`).join('\n')}`);
    this.messages = messages;
  }
}

/** The entry threw while it ran. */
export class EntryFailedError extends SynthFailure {
  constructor(entry: string, detail: string) {
    super('KAYCI_ENTRY_FAILED', `${entry} failed while defining pipelines:\n${detail}`);
  }
}

/** The entry ran but defined no Pipeline. */
export class NoPipelinesError extends SynthFailure {
  constructor(entry: string) {
    super('KAYCI_NO_PIPELINES', `${entry} defined no Pipeline: create one with \`new Pipeline(app, 'name')\` (import { App, Pipeline } from 'kayci')`);
  }
}

/** Pipelines were defined, with errors; every error is listed. */
export class ValidationFailedError extends SynthFailure {
  readonly errors: readonly SynthError[];
  constructor(errors: readonly SynthError[]) {
    const n = errors.length;
    super('KAYCI_VALIDATION_FAILED', `${n} error${n === 1 ? '' : 's'} found:\n${errors.map((e) => `  ${formatSynthError(e)}`).join('\n')}`);
    this.errors = errors;
  }
}
