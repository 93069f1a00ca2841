// `kayci run examples/go-service` with the machine's real Go toolchain: go vet, go test -race
// with coverage, a versioned static build, and a summary that reads the other jobs' results.
// Go's build and module caches live in the OS temp directory across test runs, so only the very
// first run pays for compiling the standard library with -race.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyExample, DURATION, kayci, logTail } from './kayci.ts';

const GO_ENV = {
  GOCACHE: path.join(tmpdir(), 'kayci-e2e-go', 'cache'),
  GOMODCACHE: path.join(tmpdir(), 'kayci-e2e-go', 'mod'),
  GOTOOLCHAIN: 'local',
  GOFLAGS: '',
};

describe('kayci run examples/go-service', () => {
  it('vets, tests, builds, and summarizes the results', { timeout: 300_000 }, async () => {
    const dir = copyExample('go-service');
    const { code, out, err } = await kayci(dir, ['run', '--param', 'version=1.4.2-e2e'], GO_ENV);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(/^kayci run go-service-\d{8}-\d{6}: pipeline go-service from kayci\.ts, 5 jobs, /);
    expect(out).toMatch(/^test +│ ok {2}\texample\.com\/go-service\/internal\/greet\t.*coverage: 100\.0% of statements$/m);
    expect(out).toMatch(/^test +│ ok {2}\texample\.com\/go-service\/internal\/httpapi\t.*coverage: \d+\.\d% of statements$/m);
    // build runs the binary it built, which prints the version the parameter stamped into it.
    expect(out).toContain('build    │ 1.4.2-e2e\n');
    const sha256 = createHash('sha256').update(readFileSync(path.join(dir, 'bin/server'))).digest('hex');
    const summary = /^summary +│ go-service 1\.4\.2-e2e: coverage (\d+\.\d%), server binary sha256 ([0-9a-f]{64})$/m.exec(out);
    expect(summary, out).not.toBeNull();
    expect(summary![2]).toBe(sha256);
    expect(readFileSync(path.join(dir, 'coverage.out'), 'utf8')).toMatch(/^mode: atomic\n/);
    for (const job of ['checkout', 'vet', 'test', 'build', 'summary']) expect(out).toMatch(new RegExp(`^${job} +Succeeded +${DURATION} +1$`, 'm'));
    expect(out).toMatch(/\nrun go-service-\S+ succeeded in /);
  });

  it('a failing Go test fails the run after its retry, and the failing assertion is shown', { timeout: 120_000 }, async () => {
    const dir = copyExample('go-service');
    const testFile = path.join(dir, 'internal/greet/greet_test.go');
    const source = readFileSync(testFile, 'utf8');
    const broken = source.replace('want: "Hello, Ada!"', 'want: "Hello, Ada?"');
    expect(broken).not.toBe(source);
    writeFileSync(testFile, broken);

    const { code, out } = await kayci(dir, ['run'], GO_ENV);
    expect(code).toBe(1);
    // The job has `retries: 1`: two attempts, both failing.
    expect(out).toMatch(new RegExp(`^test +Failed +${DURATION} +2$`, 'm'));
    expect(out).toMatch(/^vet +Succeeded /m);
    expect(out).toMatch(/^build +Skipped +- +-$/m);
    expect(out).toContain('build    │ – skipped: test did not succeed\n');
    // summary runs whatever happened (`when: always`).
    expect(out).toMatch(/^summary +Succeeded /m);
    const tail = logTail(out, 'test');
    expect(tail).toContain('    --- FAIL: TestMessage/simple (0.00s)');
    expect(tail).toEqual(expect.arrayContaining([expect.stringMatching(/^ {8}greet_test\.go:\d+: Message\("Ada"\) = "Hello, Ada!", want "Hello, Ada\?"$/)]));
    expect(tail).toEqual(expect.arrayContaining([expect.stringMatching(/^FAIL\texample\.com\/go-service\/internal\/greet\t/)]));
    expect(tail.at(-1)).toBe('exited with code 1');
    expect(out).toMatch(/\nrun go-service-\S+ failed in /);
  });
});
