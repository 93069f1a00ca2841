// Runs a bundled entry with a synth host installed and returns what its pipelines render to.
// The bundle is written next to the entry (as Vite does for config files) so that
// `import.meta.url` and relative paths in the user's code mean what they wrote; it is removed
// right after it is imported.
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { installSynthHost, type RenderedPipeline } from '../../constructs/host.ts';
import { EntryFailedError } from './errors.ts';

export interface LoadOptions {
  /** Require image digests in pipelines that do not set `strict` themselves. */
  readonly strict?: boolean;
}

export async function loadPipelines(entry: string, code: string, options: LoadOptions = {}): Promise<RenderedPipeline[]> {
  const registered: { path: string; render(): RenderedPipeline }[] = [];
  const file = path.join(path.dirname(entry), `.kayci-synth-${process.pid}-${randomBytes(4).toString('hex')}.mjs`);
  process.setSourceMapsEnabled(true);
  installSynthHost({ strict: options.strict ?? false, register: (p) => registered.push(p) });
  try {
    writeFileSync(file, code);
    try {
      await import(pathToFileURL(file).href);
    } finally {
      rmSync(file, { force: true });
    }
    return registered.map((p) => p.render());
  } catch (e) {
    throw new EntryFailedError(path.basename(entry), describe(e, file));
  } finally {
    installSynthHost(undefined);
  }
}

/**
 * The error with the user's frames only: source-mapped back to their files, cut where kayci's
 * loader begins. Frames still in the bundle (no source map) point nowhere useful and are dropped.
 */
function describe(e: unknown, bundle: string): string {
  if (!(e instanceof Error)) return `  ${String(e)}`;
  const frames = (e.stack ?? '').split('\n').slice(1).map((l) => l.trim()).filter((l) => l.startsWith('at '));
  const end = frames.findIndex((l) => l.includes('loadPipelines'));
  const mine = (end < 0 ? frames : frames.slice(0, end)).filter((l) => !l.includes('node:internal') && !l.includes(path.basename(bundle)));
  return [`  ${e.name}: ${e.message}`, ...mine.slice(0, 8).map((f) => `  ${f}`)].join('\n');
}
