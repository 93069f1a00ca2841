// `kayci run examples/c-library`: the CPipeline preset with the machine's real tools — a CMake
// build and ctest, cppcheck, and an instrumented build whose tests feed gcovr; the publishing
// jobs are for tags, so they are skipped. A failing check fails the run in front of the user.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { itWithTools } from '../helpers/tools.ts';
import { copyExample, DURATION, kayci, logTail } from './kayci.ts';

const it = itWithTools(['cmake', 'ctest', 'cppcheck', 'gcovr']);

describe('kayci run examples/c-library', () => {
  it('builds with CMake, runs ctest, cppcheck and coverage', async () => {
    const dir = copyExample('c-library');
    const { code, out, err } = await kayci(dir, ['run']);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(/^kayci run c-library-\d{8}-\d{6}: pipeline c-library from kayci\.ts, 12 jobs, /);
    expect(out).toMatch(/^test +│ .*100% tests passed, 0 tests failed out of 2$/m);
    expect(out).toMatch(/^coverage +│ lines: \d+\.\d% \(\d+ out of \d+\)$/m);
    for (const job of ['checkout', 'build', 'test', 'cppcheck', 'coverage-build', 'coverage-test', 'coverage']) expect(out).toMatch(new RegExp(`^${job} +Succeeded +${DURATION} +1$`, 'm'));
    for (const job of ['image', 'push', 'sbom', 'sign', 'scan']) expect(out).toMatch(new RegExp(`^${job} +Skipped +- +-$`, 'm'));
    const junit = readFileSync(path.join(dir, 'build/ctest-junit.xml'), 'utf8');
    expect(junit.match(/<testcase /g)).toHaveLength(2);
    expect(existsSync(path.join(dir, '.kayci/out/coverage/cobertura.xml'))).toBe(true);
    expect(out).toMatch(new RegExp(`\\nrun (c-library-\\S+) succeeded in ${DURATION}; logs in \\.kayci/runs/\\1/\\n$`));
  });

  it('a failing check fails the run, and the failing assertion is shown', async () => {
    const dir = copyExample('c-library');
    const testFile = path.join(dir, 'tests/test_compare.c');
    const source = readFileSync(testFile, 'utf8');
    const broken = source.replace('CHECK_STR(bumped("1.2.3", semver_bump_minor), "1.3.0");', 'CHECK_STR(bumped("1.2.3", semver_bump_minor), "1.4.0");');
    expect(broken).not.toBe(source);
    writeFileSync(testFile, broken);
    const line = broken.split('\n').findIndex((l) => l.includes('"1.4.0"')) + 1;

    const { code, out } = await kayci(dir, ['run', '--jobs', '2']);
    expect(code).toBe(1);
    expect(out).toMatch(new RegExp(`^test +Failed +${DURATION} +1$`, 'm'));
    expect(out).toMatch(/^build +Succeeded /m);
    expect(out).toMatch(/^cppcheck +Succeeded /m);
    // The coverage report needs its tests to pass.
    expect(out).toMatch(/^coverage +Skipped /m);
    const tail = logTail(out, 'test');
    expect(tail).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`tests/test_compare\\.c:${line}: FAIL: got "1\\.3\\.0", want "1\\.4\\.0"$`))]));
    expect(out).toMatch(/\nrun c-library-\S+ failed in /);
  });
});
