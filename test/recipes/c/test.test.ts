// CTest and MakeTest: rendering with and without a build, the results CTest reads from the JUnit
// report (whatever its layout, and when tests fail), and the props they reject.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Job, PropError } from '../../../constructs/index.ts';
import { IMAGES } from '../../../recipes/images.ts';
import { CBuild, C_TOOLS, CTest, MakeTest } from '../../../recipes/c/index.ts';
import { scratchDir } from '../../helpers/project.ts';
import { checkSyntax, jobOf, pipeline, shellScript, specOf } from './render.ts';

describe('CTest', () => {
  it('runs ctest in a build\'s directory, needs the build, and reports the JUnit file and counts', () => {
    const p = pipeline();
    const build = new CBuild(p, { buildType: 'Debug' });
    const test = new CTest(p, { build });
    expect([test.node.id, test.build, test.buildDir, test.junit]).toEqual(['test', build, 'build', 'build/ctest-junit.xml']);
    const j = jobOf(p, 'test');
    expect(j.image).toBe(IMAGES.cToolchain);
    expect(j.job.needs).toEqual(['build']);
    expect(j.job.results).toEqual([{ name: 'junit' }, { name: 'tests' }, { name: 'failed' }]);
    expect(j.tools).toEqual({ ctest: C_TOOLS.ctest });
    expect(j.env).toEqual({});
    expect(j.lines[1]).toBe('ctest --test-dir build --build-config Debug --output-on-failure --no-tests=error --output-junit "$PWD"/build/ctest-junit.xml --parallel "$$(nproc)" || status=$?');
    expect(j.lines.at(-1)).toBe('exit "$status"');
    expect(String(test.results.tests)).toBe('$(KAYCI_RESULT_TEST_TESTS)');
    checkSyntax(j.script);
  });

  it('takes a build directory, report path, parallelism and ctest arguments without a build', () => {
    const p = pipeline();
    const build = new Job(p, 'compile', { image: 'x', run: 'cmake --build out' });
    const test = new CTest(p, 'unit', { buildDir: 'out', junit: '/reports/unit.xml', parallel: 2, args: ['-L', 'unit', '-E', 'slow test'], needs: [build] });
    expect([test.build, test.buildDir, test.junit]).toEqual([undefined, 'out', '/reports/unit.xml']);
    const j = jobOf(p, 'unit');
    expect(j.job.needs).toEqual(['compile']);
    expect(j.lines[1]).toBe("ctest --test-dir out --output-on-failure --no-tests=error --output-junit /reports/unit.xml --parallel 2 -L unit -E 'slow test' || status=$?");
    expect(j.lines).toContain('echo junit=/reports/unit.xml >> "$KAYCI_RESULTS_FILE"');
    checkSyntax(j.script);
  });

  it('defaults to the build directory `build`', () => {
    const p = pipeline();
    expect(new CTest(p).buildDir).toBe('build');
    expect(jobOf(p, 'test').job.needs).toBeUndefined();
  });

  describe('its script, with a stand-in ctest', () => {
    /** Runs CTest's script where `ctest` writes `report` to its --output-junit file and exits with `code`. */
    function runWith(report: string | undefined, code: number) {
      const p = pipeline();
      new CTest(p, { parallel: 2 });
      const dir = scratchDir('kayci-ctest-');
      const bin = path.join(dir, 'bin');
      mkdirSync(bin);
      mkdirSync(path.join(dir, 'build'));
      if (report !== undefined) writeFileSync(path.join(dir, 'report.xml'), report);
      // The stand-in copies the report to the path after --output-junit, which must be absolute.
      writeFileSync(path.join(bin, 'ctest'), `#!/bin/sh\necho "ctest $*"\nwhile [ $# -gt 0 ]; do if [ "$1" = --output-junit ]; then case "$2" in /*) ;; *) exit 99 ;; esac; [ ! -f ${dir}/report.xml ] || cp ${dir}/report.xml "$2"; fi; shift; done\nexit ${code}\n`);
      chmodSync(path.join(bin, 'ctest'), 0o755);
      const results = path.join(dir, 'results');
      const r = spawnSync('sh', ['-ec', shellScript(jobOf(p, 'test').script)], { cwd: dir, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, KAYCI_RESULTS_FILE: results }, encoding: 'utf8' });
      return { status: r.status, stdout: r.stdout, results: readFileSync(results, 'utf8') };
    }

    it('reads the counts from a report whose attributes span lines (ctest 3.25)', () => {
      const report = '<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="(empty)"\n\ttests="2"\n\tfailures="0"\n\tdisabled="0"\n\t>\n\t<testcase name="t" status="run"><system-out>tests="9"</system-out></testcase>\n</testsuite>\n';
      const r = runWith(report, 0);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^ctest --test-dir build --output-on-failure --no-tests=error --output-junit \/\S+\/build\/ctest-junit\.xml --parallel 2$/m);
      expect(r.results).toBe('junit=build/ctest-junit.xml\ntests=2\nfailed=0\n');
    });

    it('reads them from a one-line <testsuite>, and keeps ctest\'s failing exit status', () => {
      const r = runWith('<testsuite name="x" tests="12" failures="3" disabled="0" skipped="1" time="0.4">\n</testsuite>\n', 8);
      expect(r.status).toBe(8);
      expect(r.results).toBe('junit=build/ctest-junit.xml\ntests=12\nfailed=3\n');
    });

    it('reports zero tests when ctest wrote no report', () => {
      const r = runWith(undefined, 1);
      expect(r.status).toBe(1);
      expect(r.results).toBe('junit=build/ctest-junit.xml\ntests=0\nfailed=0\n');
    });
  });

  it('rejects builds ctest cannot test, and saying the build directory twice', () => {
    const p = pipeline();
    const make = new CBuild(p, 'make-build', { buildSystem: 'make' });
    const meson = new CBuild(p, 'meson-build', { buildSystem: 'meson' });
    const cmake = new CBuild(p, 'cmake-build');
    expect(() => new CTest(p, { build: make })).toThrow(PropError);
    expect(() => new CTest(p, { build: make })).toThrow(/^\[c\/test\] build: c\/make-build is a make build; ctest needs a CMake build directory: use MakeTest for make builds$/);
    expect(() => new CTest(p, { build: meson })).toThrow(/^\[c\/test\] build: c\/meson-build is a meson build; .*meson test -C <buildDir>/);
    expect(() => new CTest(p, { build: cmake, buildDir: 'build' })).toThrow(/^\[c\/test\] buildDir: cannot be combined with build, which already says it$/);
    expect(() => new CTest(p, { parallel: -1 })).toThrow(/^\[c\/test\] parallel: /);
    expect(() => new CTest(p, { junit: '' })).toThrow(/^\[c\/test\] junit: must be a path/);
    expect(specOf(p).jobs.map((j) => j.name)).toEqual(['make-build', 'meson-build', 'cmake-build']);
  });
});

