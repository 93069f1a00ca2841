// The C recipes run for real by `kayci run`, on a copy of examples/c-library with the machine's
// cmake, ctest, make, cppcheck, clang-tidy, gcovr and gcc: a build, its tests and both linters,
// and a coverage build reported by gcovr (with CMake and with the Makefile); CMake's ccache
// launcher (through a stand-in ccache) with the cache in its local directory; then a broken
// assertion fails the tests, and a bug fails cppcheck, visibly.
import { chmodSync, cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, vi } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { captureIo, project, scratchDir } from '../../helpers/project.ts';
import { itWithTools } from '../../helpers/tools.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const EXAMPLE = path.join(ROOT, 'examples/c-library');
const LEFTOVERS = new Set(['build', 'build-asan', '.kayci', 'dist']);

// recipes/index.ts does not re-export the C recipes yet, so `kayci/recipes` cannot reach them:
// the entry imports them by path (the same files `kayci` resolves to, so one copy of each class).
const ENTRY = (recipes: string) => `
import { App, Job, Pipeline } from 'kayci';
import { CBuild, CCoverage, ClangTidy, CppCheck, CTest } from '${recipes}';

const app = new App();
const p = new Pipeline(app, 'c-recipes', { workspace: { size: '1Gi' } });

const build = new CBuild(p, { install: true });
const test = new CTest(p, { build });
const cppcheck = new CppCheck(p, { needs: [test] });
const tidy = new ClangTidy(p, { build, needs: [test] });

const coverageBuild = new CBuild(p, 'coverage-build', { coverage: true, buildDir: 'build-coverage' });
const coverageTest = new CTest(p, 'coverage-test', { build: coverageBuild });
const coverage = new CCoverage(p, { test: coverageTest, exclude: ['tests/'], failUnderLine: 50 });

new Job(p, 'report', {
  image: 'alpine:3.20',
  needs: [cppcheck, tidy],
  run: [
    \`echo "installed to \${build.results.prefix}"\`,
    \`echo "\${test.results.tests} tests, \${test.results.failed} failed, report \${test.results.junit}"\`,
    \`echo "cppcheck: \${cppcheck.results.issues} issues, clang-tidy: \${tidy.results.issues} issues"\`,
    \`echo "line coverage \${coverage.results.coverage}% (\${coverage.results.cobertura})"\`,
  ].join('\\n'),
});

app.synth();
`;

// The example's Makefile: a coverage build, its test target (with the build's variables), gcovr.
const MAKE_ENTRY = (recipes: string) => `
import { App, Job, Pipeline } from 'kayci';
import { CBuild, CCoverage, MakeTest } from '${recipes}';

const app = new App();
const p = new Pipeline(app, 'c-make', { workspace: { size: '1Gi' } });
const build = new CBuild(p, { buildSystem: 'make', coverage: true, buildDir: 'build-make', makeArgs: ['BUILD_DIR=build-make'] });
const test = new MakeTest(p, { build });
const coverage = new CCoverage(p, { test, exclude: ['tests/'] });
new Job(p, 'report', { image: 'alpine:3.20', run: \`echo "line coverage \${coverage.results.coverage}%"\` });
app.synth();
`;

const CCACHE_ENTRY = (recipes: string) => `
import { App, Pipeline } from 'kayci';
import { CBuild, CTest } from '${recipes}';

const app = new App();
const p = new Pipeline(app, 'c-ccache', { workspace: { size: '1Gi' } });
new CTest(p, { build: new CBuild(p, { ccache: true }) });
app.synth();
`;

/** A copy of the example with the given entry, without what earlier builds left in it. */
function libraryProject(entry = ENTRY): string {
  const dir = project({}, 'c-recipes-');
  cpSync(EXAMPLE, dir, { recursive: true, filter: (src) => !LEFTOVERS.has(path.relative(EXAMPLE, src).split(path.sep)[0]!) });
  writeFileSync(path.join(dir, 'kayci.ts'), entry(path.relative(dir, path.join(ROOT, 'recipes/c/index.ts'))));
  return dir;
}

async function kayciRun(dir: string, ...args: string[]) {
  const io = captureIo(dir);
  const code = await main(['run', dir, ...args], io);
  return { code, out: io.stdout, err: io.stderr };
}

/** What the job printed, without its `name │ ` prefix and the runner's start and end lines. */
function jobLines(out: string, job: string): string[] {
  const prefix = new RegExp(`^${job} +│ `);
  return out
    .split('\n')
    .filter((l) => prefix.test(l))
    .map((l) => l.replace(prefix, ''))
    .filter((l) => !/^[▶✓✗] /.test(l));
}

