// The examples with golden output, and where their goldens live. Goldens are written only by
// `npm run golden` (update.ts), never by the tests.
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const EXAMPLES = ['go-service', 'c-library'] as const;

export function goldenDir(example: string): string {
  return path.join(ROOT, 'test/golden', example);
}

export function exampleDir(example: string): string {
  return path.join(ROOT, 'examples', example);
}
