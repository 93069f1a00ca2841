// Every example pipeline, as `kayci synth` writes it, is accepted by a real API server: applied
// server-side without a warning (no unknown field) and stored as sent (the CRD schema prunes
// nothing, and its validation agrees with kayci's).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { admin, install, kayci, ROOT } from './kayci.ts';
import type { KubeObject } from './kube.ts';

const kube = admin();
const NS = 'examples';
let scratch: string;

beforeAll(async () => {
  await install(kube);
  await kube.ensureNamespace(NS);
  scratch = mkdtempSync(join(tmpdir(), 'kayci-cluster-examples-'));
});
afterAll(async () => {
  rmSync(scratch, { recursive: true, force: true });
  await kube.close();
});

/** Paths (a.b[0].c) of `sent` whose value `stored` lacks or has otherwise. */
function missing(sent: unknown, stored: unknown, path = ''): string[] {
  if (Array.isArray(sent)) {
    if (!Array.isArray(stored) || stored.length !== sent.length) return [path];
    return sent.flatMap((v, i) => missing(v, stored[i], `${path}[${i}]`));
  }
  if (sent !== null && typeof sent === 'object') {
    if (stored === null || typeof stored !== 'object') return [path];
    return Object.entries(sent).flatMap(([k, v]) => missing(v, (stored as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
  }
  return sent === stored ? [] : [path];
}

async function applyExample(yaml: string): Promise<{ kinds: string[]; warnings: string[]; pruned: string[] }> {
  const { objects, warnings } = await kube.applyYaml(yaml, NS);
  const sent = parseAllDocuments(yaml).map((d) => d.toJS() as KubeObject).filter(Boolean);
  const pruned = sent.flatMap((object, i) => missing(object.spec, objects[i]!.spec, `${object.kind}/${object.metadata.name}.spec`));
  return { kinds: objects.map((o) => `${o.kind}/${o.metadata.name}`), warnings, pruned };
}

describe('example pipelines on a real API server', () => {
  it('examples/go-service', async () => {
    const { kinds, warnings, pruned } = await applyExample(await kayci('synth', 'examples/go-service', '--stdout'));
    expect(warnings).toEqual([]);
    expect(pruned).toEqual([]);
    expect(kinds).toContain('Pipeline/go-service');
    expect(kinds).toContain('Trigger/go-service-github');
  });

  it('examples/c-library', async () => {
    const { kinds, warnings, pruned } = await applyExample(await kayci('synth', 'examples/c-library', '--stdout'));
    expect(warnings).toEqual([]);
    expect(pruned).toEqual([]);
    expect(kinds.filter((k) => k.startsWith('Pipeline/'))).toHaveLength(1);
  });

  it("examples/recipe-package (a team's preset, synthesized from an entry that uses it)", async () => {
    const entry = join(scratch, 'kayci.ts');
    writeFileSync(entry, [
      `import { App } from ${JSON.stringify(join(ROOT, 'node_modules/kayci/constructs/index.ts'))};`,
      `import { AcmeGoService } from ${JSON.stringify(join(ROOT, 'examples/recipe-package/src/index.ts'))};`,
      'const app = new App();',
      "new AcmeGoService(app, 'billing', { service: 'billing', strict: true, build: { platforms: ['linux/amd64', 'linux/arm64'] } });",
      'app.synth();',
      '',
    ].join('\n'));
    const { kinds, warnings, pruned } = await applyExample(await kayci('synth', entry, '--stdout'));
    expect(warnings).toEqual([]);
    expect(pruned).toEqual([]);
    expect(kinds).toContain('Pipeline/billing');
  });

  it('rejects what the schema forbids, as kayci validation does (the CRD validates, not only kayci)', async () => {
    const bad = { apiVersion: 'kayci.dev/v1alpha1', kind: 'Pipeline', metadata: { name: 'bad', namespace: NS }, spec: { jobs: [{ name: 'x', retries: -1, template: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } } }] } };
    const error = await kube.apply(bad as KubeObject).then(() => undefined, (e: Error) => e);
    expect(error?.message).toMatch(/422|Invalid/);
  });
});
