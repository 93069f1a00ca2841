// Writes synthesized files into the output directory all or nothing: everything is staged in a
// temporary directory inside it first, then renamed into place. Files an earlier synth wrote
// (they carry the generated header) that this one no longer produces are removed, so the
// directory mirrors the pipelines exactly — what a GitOps repository wants.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SynthFile } from './synth.ts';
import { HEADER_MARK } from './yaml.ts';

export interface WriteReport {
  readonly written: string[];
  readonly unchanged: string[];
  readonly removed: string[];
}

export function writeFiles(outDir: string, files: readonly SynthFile[]): WriteReport {
  mkdirSync(outDir, { recursive: true });
  const report: WriteReport = { written: [], unchanged: [], removed: [] };
  const staging = mkdtempSync(path.join(outDir, '.kayci-staging-'));
  try {
    const changed: SynthFile[] = [];
    for (const f of files) {
      const target = path.join(outDir, f.name);
      if (readText(target) === f.content) {
        report.unchanged.push(f.name);
        continue;
      }
      mkdirSync(path.dirname(path.join(staging, f.name)), { recursive: true });
      writeFileSync(path.join(staging, f.name), f.content);
      changed.push(f);
    }
    for (const f of changed) {
      mkdirSync(path.dirname(path.join(outDir, f.name)), { recursive: true });
      renameSync(path.join(staging, f.name), path.join(outDir, f.name));
      report.written.push(f.name);
    }
    const keep = new Set(files.map((f) => f.name));
    for (const name of readdirSync(outDir)) {
      if (!name.endsWith('.k8s.yaml') || keep.has(name)) continue;
      if (readText(path.join(outDir, name))?.startsWith(HEADER_MARK)) {
        rmSync(path.join(outDir, name));
        report.removed.push(name);
      }
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return report;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
