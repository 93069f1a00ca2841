// `kayci run examples/go-service`: the GoPipeline preset with the machine's real Go toolchain —
// go vet and gofmt, go test -race with coverage and a JUnit report, static builds for two
// platforms with the version stamped in; the publishing jobs are for tags, so they are skipped.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CACHE_ENV, copyExample, DURATION, kayci, logTail } from './kayci.ts';

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('kayci run examples/go-service', () => {
  it('vets, tests and builds for two platforms; publishing waits for a tag', { timeout: 300_000 }, async () => {
    const dir = copyExample('go-service');
    const { code, out, err } = await kayci(dir, ['run', '--param', 'version=1.4.2-e2e'], CACHE_ENV);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(/^kayci run go-service-\d{8}-\d{6}: pipeline go-service from kayci\.ts, 10 jobs, /);
    expect(out).toMatch(/^test +│ ✓ {2}internal\/greet .*\(coverage: 100\.0% of statements\)$/m);
    expect(out).toMatch(/^test +│ DONE 16 tests/m);
    for (const job of ['checkout', 'vet', 'test', 'build-linux-amd64', 'build-linux-arm64']) expect(out).toMatch(new RegExp(`^${job} +Succeeded +${DURATION} +1$`, 'm'));
    for (const job of ['image', 'push', 'sbom', 'sign', 'scan']) {
      expect(out).toMatch(new RegExp(`^${job} +Skipped +- +-$`, 'm'));
      expect(out).toContain(`│ – skipped: event "push" is not one of tag\n`);
    }
    // Each build reports the sha256 of what it wrote; ELF headers say which machine it is for.
    for (const [arch, machine] of [['amd64', 0x3e], ['arm64', 0xb7]] as const) {
      const binary = path.join(dir, `bin/server-linux-${arch}`);
      expect(out).toContain(`built bin/server-linux-${arch} for linux/${arch} from example.com/go-service/cmd/server, sha256 ${sha256(binary)}`);
      expect(readFileSync(binary).readUInt16LE(18)).toBe(machine);
    }
    expect(out).toMatch(/\nrun go-service-\S+ succeeded in /);
  });

  it('a failing Go test fails the run after its retry, and the failing assertion is shown', { timeout: 300_000 }, async () => {
    const dir = copyExample('go-service');
    const testFile = path.join(dir, 'internal/greet/greet_test.go');
    const source = readFileSync(testFile, 'utf8');
    const broken = source.replace('want: "Hello, Ada!"', 'want: "Hello, Ada?"');
    expect(broken).not.toBe(source);
    writeFileSync(testFile, broken);

    const { code, out } = await kayci(dir, ['run'], CACHE_ENV);
    expect(code).toBe(1);
    // The example sets `test: { retries: 1 }`: two attempts, both failing.
    expect(out).toMatch(new RegExp(`^test +Failed +${DURATION} +2$`, 'm'));
    // The builds do not wait for the tests; only publishing does.
    expect(out).toMatch(/^vet +Succeeded /m);
    expect(out).toMatch(/^build-linux-amd64 +Succeeded /m);
    const tail = logTail(out, 'test');
    expect(tail).toEqual(expect.arrayContaining([expect.stringMatching(/greet_test\.go:\d+: Message\("Ada"\) = "Hello, Ada!", want "Hello, Ada\?"$/)]));
    expect(tail.at(-1)).toBe('exited with code 1');
    expect(out).toMatch(/\nrun go-service-\S+ failed in /);
  });
});
