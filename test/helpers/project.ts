// Throwaway directories for tests. Pipeline projects live inside the repository (test/.tmp) so
// their kayci.ts can `import … from 'kayci'` through the package's self-reference; plain
// scratch directories live in the OS temp dir. Everything a test file makes is removed when
// that file finishes.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import type { Io } from '../../src/cli/io.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const TMP = path.join(ROOT, 'test/.tmp');

const made: string[] = [];
// This module is imported at collection time, so the hook lands on the importing file's root
// suite; creating directories inside tests is therefore safe.
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh pipeline project under test/.tmp with the given files. */
export function project(files: Record<string, string>, prefix = 'p-'): string {
  mkdirSync(TMP, { recursive: true });
  const dir = mkdtempSync(path.join(TMP, prefix));
  made.push(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

/** A fresh empty directory in the OS temp dir. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** An Io that records what a command prints. */
export function captureIo(cwd: string): Io & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    tty: false,
    cwd,
    out(t: string) {
      io.stdout += t;
    },
    err(t: string) {
      io.stderr += t;
    },
  };
  return io;
}

export const PIPELINE = (name: string, extra = '') => `
import { App, Job, Pipeline } from 'kayci';
const app = new App();
const p = new Pipeline(app, '${name}');
new Job(p, 'build', { image: 'alpine:3.20', run: 'echo build' });
${extra}
app.synth();
`;