describe('MakeTest', () => {
  it('runs the test target where a make build ran, with its compiler', () => {
    const p = pipeline();
    const build = new CBuild(p, { buildSystem: 'make', compiler: 'clang', sourceDir: 'lib' });
    const test = new MakeTest(p, { build });
    expect([test.node.id, test.build, test.sourceDir]).toEqual(['test', build, 'lib']);
    const j = jobOf(p, 'test');
    expect(j.lines).toEqual(['make -C lib -j "$$(nproc)" test']);
    expect(j.job.needs).toEqual(['build']);
    expect(j.job.results).toBeUndefined();
    expect(j.env).toEqual({ CC: 'clang', CXX: 'clang++' });
    expect(j.tools).toEqual({ make: C_TOOLS.make, clang: C_TOOLS.clang });
  });

  it('builds the tests with the build\'s variables, then its own arguments', () => {
    const p = pipeline();
    const build = new CBuild(p, { buildSystem: 'make', coverage: true, buildDir: 'out', makeArgs: ['BUILD_DIR=out', '--no-print-directory'] });
    new MakeTest(p, { build, args: ['V=1'], target: 'check' });
    expect(jobOf(p, 'test').lines).toEqual(['make -j "$$(nproc)" CFLAGS=--coverage LDFLAGS=--coverage BUILD_DIR=out V=1 check']);
  });

  it('takes a source directory, target, parallelism and make arguments', () => {
    const p = pipeline();
    new MakeTest(p, 'check', { sourceDir: 'c lib', target: 'check', parallel: 1, args: ['BUILD_DIR=out'] });
    const j = jobOf(p, 'check');
    expect(j.lines).toEqual(["make -C 'c lib' -j 1 BUILD_DIR=out check"]);
    expect(j.env).toEqual({});
    expect(j.tools).toEqual({ make: C_TOOLS.make });
    checkSyntax(j.script);
  });

  it('rejects non-make builds and odd targets', () => {
    const p = pipeline();
    const cmake = new CBuild(p);
    expect(() => new MakeTest(p, { build: cmake })).toThrow(/^\[c\/test\] build: c\/build is a cmake build; MakeTest runs a Makefile: use CTest$/);
    expect(() => new MakeTest(p, { target: 'test; rm -rf /' })).toThrow(/^\[c\/test\] target: must be a make target/);
    expect(() => new MakeTest(p, { build: new CBuild(p, 'mk', { buildSystem: 'make' }), sourceDir: 'x' })).toThrow(/^\[c\/test\] sourceDir: cannot be combined with build/);
  });
});
