// The protocol between `kayci synth` and the pipelines a user's entry defines. The entry is a
// separate bundle with its own copy of kayci's classes, so the two sides meet only through a
// global symbol and plain data. No cdk8s here: the CLI loads this without the construct library.
import type { SynthError } from './errors.ts';

/** What one Pipeline chart renders to. */
export interface RenderedPipeline {
  /** Name of the Pipeline object. */
  readonly name: string;
  /** Construct path of the chart. */
  readonly path: string;
  /** Output file name, e.g. `go-service.k8s.yaml`. */
  readonly file: string;
  /** The Pipeline object first, then its Triggers, as JSON. */
  readonly documents: Record<string, unknown>[];
  /** Every problem found; empty when the pipeline is valid. */
  readonly errors: SynthError[];
}

/** What `kayci synth` installs before it loads a user's entry. */
export interface SynthHost {
  /** Default for pipelines that do not set `strict`. */
  readonly strict: boolean;
  register(pipeline: { readonly path: string; render(): RenderedPipeline }): void;
}

const HOST_KEY = Symbol.for('kayci.synth.host');

export function synthHost(): SynthHost | undefined {
  return (globalThis as Record<symbol, SynthHost | undefined>)[HOST_KEY];
}

export function installSynthHost(host: SynthHost | undefined): void {
  (globalThis as Record<symbol, SynthHost | undefined>)[HOST_KEY] = host;
}

