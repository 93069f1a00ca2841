// Where `kayci run` gets pipelines: a TypeScript entry (synthesized in memory, nothing written)
// or YAML that `kayci synth` wrote (a file, or a directory of *.k8s.yaml files).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Pipeline } from '../api/v1alpha1/pipeline.ts';
import { validatePipeline } from '../api/v1alpha1/validate/index.ts';
import { formatFieldErrors } from '../api/errors.ts';
import { DEFAULT_ENTRY } from '../synth/entry.ts';

export interface PipelineSource {
  readonly pipelines: Pipeline[];
  /** Where jobs run by default: the entry's directory, or the current one for YAML. */
  readonly workspace: string;
  /** What was loaded, for messages. */
  readonly origin: string;
}

export class SourceError extends Error {
  override name = 'SourceError';
  readonly code = 'KAYCI_BAD_SOURCE';
}

const YAML_FILE = /\.ya?ml$/;

export async function loadSource(given: string | undefined, cwd: string): Promise<PipelineSource> {
  const target = path.resolve(cwd, given ?? DEFAULT_ENTRY);
  const stat = statSync(target, { throwIfNoEntry: false });
  const yamlFiles = stat?.isDirectory() && !statSync(path.join(target, DEFAULT_ENTRY), { throwIfNoEntry: false })
    ? readdirSync(target).filter((f) => f.endsWith('.k8s.yaml')).sort().map((f) => path.join(target, f))
    : stat?.isFile() && YAML_FILE.test(target) ? [target] : undefined;
  if (yamlFiles) {
    if (yamlFiles.length === 0) throw new SourceError(`${rel(target, cwd)} holds neither ${DEFAULT_ENTRY} nor *.k8s.yaml files`);
    return { pipelines: yamlFiles.flatMap((f) => pipelinesIn(f, cwd)), workspace: cwd, origin: rel(target, cwd) };
  }
  // Loaded only for TypeScript entries: esbuild and cdk8s stay out of YAML runs.
  const { synth } = await import('../synth/synth.ts');
  const result = await synth({ entry: given, cwd });
  return {
    pipelines: result.pipelines.map((p) => p.documents[0] as unknown as Pipeline),
    workspace: path.dirname(result.entry),
    origin: rel(result.entry, cwd),
  };
}

function pipelinesIn(file: string, cwd: string): Pipeline[] {
  const out: Pipeline[] = [];
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    if (doc.errors.length > 0) throw new SourceError(`${rel(file, cwd)}: ${doc.errors[0]!.message}`);
    const obj = doc.toJS() as { kind?: string } | null;
    if (obj?.kind !== 'Pipeline') continue;
    const errors = validatePipeline(obj);
    if (errors.length > 0) throw new SourceError(`${rel(file, cwd)} holds an invalid Pipeline:\n${formatFieldErrors(errors).replace(/^/gm, '  ')}`);
    out.push(obj as Pipeline);
  }
  return out;
}

function rel(p: string, cwd: string): string {
  return path.relative(cwd, p) || '.';
}
