// Every example synthesizes to exactly its golden YAML, through the library and through the
// real `kayci` binary, and what it produces is valid for our CRDs and for Kubernetes.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { validatePipeline, validateTrigger } from '../../src/api/index.ts';
import { synth } from '../../src/synth/index.ts';
import { EXAMPLES, ROOT, exampleDir, goldenDir } from './examples.ts';
import { scratchDir } from '../helpers/project.ts';

const run = promisify(execFile);

function goldenFiles(example: string): Map<string, string> {
  const dir = goldenDir(example);
  return new Map(readdirSync(dir).filter((f) => f.endsWith('.k8s.yaml')).map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]));
}

describe.each(EXAMPLES)('example %s', (example) => {
  it('synthesizes to its golden, byte for byte', async () => {
    const result = await synth({ entry: exampleDir(example) });
    const golden = goldenFiles(example);
    expect([...golden.keys()].sort(), 'golden files (update with `npm run golden` and review the diff)').toEqual(result.files.map((f) => f.name).sort());
    for (const f of result.files) expect(f.content, `${f.name} differs from test/golden/${example}/${f.name}; if the change is intended run \`npm run golden\``).toBe(golden.get(f.name));
  });

  it('`kayci synth` writes the same files', async () => {
    const out = scratchDir(`kayci-golden-${example}-`);
    const { stdout } = await run(process.execPath, [path.join(ROOT, 'bin/kayci.js'), 'synth', exampleDir(example), '--out', out], { cwd: ROOT });
    expect(stdout).toMatch(/^wrote /m);
    for (const [name, content] of goldenFiles(example)) expect(readFileSync(path.join(out, name), 'utf8')).toBe(content);
  });

  it('holds only objects valid for the CRDs and for Kubernetes', () => {
    for (const [name, content] of goldenFiles(example)) {
      const docs = parseAllDocuments(content).map((d) => d.toJS() as { kind: string });
      expect(docs.length, name).toBeGreaterThan(0);
      for (const doc of docs) {
        const errors = doc.kind === 'Pipeline' ? validatePipeline(doc) : validateTrigger(doc);
        expect(errors, `${name} ${doc.kind}`).toEqual([]);
      }
    }
  });
});
