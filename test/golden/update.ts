// `npm run golden`: rewrites the golden YAML of every example from a fresh synth. Review the
// diff before committing it: goldens are the contract of what users get.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { synth, writeFiles } from '../../src/synth/index.ts';
import { EXAMPLES, exampleDir, goldenDir } from './examples.ts';

for (const example of EXAMPLES) {
  const dir = goldenDir(example);
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (f.endsWith('.k8s.yaml')) rmSync(path.join(dir, f));
  const result = await synth({ entry: exampleDir(example) });
  writeFiles(dir, result.files);
  process.stdout.write(`${example}: ${result.files.map((f) => f.name).join(', ')}\n`);
}
