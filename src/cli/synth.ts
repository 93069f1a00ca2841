// `kayci synth [entry]`: bundle and run a pipeline entry, validate, write YAML into the output
// directory (or print it). Exit 1 with every error listed, and nothing written, on bad input.
import path from 'node:path';
import { crdFiles } from './crds.ts';
import type { Io } from './io.ts';
import { synth } from '../synth/synth.ts';
import { writeFiles } from '../synth/write.ts';

export interface SynthCommandOptions {
  readonly out?: string;
  readonly strict?: boolean;
  readonly crds?: boolean;
  readonly stdout?: boolean;
}

export async function synthCommand(io: Io, entry: string | undefined, options: SynthCommandOptions): Promise<number> {
  const result = await synth({ entry, cwd: io.cwd, strict: options.strict });
  const files = [...result.files, ...(options.crds ? crdFiles() : [])];
  if (options.stdout) {
    io.out(files.map((f) => f.content).join(''));
    return 0;
  }
  const outDir = path.resolve(path.dirname(result.entry), options.out ?? 'dist');
  const report = writeFiles(outDir, files);
  const shown = path.relative(io.cwd, outDir) || '.';
  for (const p of result.pipelines) {
    const kinds = p.documents.map((d) => String(d.kind));
    const triggers = kinds.filter((k) => k === 'Trigger').length;
    const jobs = ((p.documents[0]?.spec as { jobs?: unknown[] } | undefined)?.jobs ?? []).length;
    const state = report.unchanged.includes(p.file) ? 'unchanged' : 'wrote';
    io.out(`${state} ${path.join(shown, p.file)}  (pipeline ${p.name}: ${jobs} job${jobs === 1 ? '' : 's'}, ${triggers} trigger${triggers === 1 ? '' : 's'})\n`);
  }
  if (options.crds) io.out(`${report.unchanged.includes('crds/kayci.k8s.yaml') ? 'unchanged' : 'wrote'} ${path.join(shown, 'crds/kayci.k8s.yaml')}\n`);
  for (const f of report.removed) io.out(`removed ${path.join(shown, f)} (no pipeline writes it any more)\n`);
  return 0;
}
