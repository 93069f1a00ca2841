// The presets wire recipes into whole pipelines: which jobs exist, what each waits for, and that
// every part can be overridden or removed.
import { describe, expect, it } from 'vitest';
import { App, Secret } from '../../../constructs/index.ts';
import type { PipelineSpec } from '../../../src/api/v1alpha1/pipeline.ts';
import { CPipeline, GoPipeline } from '../../../recipes/index.ts';

function spec(p: { render(): { errors: unknown[]; documents: Record<string, unknown>[] } }): PipelineSpec {
  const r = p.render();
  expect(r.errors).toEqual([]);
  return r.documents[0]!.spec as PipelineSpec;
}

const needsOf = (s: PipelineSpec) => Object.fromEntries(s.jobs.map((j) => [j.name, j.needs ?? []]));
const key = Secret.fromName('cosign').key('cosign.key');
const image = { registry: 'ghcr.io', repository: 'acme/svc' };

describe('GoPipeline', () => {
  it('defaults: checkout, then vet ∥ lint ∥ test ∥ build, in a workspace, every image pinned', () => {
    const p = new GoPipeline(new App(), 'svc', { strict: true });
    const s = spec(p);
    expect(needsOf(s)).toEqual({ checkout: [], vet: ['checkout'], lint: ['checkout'], test: ['checkout'], 'build-linux-amd64': ['checkout'] });
    expect(s.workspace).toEqual({ size: '5Gi' });
    expect(p.published).toBeUndefined();
  });

  it('parts are removed with false and overridden with props', () => {
    const p = new GoPipeline(new App(), 'svc', { lint: false, vet: false, checkout: false, vulncheck: true, test: { race: false }, build: { platforms: ['linux/amd64', 'darwin/arm64'] }, workspace: { size: '1Gi' } });
    const s = spec(p);
    expect(Object.keys(needsOf(s))).toEqual(['test', 'vulncheck', 'build-linux-amd64', 'build-darwin-arm64']);
    expect(p.lint).toBeUndefined();
    expect(p.builds.map((b) => b.platform)).toEqual(['linux/amd64', 'darwin/arm64']);
    expect(s.workspace).toEqual({ size: '1Gi' });
  });

  it('publishes for tags: image after the checks and the build → push → sbom → sign (attesting the SBOM) → scan', () => {
    const p = new GoPipeline(new App(), 'svc', { image, sign: { key } });
    const s = spec(p);
    const needs = needsOf(s);
    expect(needs.image).toEqual(expect.arrayContaining(['vet', 'lint', 'test', 'build-linux-amd64']));
    expect(needs.push).toEqual(['image']);
    expect(needs.sbom).toEqual(['push']);
    expect(needs.sign).toEqual(expect.arrayContaining(['push', 'sbom']));
    expect(needs.scan).toEqual(['sbom']);
    for (const name of ['image', 'push', 'sbom', 'sign', 'scan']) expect(s.jobs.find((j) => j.name === name)!.when).toEqual({ events: ['tag'] });
    expect(p.published?.sign?.node.id).toBe('sign');
  });

  it('publishing can be moved to other events, and SBOM, signature and scan can each be left out', () => {
    const p = new GoPipeline(new App(), 'svc', { image, sign: false, sbom: false, publishWhen: { branches: ['main'] } });
    const needs = needsOf(spec(p));
    expect(Object.keys(needs)).not.toContain('sign');
    expect(Object.keys(needs)).not.toContain('sbom');
    expect(needs.scan).toEqual(['push']);
    expect(spec(p).jobs.find((j) => j.name === 'push')!.when).toEqual({ branches: ['main'] });
  });

  it('an image needs a decision about signing, and a linux build', () => {
    expect(() => new GoPipeline(new App(), 'svc', { image })).toThrow(/\[svc\] sign: an image needs a signature: give sign: \{ key/);
    expect(() => new GoPipeline(new App(), 'svc', { image, sign: { key }, build: { platforms: ['darwin/arm64'] } })).toThrow(/\[svc\] image: needs a linux build/);
  });
});

describe('CPipeline', () => {
  it('defaults: checkout, then build → test and cppcheck, every image pinned', () => {
    const p = new CPipeline(new App(), 'lib', { strict: true });
    expect(needsOf(spec(p))).toEqual({ checkout: [], build: ['checkout'], test: ['build'], cppcheck: ['checkout'] });
  });

  it('adds clang-tidy and a coverage build on request', () => {
    const p = new CPipeline(new App(), 'lib', { clangTidy: true, coverage: true, cppcheck: false, checkout: false });
    const needs = needsOf(spec(p));
    expect(needs['clang-tidy']).toEqual(['build']);
    expect(needs['coverage-test']).toEqual(['coverage-build']);
    expect(needs.coverage).toEqual(expect.arrayContaining(['coverage-test']));
    expect(Object.keys(needs)).not.toContain('cppcheck');
  });

  it('with an image, installs the build and puts the install tree in the image', () => {
    const p = new CPipeline(new App(), 'lib', { image, sign: { key } });
    const s = spec(p);
    const build = s.jobs.find((j) => j.name === 'build')!;
    expect(JSON.stringify(build.template)).toContain('cmake --install');
    expect(needsOf(s).image).toEqual(expect.arrayContaining(['test', 'cppcheck', 'build']));
    expect(JSON.stringify(s.jobs.find((j) => j.name === 'image')!.template)).toContain('$(KAYCI_RESULT_BUILD_PREFIX)');
  });
});
