// CCoverage: gcovr over a coverage build after its tests, the reports and the results it writes,
// clang's gcov, and the builds it refuses (not instrumented, not the one tested).
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IMAGES } from '../../../recipes/images.ts';
import { CBuild, C_TOOLS, CCoverage, CTest, MakeTest } from '../../../recipes/c/index.ts';
import { scratchDir } from '../../helpers/project.ts';
import { checkSyntax, jobOf, pipeline, shellScript } from './render.ts';

describe('CCoverage', () => {
  it('reports a tested coverage build: Cobertura XML, JSON and text summaries, line coverage', () => {
    const p = pipeline();
    const build = new CBuild(p, 'coverage-build', { coverage: true, buildDir: 'build-cov' });
    const test = new CTest(p, 'coverage-test', { build });
    const cov = new CCoverage(p, { test });
    expect([cov.node.id, cov.build, cov.outputDir]).toEqual(['coverage', build, '.kayci/out/coverage']);
    const j = jobOf(p, 'coverage');
    expect(j.image).toBe(IMAGES.gcovr);
    expect(j.tools).toEqual({ gcovr: C_TOOLS.gcovr });
    expect(j.job.needs).toEqual(['coverage-test', 'coverage-build']);
    expect(j.job.results).toEqual([{ name: 'coverage' }, { name: 'cobertura' }]);
    expect(j.lines).toEqual([
      'command -v gcovr >/dev/null || python3 -m pip install --quiet --no-cache-dir gcovr==8.3',
      'mkdir -p .kayci/out/coverage',
      'status=0',
      "gcovr build-cov --root . --exclude-directories '.*/CMakeFiles/[0-9]' --txt --print-summary --cobertura .kayci/out/coverage/cobertura.xml --json-summary .kayci/out/coverage/summary.json --json-summary-pretty > .kayci/out/coverage/summary.txt || status=$?",
      'cat .kayci/out/coverage/summary.txt',
      "coverage=$$(sed -n 's/^lines: \\([0-9.]*\\)%.*/\\1/p' .kayci/out/coverage/summary.txt | head -n 1)",
      'echo "coverage=${coverage:-0}" >> "$KAYCI_RESULTS_FILE"',
      'echo cobertura=.kayci/out/coverage/cobertura.xml >> "$KAYCI_RESULTS_FILE"',
      'exit "$status"',
    ]);
    expect(String(cov.results.coverage)).toBe('$(KAYCI_RESULT_COVERAGE_COVERAGE)');
    checkSyntax(j.script);
  });

  it('takes filters, a minimum, an output directory, gcov and arguments; root follows the build', () => {
    const p = pipeline();
    const build = new CBuild(p, { coverage: true, sourceDir: 'lib' });
    new CCoverage(p, 'cov', { build, filter: ['lib/src/'], exclude: ['lib/tests/', '.*_gen\\.c'], failUnderLine: 80.5, outputDir: 'reports/cov', gcovExecutable: 'gcov-12', args: ['--exclude-unreachable-branches'] });
    const j = jobOf(p, 'cov');
    expect(j.job.needs).toEqual(['build']);
    expect(j.lines[3]).toBe(
      "gcovr build --root lib --filter lib/src/ --exclude lib/tests/ --exclude '.*_gen\\.c' --exclude-directories '.*/CMakeFiles/[0-9]' --gcov-executable gcov-12 --txt --print-summary --cobertura reports/cov/cobertura.xml --json-summary reports/cov/summary.json --json-summary-pretty --fail-under-line 80.5 --exclude-unreachable-branches > reports/cov/summary.txt || status=$?",
    );
    checkSyntax(j.script);
  });

  it('uses llvm-cov gcov for a clang build', () => {
    const p = pipeline();
    const build = new CBuild(p, { coverage: true, compiler: 'clang', buildSystem: 'make' });
    new CCoverage(p, { test: new MakeTest(p, { build }) });
    const j = jobOf(p, 'coverage');
    expect(j.lines[3]).toContain("--gcov-executable 'llvm-cov gcov'");
    expect(j.tools).toEqual({ gcovr: C_TOOLS.gcovr, 'llvm-cov': C_TOOLS['llvm-cov'] });
  });

  it('without a build, reads the given build directory', () => {
    const p = pipeline();
    new CCoverage(p, { buildDir: 'out' });
    const j = jobOf(p, 'coverage');
    expect(j.job.needs).toBeUndefined();
    expect(j.lines[3]).toMatch(/^gcovr out --root \. /);
  });

  it('writes the line coverage gcovr prints, and keeps gcovr\'s exit status', () => {
    const p = pipeline();
    new CCoverage(p, { failUnderLine: 99 });
    const dir = scratchDir('kayci-gcovr-');
    mkdirSync(path.join(dir, 'bin'));
    writeFileSync(path.join(dir, 'bin/gcovr'), '#!/bin/sh\necho "TOTAL   132  131  99%"\necho "lines: 98.3% (175 out of 178)"\necho "functions: 100.0% (19 out of 19)"\nexit 2\n');
    chmodSync(path.join(dir, 'bin/gcovr'), 0o755);
    const results = path.join(dir, 'results');
    const r = spawnSync('sh', ['-ec', shellScript(jobOf(p, 'coverage').script)], { cwd: dir, env: { ...process.env, PATH: `${dir}/bin:${process.env.PATH}`, KAYCI_RESULTS_FILE: results }, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('TOTAL   132  131  99%\nlines: 98.3% (175 out of 178)\nfunctions: 100.0% (19 out of 19)\n');
    expect(readFileSync(path.join(dir, '.kayci/out/coverage/summary.txt'), 'utf8')).toBe(r.stdout);
    expect(readFileSync(results, 'utf8')).toBe('coverage=98.3\ncobertura=.kayci/out/coverage/cobertura.xml\n');
  });

  it('rejects builds without coverage, builds other than the tested one, and bad minimums', () => {
    const p = pipeline();
    const plain = new CBuild(p);
    const cov = new CBuild(p, 'cov-build', { coverage: true, buildDir: 'build-cov' });
    const test = new CTest(p, 'cov-test', { build: cov });
    expect(() => new CCoverage(p, { build: plain })).toThrow(/^\[c\/coverage\] build: c\/build is not instrumented for coverage: give it coverage: true/);
    expect(() => new CCoverage(p, { test: new CTest(p, { build: plain }) })).toThrow(/^\[c\/coverage\] build: c\/build is not instrumented for coverage/);
    expect(() => new CCoverage(p, { test, build: plain })).toThrow(/^\[c\/coverage\] build: c\/build is not the build c\/cov-test tested \(c\/cov-build\)/);
    expect(() => new CCoverage(p, { test, buildDir: 'x' })).toThrow(/^\[c\/coverage\] buildDir: cannot be combined with test/);
    expect(() => new CCoverage(p, { build: cov, buildDir: 'x' })).toThrow(/^\[c\/coverage\] buildDir: cannot be combined with build/);
    for (const min of [-1, 100.1, Number.NaN]) expect(() => new CCoverage(p, { test, failUnderLine: min })).toThrow(/^\[c\/coverage\] failUnderLine: must be a percentage from 0 to 100/);
    expect(() => new CCoverage(p, { test, gcovExecutable: ' ' })).toThrow(/^\[c\/coverage\] gcovExecutable: /);
    expect(() => new CCoverage(p, { test, outputDir: '' })).toThrow(/^\[c\/coverage\] outputDir: must be a path/);
  });
});
