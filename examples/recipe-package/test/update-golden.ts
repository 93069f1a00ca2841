// `npm run golden` (in this package): rewrites the golden YAML. Review the diff before committing.
import { writeFileSync } from 'node:fs';
import { GOLDEN, renderBilling } from './render.ts';

const { file, yaml } = renderBilling();
writeFileSync(new URL(file, GOLDEN), yaml);
process.stdout.write(`wrote test/golden/${file}\n`);
