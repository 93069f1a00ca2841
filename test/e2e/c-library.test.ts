// `kayci run examples/c-library` with the machine's real gcc and make: the library is compiled,
// the tests built against it and run (plainly and under sanitizers), and a failing check fails
// the run with its output in front of the user.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyExample, DURATION, kayci, logTail } from './kayci.ts';

describe('kayci run examples/c-library', () => {
  it('compiles the library and passes its tests', async () => {
    const dir = copyExample('c-library');
    const { code, out, err } = await kayci(dir, ['run']);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(/^kayci run c-library-\d{8}-\d{6}: pipeline c-library from kayci\.ts, 4 jobs, /);
    expect(out).toContain('checkout   │ using the existing checkout\n');
    expect(out).toMatch(/^build +│ ar rcs build\/libsemver\.a /m);
    // test reads build's result: the size of the archive it built.
    const size = readFileSync(path.join(dir, 'build/libsemver.a')).length;
    expect(out).toContain(`test       │ testing libsemver.a (${size} bytes)\n`);
    expect(out).toMatch(/^test +│ test_compare: \d+ checks, 0 failed: OK$/m);
    expect(out).toMatch(/^test +│ test_parse: \d+ checks, 0 failed: OK$/m);
    expect(out).toMatch(/^sanitizers +│ .*-fsanitize=address,undefined/m);
    expect(out).toMatch(/^sanitizers +│ test_compare: \d+ checks, 0 failed: OK$/m);
    expect(out).toMatch(/^sanitizers +│ test_parse: \d+ checks, 0 failed: OK$/m);
    for (const job of ['checkout', 'build', 'test', 'sanitizers']) expect(out).toMatch(new RegExp(`^${job} +Succeeded +${DURATION} +1$`, 'm'));
    expect(out).toMatch(new RegExp(`\\nrun (c-library-\\S+) succeeded in ${DURATION}; logs in \\.kayci/runs/\\1/\\n$`));
    for (const f of ['build/libsemver.a', 'build/tests/test_compare', 'build-asan/tests/test_parse']) expect(existsSync(path.join(dir, f))).toBe(true);
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
    expect(out).toMatch(new RegExp(`^sanitizers +Failed +${DURATION} +1$`, 'm'));
    expect(out).toMatch(/^build +Succeeded /m);
    expect(out).toMatch(new RegExp(`^test +│ ✗ failed \\(${DURATION}\\): exited with code 2$`, 'm'));
    for (const job of ['test', 'sanitizers']) {
      const tail = logTail(out, job);
      expect(tail).toContain(`tests/test_compare.c:${line}: FAIL: got "1.3.0", want "1.4.0"`);
      expect(tail).toContain(`test_compare: 262 checks, 1 failed: FAIL`);
      expect(tail).toContain(`test_parse: 64 checks, 0 failed: OK`);
      // test has one container; sanitizers has steps, and its failing step is named test.
      expect(tail.at(-1)).toBe(job === 'test' ? 'exited with code 2' : 'step test exited with code 2');
    }
    expect(out).toMatch(/\nrun c-library-\S+ failed in /);
  });
});
