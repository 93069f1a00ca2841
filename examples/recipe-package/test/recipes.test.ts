// A team's recipe package tests itself like kayci does: the YAML it produces is compared with
// golden files, and what must fail at compile time is checked by the type checker.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { App, Pipeline } from 'kayci';
import { validatePipeline } from 'kayci/api';
import { AcmeGoService, GoModTidy } from '../src/index.ts';
import { GOLDEN, renderBilling } from './render.ts';

describe('@acme/kayci-recipes', () => {
  it('AcmeGoService renders exactly its golden YAML, with every image pinned', () => {
    const { file, yaml, errors } = renderBilling();
    expect(errors).toEqual([]);
    expect(yaml, 'run `npm run golden` in examples/recipe-package if the change is intended').toBe(readFileSync(new URL(file, GOLDEN), 'utf8'));
  });

  it('puts the go.mod check before the tests and keeps the company defaults overridable', () => {
    const app = new App();
    const svc = new AcmeGoService(app, 'orders', { service: 'orders', retention: { succeeded: 1 } });
    const [doc] = svc.render().documents;
    expect(validatePipeline(doc)).toEqual([]);
    const jobs = (doc!.spec as { jobs: { name: string; needs?: string[] }[]; retention: unknown }).jobs;
    expect(jobs.find((j) => j.name === 'test')!.needs).toEqual(['checkout', 'tidy']);
    expect((doc!.spec as { retention: unknown }).retention).toEqual({ succeeded: 1 });
  });

  it('GoModTidy has a typed result', () => {
    const p = new Pipeline(new App(), 'p');
    const tidy = new GoModTidy(p);
    expect(`${tidy.results.module}`).toBe('$(KAYCI_RESULT_TIDY_MODULE)');
    // @ts-expect-error: GoModTidy declares no result named `version`.
    expect(tidy.results.version).toBeUndefined();
  });
});
