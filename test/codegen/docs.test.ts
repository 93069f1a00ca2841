import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BEGIN, README, recipeReference, withReference } from '../../src/codegen/docs/recipes.ts';

describe('README recipe reference', () => {
  it('is what the recipes declare (run `npm run docs` after changing a recipe)', () => {
    const readme = readFileSync(README, 'utf8');
    expect(readme).toContain(BEGIN);
    expect(withReference(readme), 'README.md recipe reference is stale: run `npm run docs`').toBe(readme);
  });

  it('lists every family, with props, their defaults and results', () => {
    const ref = recipeReference();
    for (const heading of ['#### Go', '#### C', '#### Supply chain', '#### Presets']) expect(ref).toContain(heading);
    expect(ref).toMatch(/^\| `GoTest` \| .* \| .*`race` \(true\).* \| `coverage`, `junit` \|$/m);
    expect(ref).toMatch(/^\| `Push` \| .*`registry` \(\*\*required\*\*\).*\| `digest`, `ref` \|$/m);
  });
});