const it = itWithTools(['cmake', 'ctest', 'make', 'gcc', 'cppcheck', 'clang-tidy', 'gcovr']);

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('C recipes under kayci run, on examples/c-library', () => {
  it('build → test → cppcheck ∥ clang-tidy, and coverage build → test → gcovr, all succeed', async () => {
    const dir = libraryProject();
    const { code, out, err } = await kayciRun(dir);
    expect(err).toBe('');
    expect(code, out).toBe(0);
    for (const job of ['build', 'test', 'cppcheck', 'clang-tidy', 'coverage-build', 'coverage-test', 'coverage', 'report']) {
      expect(out).toMatch(new RegExp(`^${job} +Succeeded +`, 'm'));
    }

    // The CMake build was installed and exported its compilation database.
    for (const f of ['build/libsemver.a', 'build/compile_commands.json', 'dist/lib/libsemver.a', 'dist/include/semver.h', 'dist/lib/cmake/semver/semverConfig.cmake']) {
      expect(existsSync(path.join(dir, f)), f).toBe(true);
    }

    // ctest ran both test programs and wrote them to the JUnit report.
    const junit = readFileSync(path.join(dir, 'build/ctest-junit.xml'), 'utf8');
    expect(junit).toMatch(/\btests="2"/);
    expect(junit).toMatch(/\bfailures="0"/);
    expect([...junit.matchAll(/<testcase name="(\w+)"/g)].map((m) => m[1]).sort()).toEqual(['test_compare', 'test_parse']);
    expect(jobLines(out, 'test')).toContainEqual(expect.stringMatching(/^100% tests passed, 0 tests failed out of 2$/));

    // The linters found nothing; clang-tidy checked the library and the tests.
    expect(jobLines(out, 'cppcheck').filter((l) => /: (error|warning|style|performance|portability): /.test(l))).toEqual([]);
    expect(jobLines(out, 'clang-tidy')).toEqual(['clang-tidy: checking 4 files']);

    // gcovr reported the library's sources only (tests/ excluded), with their coverage.
    const table = jobLines(out, 'coverage');
    expect(table.filter((l) => /^src\//.test(l)).map((l) => l.split(/\s+/)[0])).toEqual(['src/compare.c', 'src/parse.c']);
    expect(table.some((l) => l.startsWith('tests/'))).toBe(false);
    const cobertura = readFileSync(path.join(dir, '.kayci/out/coverage/cobertura.xml'), 'utf8');
    expect(cobertura).toMatch(/<coverage line-rate="0\.\d+|<coverage line-rate="1\.0"/);
    const summary = JSON.parse(readFileSync(path.join(dir, '.kayci/out/coverage/summary.json'), 'utf8')) as { line_percent: number };

    // The results reached the job that needs them all.
    const report = jobLines(out, 'report');
    expect(report[0]).toBe('installed to dist');
    expect(report[1]).toBe('2 tests, 0 failed, report build/ctest-junit.xml');
    expect(report[2]).toBe('cppcheck: 0 issues, clang-tidy: 0 issues');
    const m = /^line coverage (\d+(?:\.\d+)?)% \(\.kayci\/out\/coverage\/cobertura\.xml\)$/.exec(report[3] ?? '');
    expect(m, report.join('\n')).not.toBeNull();
    const percent = Number(m![1]);
    expect(percent).toBe(summary.line_percent);
    // The tests exercise nearly every line of libsemver.
    expect(percent).toBeGreaterThan(80);
    expect(percent).toBeLessThanOrEqual(100);
  });

  it('make build with coverage → MakeTest → gcovr', async () => {
    const dir = libraryProject(MAKE_ENTRY);
    const { code, out, err } = await kayciRun(dir);
    expect(err).toBe('');
    expect(code, out).toBe(0);
    expect(jobLines(out, 'build')).toContainEqual(expect.stringMatching(/^gcc .*--coverage -c src\/parse\.c -o build-make\/obj\/parse\.o$/));
    // The tests are built with the build's variables: into its directory, instrumented.
    expect(jobLines(out, 'test')).toContainEqual(expect.stringMatching(/^gcc .*--coverage tests\/test_parse\.c build-make\/libsemver\.a --coverage -o build-make\/tests\/test_parse$/));
    expect(jobLines(out, 'test')).toContainEqual(expect.stringMatching(/^test_compare: \d+ checks, 0 failed: OK$/));
    expect(jobLines(out, 'coverage').filter((l) => /^src\//.test(l)).map((l) => l.split(/\s+/)[0])).toEqual(['src/compare.c', 'src/parse.c']);
    const m = /^line coverage (\d+(?:\.\d+)?)%$/.exec(jobLines(out, 'report')[0] ?? '');
    expect(m, out).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(80);
    expect(Number(m![1])).toBeLessThanOrEqual(100);
  });

  it('ccache: CMake launches the compiler through it, with its directory in the local cache', async () => {
    // ccache is not installed here: a stand-in logs where it keeps its files, then compiles.
    const bin = scratchDir('kayci-ccache-bin-');
    writeFileSync(path.join(bin, 'ccache'), '#!/bin/sh\necho "$*" >> "$CCACHE_DIR/calls.log"\nexec "$@"\n');
    chmodSync(path.join(bin, 'ccache'), 0o755);
    const cacheHome = scratchDir('kayci-cache-home-');
    vi.stubEnv('PATH', `${bin}${path.delimiter}${process.env.PATH}`);
    vi.stubEnv('XDG_CACHE_HOME', cacheHome);
    const dir = libraryProject(CCACHE_ENTRY);
    const { code, out, err } = await kayciRun(dir);
    expect(err).toBe('');
    expect(code, out).toBe(0);
    const calls = readFileSync(path.join(cacheHome, 'kayci/volumes/kayci-cache-ccache/calls.log'), 'utf8').split('\n').filter(Boolean);
    // Every compilation went through ccache, the compiler (CC=gcc) after it.
    expect(calls.map((c) => [path.basename(c.split(' ')[0]!), c.split(' ').at(-1)!.replace(dir, '')]).sort()).toEqual([
      ['gcc', '/src/compare.c'],
      ['gcc', '/src/parse.c'],
      ['gcc', '/tests/test_compare.c'],
      ['gcc', '/tests/test_parse.c'],
    ]);
    expect(jobLines(out, 'test')).toContainEqual('100% tests passed, 0 tests failed out of 2');
  });

  it('a broken assertion fails CTest, with the failing check in the output', async () => {
    const dir = libraryProject();
    const file = path.join(dir, 'tests/test_compare.c');
    const source = readFileSync(file, 'utf8');
    const broken = source.replace('CHECK_STR(bumped("1.2.3", semver_bump_minor), "1.3.0");', 'CHECK_STR(bumped("1.2.3", semver_bump_minor), "1.4.0");');
    expect(broken).not.toBe(source);
    writeFileSync(file, broken);
    const line = broken.split('\n').findIndex((l) => l.includes('"1.4.0"')) + 1;

    const { code, out } = await kayciRun(dir, '--job', 'test');
    expect(code).toBe(1);
    expect(out).toMatch(/^build +Succeeded +/m);
    expect(out).toMatch(/^test +Failed +/m);
    const lines = jobLines(out, 'test');
    expect(lines).toContainEqual(expect.stringMatching(/Test +#\d+: test_compare \.+\*+Failed/));
    // --output-on-failure shows the failing program's output: the check, where it is, the tally.
    expect(lines).toContain(`${dir}/tests/test_compare.c:${line}: FAIL: got "1.3.0", want "1.4.0"`);
    expect(lines).toContain('test_compare: 262 checks, 1 failed: FAIL');
    expect(lines).toContainEqual(expect.stringMatching(/^50% tests passed, 1 tests failed out of 2$/));
    expect(lines.at(-1)).toBe('exited with code 8');
    // The run's summary repeats the end of the log.
    expect(out).toContain(`${dir}/tests/test_compare.c:${line}: FAIL: got "1.3.0", want "1.4.0"\ntest_compare: 262 checks, 1 failed: FAIL\n`);
    // The JUnit report records the failure too.
    expect(readFileSync(path.join(dir, 'build/ctest-junit.xml'), 'utf8')).toMatch(/\bfailures="1"/);
  });

  it('a bug in the sources fails CppCheck, one finding per line', async () => {
    const dir = libraryProject();
    writeFileSync(path.join(dir, 'src/scratch.c'), 'int scratch(void) {\n  int a[2] = {0, 0};\n  return a[2];\n}\n');
    const { code, out } = await kayciRun(dir, '--job', 'cppcheck');
    expect(code).toBe(1);
    expect(out).toMatch(/^cppcheck +Failed +/m);
    expect(jobLines(out, 'cppcheck')).toEqual([
      "src/scratch.c:3:11: error: Array 'a[2]' accessed at index 2, which is out of bounds. [arrayIndexOutOfBounds]",
      "src/scratch.c:2:7: style: Variable 'a' can be declared as const array [constVariable]",
      'exited with code 1',
    ]);
  });
});
