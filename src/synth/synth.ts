// synth(): entry file → validated YAML files in memory. Bundle, run, render every pipeline,
// collect every error; the caller decides whether to write (write.ts).
import path from 'node:path';
import type { RenderedPipeline } from '../../constructs/host.ts';
import type { SynthError } from '../../constructs/errors.ts';
import { bundleEntry } from './bundle.ts';
import { resolveEntry } from './entry.ts';
import { NoPipelinesError, ValidationFailedError } from './errors.ts';
import { loadPipelines } from './load.ts';
import { toYaml } from './yaml.ts';

export interface SynthOptions {
  /** Entry file or directory. @default kayci.ts in cwd */
  readonly entry?: string;
  /** Working directory for relative paths. @default process.cwd() */
  readonly cwd?: string;
  /** Require image digests. @default false */
  readonly strict?: boolean;
}

export interface SynthFile {
  /** File name inside the output directory, e.g. `go-service.k8s.yaml`. */
  readonly name: string;
  readonly content: string;
}

export interface SynthResult {
  /** Absolute path of the entry. */
  readonly entry: string;
  readonly pipelines: RenderedPipeline[];
  readonly files: SynthFile[];
}

/** Throws a SynthFailure (see errors.ts) unless every pipeline is valid. */
export async function synth(options: SynthOptions = {}): Promise<SynthResult> {
  const cwd = options.cwd ?? process.cwd();
  const entry = resolveEntry(options.entry, cwd);
  const code = await bundleEntry(entry);
  const pipelines = await loadPipelines(entry, code, { strict: options.strict });
  if (pipelines.length === 0) throw new NoPipelinesError(path.relative(cwd, entry) || entry);
  const errors: SynthError[] = [...pipelines.flatMap((p) => p.errors), ...duplicateErrors(pipelines)];
  if (errors.length > 0) throw new ValidationFailedError(errors);
  const source = path.basename(entry);
  const files = pipelines.map((p) => ({ name: p.file, content: toYaml(p.documents, source) }));
  return { entry, pipelines, files };
}

/** Two charts writing one file, or two objects of one kind and name. */
function duplicateErrors(pipelines: RenderedPipeline[]): SynthError[] {
  const errors: SynthError[] = [];
  const files = new Map<string, string>();
  const objects = new Map<string, string>();
  for (const p of pipelines) {
    const other = files.get(p.file);
    if (other) errors.push({ construct: p.path, message: `writes ${p.file}, as does ${other}: give the pipelines different names` });
    else files.set(p.file, p.path);
    for (const d of p.documents) {
      const meta = d.metadata as { name?: string; namespace?: string } | undefined;
      const key = `${String(d.kind)} ${meta?.namespace ?? ''}/${meta?.name ?? ''}`;
      const owner = objects.get(key);
      if (owner && owner !== p.path) errors.push({ construct: p.path, message: `defines ${String(d.kind)} ${JSON.stringify(meta?.name)}, as does ${owner}: names must be unique per namespace` });
      else objects.set(key, p.path);
    }
  }
  return errors;
}
