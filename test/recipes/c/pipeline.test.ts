// The C recipes together: a whole pipeline renders, validates and synthesizes; recipes that read
// another job's files ask for a workspace; and the index exports the public API.
import { describe, expect, it } from 'vitest';
import { App, Pipeline } from '../../../constructs/index.ts';
import * as c from '../../../recipes/c/index.ts';
import { CBuild, CCoverage, ClangTidy, CppCheck, CTest, MakeTest } from '../../../recipes/c/index.ts';
import { specOf } from './render.ts';

function fullPipeline(p: Pipeline) {
  const build = new CBuild(p, { install: true, ccache: true });
  const test = new CTest(p, { build });
  new CppCheck(p, { needs: [test] });
  new ClangTidy(p, { build, needs: [test] });
  const covBuild = new CBuild(p, 'coverage-build', { coverage: true, buildDir: 'build-coverage' });
  const covTest = new CTest(p, 'coverage-test', { build: covBuild });
  new CCoverage(p, { test: covTest, exclude: ['tests/'] });
  const makeBuild = new CBuild(p, 'make-build', { buildSystem: 'make', compiler: 'clang' });
  new MakeTest(p, 'make-test', { build: makeBuild });
  new CBuild(p, 'meson-build', { buildSystem: 'meson', buildDir: 'build-meson', install: true, prefix: 'dist-meson' });
}

describe('C recipes in one pipeline', () => {
  it('render a valid DAG with distinct default ids', () => {
    const p = new Pipeline(new App(), 'c-library', { workspace: { size: '1Gi' } });
    fullPipeline(p);
    expect(specOf(p).jobs.map((j) => [j.name, j.needs ?? []])).toEqual([
      ['build', []],
      ['test', ['build']],
      ['cppcheck', ['test']],
      ['clang-tidy', ['test', 'build']],
      ['coverage-build', []],
      ['coverage-test', ['coverage-build']],
      ['coverage', ['coverage-test', 'coverage-build']],
      ['make-build', []],
      ['make-test', ['make-build']],
      ['meson-build', []],
    ]);
  });

  it('ask for a workspace when a job reads files another one writes', () => {
    const p = new Pipeline(new App(), 'bare');
    fullPipeline(p);
    const errors = p.render().errors;
    expect(errors.map((e) => e.construct)).toEqual(['bare/test', 'bare/clang-tidy', 'bare/coverage-test', 'bare/coverage', 'bare/make-test']);
    expect(errors[0]!.message).toBe(
      "reads the build directory build that bare/build writes, which needs the pipeline's workspace: add `workspace: { size: '2Gi' }` to the Pipeline's props",
    );
    expect(errors[3]!.message).toMatch(/^reads the coverage counters in build-coverage that bare\/coverage-build writes, /);
  });

  it('synthesize with cdk8s as well', () => {
    const app = new App();
    fullPipeline(new Pipeline(app, 'c-library', { workspace: { size: '1Gi' } }));
    const [doc] = app.charts[0]!.toJson() as { kind: string; spec: { jobs: unknown[] } }[];
    expect(doc!.kind).toBe('Pipeline');
    expect(doc!.spec.jobs).toHaveLength(10);
  });

  it('export the public API from the index', () => {
    expect(Object.keys(c).sort()).toEqual(['CBuild', 'CCoverage', 'CLANG_TIDY_CHECKS', 'CTest', 'C_TOOLS', 'ClangTidy', 'CppCheck', 'MakeTest', 'compilerEnv']);
  });
});
