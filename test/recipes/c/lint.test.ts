// CppCheck and ClangTidy: rendering (defaults and overrides), the files clang-tidy picks from a
// compilation database (CMake's absolute paths, Meson's relative ones), and rejected props.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IMAGES } from '../../../recipes/images.ts';
import { CBuild, C_TOOLS, CLANG_TIDY_CHECKS, ClangTidy, CppCheck, CTest } from '../../../recipes/c/index.ts';
import { scratchDir } from '../../helpers/project.ts';
import { checkSyntax, jobOf, pipeline, shellScript } from './render.ts';

describe('CppCheck', () => {
  it('checks src with include/ by default, one finding per line, and counts them', () => {
    const p = pipeline();
    const lint = new CppCheck(p);
    expect(lint.node.id).toBe('cppcheck');
    const j = jobOf(p, 'cppcheck');
    expect(j.image).toBe(IMAGES.cppcheck);
    expect(j.tools).toEqual({ cppcheck: C_TOOLS.cppcheck });
    expect(j.job.results).toEqual([{ name: 'issues' }]);
    expect(j.job.needs).toBeUndefined();
    expect(j.lines).toEqual([
      'report=$$(mktemp)',
      'status=0',
      `cppcheck --quiet --error-exitcode=1 --inline-suppr --enable=warning,style,performance,portability -j "$$(nproc)" '--template={file}:{line}:{column}: {severity}: {message} [{id}]' --output-file="$report" -I include src || status=$?`,
      'cat "$report"',
      'echo "issues=$$(grep -c . "$report" || true)" >> "$KAYCI_RESULTS_FILE"',
      'rm -f "$report"',
      'exit "$status"',
    ]);
    checkSyntax(j.script);
  });

  it('takes sources, include dirs, checks, standard, suppressions, parallelism and arguments', () => {
    const p = pipeline();
    new CppCheck(p, 'lint', { sources: ['lib', 'tools/cli.c'], includeDirs: ['lib/include', 'third party'], enable: ['all'], std: 'c11', suppress: ['constParameter', 'unusedFunction:lib/x.c'], parallel: 2, args: ['--platform=unix64'] });
    expect(jobOf(p, 'lint').lines[2]).toBe(
      `cppcheck --quiet --error-exitcode=1 --inline-suppr --enable=all -j 2 --std=c11 --suppress=constParameter --suppress=unusedFunction:lib/x.c '--template={file}:{line}:{column}: {severity}: {message} [{id}]' --output-file="$report" --platform=unix64 -I lib/include -I 'third party' lib tools/cli.c || status=$?`,
    );
  });

  it('checks a build\'s compilation database, needing the build', () => {
    const p = pipeline();
    const build = new CBuild(p, { buildDir: 'out' });
    const test = new CTest(p, { build });
    new CppCheck(p, { build, needs: [test], enable: [] });
    const j = jobOf(p, 'cppcheck');
    expect(j.job.needs).toEqual(['test', 'build']);
    expect(j.lines[2]).toBe(`cppcheck --quiet --error-exitcode=1 --inline-suppr -j "$$(nproc)" '--template={file}:{line}:{column}: {severity}: {message} [{id}]' --output-file="$report" --project=out/compile_commands.json || status=$?`);
  });

  it('rejects what cannot be right', () => {
    const p = pipeline();
    const make = new CBuild(p, 'mk', { buildSystem: 'make' });
    const build = new CBuild(p);
    expect(() => new CppCheck(p, { build: make })).toThrow(/^\[c\/cppcheck\] build: c\/mk is a make build, which writes no compile_commands\.json: give sources and includeDirs instead$/);
    expect(() => new CppCheck(p, { build, sources: ['src'] })).toThrow(/^\[c\/cppcheck\] sources: cannot be combined with build/);
    expect(() => new CppCheck(p, { build, includeDirs: ['inc'] })).toThrow(/^\[c\/cppcheck\] includeDirs: cannot be combined with build/);
    expect(() => new CppCheck(p, { sources: [] })).toThrow(/^\[c\/cppcheck\] sources: must name at least one/);
    expect(() => new CppCheck(p, { sources: [''] })).toThrow(/^\[c\/cppcheck\] sources\[0\]: must be a path/);
    expect(() => new CppCheck(p, { enable: ['style,information'] })).toThrow(/^\[c\/cppcheck\] enable: must hold cppcheck check groups/);
    expect(() => new CppCheck(p, { parallel: 0 })).toThrow(/^\[c\/cppcheck\] parallel: /);
  });
});

