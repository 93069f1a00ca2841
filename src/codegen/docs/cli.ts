// `npm run docs` rewrites the generated parts of README.md; `-- --check` fails when they are stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { README, withReference } from './recipes.ts';

const current = readFileSync(README, 'utf8');
const fresh = withReference(current);
if (process.argv.includes('--check')) {
  if (fresh !== current) {
    process.stderr.write('README.md recipe reference is stale: run `npm run docs` and commit the result.\n');
    process.exit(1);
  }
} else {
  writeFileSync(README, fresh);
  process.stdout.write('wrote the recipe reference in README.md\n');
}
