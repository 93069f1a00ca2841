// Throwaway pipeline projects inside the repository (so `import … from 'kayci'` resolves
// through the package's self-reference), removed after each test file.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll } from 'vitest';
import type { Io } from '../../src/cli/io.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TMP = path.join(ROOT, 'test/.tmp');

/** A fresh directory with the given files; cleaned up when the test file finishes. */
export function project(files: Record<string, string>): string {
  mkdirSync(TMP, { recursive: true });
  const dir = mkdtempSync(path.join(TMP, 'p-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
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
