// Throwaway projects like test/helpers/project.ts makes (inside the repository, so a kayci.ts
// can `import … from 'kayci'`), but safe to create inside a test: every directory made by a test
// file is removed when that file finishes.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const TMP = path.join(ROOT, 'test/.tmp');

const made: string[] = [];
// Imported at collection time, so this registers on the importing file's root suite.
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory under test/.tmp with the given files. */
export function tempProject(files: Record<string, string>, prefix = 'run-'): string {
  mkdirSync(TMP, { recursive: true });
  const dir = mkdtempSync(path.join(TMP, prefix));
  made.push(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return dir;
}
