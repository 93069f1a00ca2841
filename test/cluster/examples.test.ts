// Every example pipeline, as `kayci synth` writes it, is accepted by a real API server: applied
// server-side without a warning (no unknown field) and stored as sent (the CRD schema prunes
// nothing). runs.test.ts runs them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { admin, EXAMPLES, install, synthExample } from './kayci.ts';
import type { KubeObject } from './kube.ts';

const kube = admin();
const NS = 'examples';

beforeAll(async () => {
  await install(kube);
  await kube.ensureNamespace(NS);
});
afterAll(() => kube.close());

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

describe('example pipelines on a real API server', () => {
  it.each(EXAMPLES)('examples/%s is applied without warnings and stored as sent', async (example) => {
    const yaml = await synthExample(example);
    const { objects, warnings } = await kube.applyYaml(yaml, NS);
    expect(warnings).toEqual([]);
    const sent = parseAllDocuments(yaml).map((d) => d.toJS() as KubeObject).filter(Boolean);
    expect(sent.flatMap((object, i) => missing(object.spec, objects[i]!.spec, `${object.kind}/${object.metadata.name}.spec`))).toEqual([]);
    expect(objects.filter((o) => o.kind === 'Pipeline')).toHaveLength(1);
    console.log(`examples/${example}: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  });

  it('rejects what the schema forbids, as kayci validation does (the CRD validates, not only kayci)', async () => {
    const bad = { apiVersion: 'kayci.dev/v1alpha1', kind: 'Pipeline', metadata: { name: 'bad', namespace: NS }, spec: { jobs: [{ name: 'x', retries: -1, template: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } } }] } };
    const error = await kube.apply(bad as KubeObject).then(() => undefined, (e: Error) => e);
    expect(error?.message).toMatch(/422|Invalid/);
  });
});
