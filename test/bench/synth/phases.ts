// kayci's synth, phase by phase, for the benchmark's breakdown. It follows synth() and
// loadPipelines() step for step (same functions, same order) with a timer around each step;
// the only difference is that loading is split into "import" (the user's code runs and builds
// the construct tree) and "render" (each pipeline renders and validates itself).
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { installSynthHost, type RenderedPipeline } from '../../../constructs/host.ts';
import { bundleEntry } from '../../../src/synth/bundle.ts';
import { resolveEntry } from '../../../src/synth/entry.ts';
import { writeFiles } from '../../../src/synth/write.ts';
import { toYaml } from '../../../src/synth/yaml.ts';

export const PHASES = ['bundle', 'import', 'render', 'checks', 'yaml', 'write'] as const;
export type Phase = (typeof PHASES)[number];

export const PHASE_HELP: Record<Phase, string> = {
  bundle: 'esbuild bundles the entry (bundleEntry)',
  import: 'write the bundle, import it: user code builds the construct tree',
  render: 'pipeline.render() for each: toJson (cdk8s resolve) + validation',
  checks: 'collect errors, duplicate file/object names',
  yaml: 'toYaml for each pipeline',
  write: 'writeFiles into an empty directory',
};

export async function synthPhases(entryFile: string, outDir: string): Promise<Record<Phase, number>> {
  const t: Partial<Record<Phase, number>> = {};
  let at = performance.now();
  const lap = (phase: Phase) => {
    const now = performance.now();
    t[phase] = now - at;
    at = now;
  };

  const entry = resolveEntry(entryFile);
  const code = await bundleEntry(entry);
  lap('bundle');

  const registered: { path: string; render(): RenderedPipeline }[] = [];
  const file = path.join(path.dirname(entry), `.kayci-synth-${process.pid}-${randomBytes(4).toString('hex')}.mjs`);
  process.setSourceMapsEnabled(true);
  installSynthHost({ strict: false, register: (p) => registered.push(p) });
  let pipelines: RenderedPipeline[];
  try {
    writeFileSync(file, code);
    try {
      await import(pathToFileURL(file).href);
    } finally {
      rmSync(file, { force: true });
    }
    lap('import');
    pipelines = registered.map((p) => p.render());
    lap('render');
  } finally {
    installSynthHost(undefined);
  }

  const errors = [...pipelines.flatMap((p) => p.errors), ...duplicates(pipelines)];
  if (errors.length > 0) throw new Error(`the benchmark's pipelines are invalid: ${JSON.stringify(errors.slice(0, 3))}`);
  lap('checks');

  const source = path.basename(entry);
  const files = pipelines.map((p) => ({ name: p.file, content: toYaml(p.documents, source) }));
  lap('yaml');

  writeFiles(outDir, files);
  lap('write');
  return t as Record<Phase, number>;
}

/** The same walk as synth.ts's duplicateErrors (not exported), for its cost. */
function duplicates(pipelines: RenderedPipeline[]): string[] {
  const found: string[] = [];
  const files = new Set<string>();
  const objects = new Map<string, string>();
  for (const p of pipelines) {
    if (files.has(p.file)) found.push(p.file);
    files.add(p.file);
    for (const d of p.documents) {
      const meta = d.metadata as { name?: string; namespace?: string } | undefined;
      const key = `${String(d.kind)} ${meta?.namespace ?? ''}/${meta?.name ?? ''}`;
      const owner = objects.get(key);
      if (owner && owner !== p.path) found.push(key);
      else objects.set(key, p.path);
    }
  }
  return found;
}
