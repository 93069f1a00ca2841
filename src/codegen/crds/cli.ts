// `npm run crds` regenerates src/api/v1alpha1/crds.gen.json from the type declarations;
// `npm run crds -- --check` exits non-zero when the committed file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { CRDS_FILE, renderCrdsJson } from './write.ts';

const fresh = renderCrdsJson();
if (process.argv.includes('--check')) {
  const committed = readFileSync(CRDS_FILE, 'utf8');
  if (committed !== fresh) {
    process.stderr.write(`${CRDS_FILE} is stale: run \`npm run crds\` and commit the result.\n`);
    process.exit(1);
  }
} else {
  writeFileSync(CRDS_FILE, fresh);
  process.stdout.write(`wrote ${CRDS_FILE}\n`);
}