describe('ClangTidy', () => {
  it('reads a CMake build\'s compile_commands.json, needs the build, fails on any warning', () => {
    const p = pipeline();
    const build = new CBuild(p);
    const tidy = new ClangTidy(p, { build });
    expect(tidy.node.id).toBe('clang-tidy');
    const j = jobOf(p, 'clang-tidy');
    expect(j.image).toBe(IMAGES.clangTidy);
    expect(j.tools).toEqual({ 'clang-tidy': C_TOOLS['clang-tidy'] });
    expect(j.job.needs).toEqual(['build']);
    expect(j.job.results).toEqual([{ name: 'issues' }]);
    expect(j.lines[0]).toBe('db=build/compile_commands.json');
    expect(j.lines).toContain(`clang-tidy -p build --quiet --checks=${CLANG_TIDY_CHECKS} '--warnings-as-errors=*' "$@" > "$out" 2>&1 || status=$?`);
    checkSyntax(j.script);
  });

  it('takes checks, warnings-as-errors, a header filter, sources and arguments', () => {
    const p = pipeline();
    new ClangTidy(p, 'tidy', { buildDir: 'out', checks: 'bugprone-*,-bugprone-easily-swappable-parameters', warningsAsErrors: '', headerFilter: 'include/.*', sources: ['src', 'tests/test_parse.c'], args: ['--extra-arg=-Wno-unknown-warning-option'] });
    const j = jobOf(p, 'tidy');
    expect(j.job.needs).toBeUndefined();
    expect(j.lines).toContain("clang-tidy -p out --quiet '--checks=bugprone-*,-bugprone-easily-swappable-parameters' --warnings-as-errors= '--header-filter=include/.*' --extra-arg=-Wno-unknown-warning-option \"$@\" > \"$out\" 2>&1 || status=$?");
    expect(j.lines).toContain('for s in src tests/test_parse.c; do');
    checkSyntax(j.script);
  });

  describe('picks the files to check', () => {
    /** Runs ClangTidy's script with a stand-in clang-tidy that prints its file arguments. */
    function filesChecked(db: (dir: string) => string, props: { sources?: string[] } = {}, findings = '') {
      const p = pipeline();
      new ClangTidy(p, props);
      const dir = scratchDir('kayci-tidy-');
      for (const d of ['bin', 'build/gen', 'src', 'tests']) mkdirSync(path.join(dir, d), { recursive: true });
      for (const f of ['src/a.c', 'src/b.cpp', 'src/notes.txt', 'tests/t.c']) writeFileSync(path.join(dir, f), '');
      writeFileSync(path.join(dir, 'build/compile_commands.json'), db(dir));
      writeFileSync(path.join(dir, 'bin/clang-tidy'), `#!/bin/sh\nskip=\nfor a; do if [ -n "$skip" ]; then skip=; continue; fi; case "$a" in -p) skip=1 ;; -*) ;; *) echo "file $a" ;; esac; done\nprintf '${findings}'\n[ -z '${findings}' ]\n`);
      chmodSync(path.join(dir, 'bin/clang-tidy'), 0o755);
      const results = path.join(dir, 'results');
      const r = spawnSync('sh', ['-ec', shellScript(jobOf(p, 'clang-tidy').script)], { cwd: dir, env: { ...process.env, PATH: `${dir}/bin:${process.env.PATH}`, KAYCI_RESULTS_FILE: results }, encoding: 'utf8' });
      const files = r.stdout.split('\n').filter((l) => l.startsWith('file ')).map((l) => l.slice(5).replace(`${dir}/`, '<dir>/'));
      return { status: r.status, files, stdout: r.stdout, stderr: r.stderr, results: existsSync(results) ? readFileSync(results, 'utf8') : undefined };
    }

    it('CMake\'s database: absolute paths, without sources generated in the build directory', () => {
      const db = (dir: string) => JSON.stringify(['src/b.cpp', 'src/a.c', 'build/gen/version.c', 'tests/t.c', 'src/a.c'].map((f) => ({ directory: `${dir}/build`, command: 'cc -c x', file: `${dir}/${f}` })), null, 2);
      const r = filesChecked(db);
      expect(r.status).toBe(0);
      expect(r.files).toEqual(['<dir>/src/a.c', '<dir>/src/b.cpp', '<dir>/tests/t.c']);
      expect(r.results).toBe('issues=0\n');
    });

    it('Meson\'s database: paths relative to the build directory', () => {
      const db = (dir: string) => `[\n  {\n    "directory": "${dir}/build",\n    "command": "cc -c",\n    "file": "../src/a.c",\n    "output": "a.o"\n  },\n  {\n    "directory": "${dir}/build",\n    "command": "cc -c",\n    "file": "gen/version.c",\n    "output": "v.o"\n  }\n]\n`;
      expect(filesChecked(db).files).toEqual(['build/../src/a.c']);
    });

    it('the given sources instead: files as they are, directories searched for C and C++ files', () => {
      expect(filesChecked(() => '[]', { sources: ['tests/t.c', 'src'] }).files).toEqual(['src/a.c', 'src/b.cpp', 'tests/t.c']);
    });

    it('counts findings, and fails when clang-tidy does', () => {
      const findings = '/w/src/a.c:3:5: error: something [bugprone-x,-warnings-as-errors]\\n/w/src/a.c:3:5: note: because\\n/w/src/b.c:9:1: warning: other [readability-y]\\n2 warnings generated.\\n';
      const r = filesChecked(() => '[]', { sources: ['src'] }, findings);
      expect(r.status).toBe(1);
      expect(r.stdout).toContain('/w/src/a.c:3:5: note: because\n');
      expect(r.results).toBe('issues=2\n');
    });

    it('fails clearly without a compilation database, or without files', () => {
      const p = pipeline();
      new ClangTidy(p);
      const dir = scratchDir('kayci-tidy-');
      const r = spawnSync('sh', ['-ec', shellScript(jobOf(p, 'clang-tidy').script)], { cwd: dir, encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe('clang-tidy: build/compile_commands.json does not exist: build with CMake (CMAKE_EXPORT_COMPILE_COMMANDS=ON, as CBuild does) or Meson first\n');
      const empty = filesChecked(() => '[]');
      expect([empty.status, empty.stderr]).toEqual([1, 'clang-tidy: no files to check\n']);
    });
  });

  it('rejects make builds and saying the build directory twice', () => {
    const p = pipeline();
    const make = new CBuild(p, 'mk', { buildSystem: 'make' });
    const build = new CBuild(p);
    expect(() => new ClangTidy(p, { build: make })).toThrow(/^\[c\/clang-tidy\] build: c\/mk is a make build, which writes no compile_commands\.json/);
    expect(() => new ClangTidy(p, { build, buildDir: 'build' })).toThrow(/^\[c\/clang-tidy\] buildDir: cannot be combined with build/);
    expect(() => new ClangTidy(p, { sources: [] })).toThrow(/^\[c\/clang-tidy\] sources: must name at least one/);
  });
});
