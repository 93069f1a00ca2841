// The import boundaries of DESIGN.md are enforced by ESLint; these cases prove the rules bite.
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: ROOT });

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('import boundaries', () => {
  it.each([
    ['src/api/x.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", /no-restricted-imports.*pure/],
    ['src/plan/x.ts', "import { spawn } from 'child_process';\nexport const x = spawn;\n", /no-restricted-imports.*pure/],
    ['src/plan/x.ts', "import * as k8s from '@kubernetes/client-node';\nexport const x = k8s;\n", /no-restricted-imports.*Kubernetes client/],
    ['src/api/x.ts', "import { synth } from '../synth/synth.ts';\nexport const x = synth;\n", /no-restricted-imports.*Imports flow/],
    ['src/plan/x.ts', "import { Job } from '../../constructs/job.ts';\nexport const x = Job;\n", /no-restricted-imports.*API types only/],
    ['src/plan/x.ts', 'export const now = () => Date.now();\n', /no-restricted-properties.*clock/],
    ['src/api/x.ts', 'export const home = () => process.env.HOME;\n', /no-restricted-properties.*environment/],
    ['constructs/x.ts', "import { main } from '../src/cli/main.ts';\nexport const x = main;\n", /no-restricted-imports.*depend on src\/api only/],
  ])('%s: %s is rejected', async (file, code, rule) => {
    expect(await problems(file, code)).toEqual(expect.arrayContaining([expect.stringMatching(rule)]));
  });

  it('allows I/O outside the pure layers', async () => {
    expect(await problems('src/synth/x.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n")).toEqual([]);
  });
});
