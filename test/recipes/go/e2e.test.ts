// The Go recipes end to end: `kayci run` (the CLI's main, in-process) on a copy of
// examples/go-service and on small modules, with the machine's real go, gotestsum (fetched by
// `go run`), golangci-lint and cross-compilation. The Go cache of the recipes lives under
// XDG_CACHE_HOME, pointed at the OS temp directory and kept across test runs: with a cold
// cache the first run downloads gotestsum's modules and compiles the standard library for -race
// and for arm64 (1m45s to 3m30s on two cores); with a warm one it takes about 10s (each test
// copies the example afresh, so test binaries relink and the linter looks again; rerunning an
// unchanged directory takes about 2s).
// GoVulncheck is not run here: vuln.go.dev is not reachable from this machine (see recipes.test.ts).
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, vi } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { GOLANGCI_LINT_VERSION } from '../../../recipes/go/index.ts';
import { captureIo, project } from '../../helpers/project.ts';
import { itWithTools } from '../../helpers/tools.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const EXAMPLE = path.join(ROOT, 'examples/go-service');
/** What a build or a run leaves in the example, and its own pipeline; never copied. */
const SKIP = new Set(['bin', '.kayci', 'dist', 'kayci.ts']);
const CACHE_HOME = path.join(tmpdir(), 'kayci-e2e-go-recipes');
const GO_CACHE = path.join(CACHE_HOME, 'kayci', 'volumes', 'kayci-cache-go');
const DURATION = String.raw`(?:\d+\.\ds|\d+m\d\ds)`;

// gcc: GoTest's -race needs cgo.
const it = itWithTools(['go', 'gofmt', 'golangci-lint', 'gcc']);

beforeEach(() => {
  vi.stubEnv('XDG_CACHE_HOME', CACHE_HOME);
  vi.stubEnv('GOTOOLCHAIN', 'local');
  vi.stubEnv('GOFLAGS', '');
});

afterEach(() => {
  vi.unstubAllEnvs();
});

/** A kayci.ts importing the constructs from `kayci` and the Go recipes from this repository. */
function entry(dir: string, imports: string, body: string): string {
  const recipes = path.relative(dir, path.join(ROOT, 'recipes/go/index.ts'));
  return `import { App, Job, Param, Pipeline } from 'kayci';\nimport { ${imports} } from '${recipes}';\nconst app = new App();\n${body}\napp.synth();\n`;
}

/** A copy of examples/go-service (without build output) with the given pipeline, under test/.tmp. */
function goService(body: string): string {
  const dir = project({}, 'go-recipes-');
  cpSync(EXAMPLE, dir, { recursive: true, filter: (src) => !SKIP.has(path.relative(EXAMPLE, src).split(path.sep)[0]!) });
  writeFileSync(path.join(dir, 'kayci.ts'), entry(dir, 'GoBuildMatrix, GoLint, GoTest, GoVet', body));
  return dir;
}

async function kayci(dir: string, ...argv: string[]) {
  const io = captureIo(dir);
  const started = Date.now();
  const code = await main(['run', ...argv], io);
  return { code, out: io.stdout, err: io.stderr, ms: Date.now() - started };
}

/** Results each job recorded, from the run's status.json. */
function results(dir: string): Record<string, Record<string, string> | undefined> {
  const runs = path.join(dir, '.kayci', 'runs');
  const [run] = readdirSync(runs);
  const status = JSON.parse(readFileSync(path.join(runs, run!, 'status.json'), 'utf8')) as { jobs: { name: string; results?: Record<string, string> }[] };
  return Object.fromEntries(status.jobs.map((j) => [j.name, j.results]));
}

/** The last lines of a failed job's log, as the summary prints them (up to `exited with code N`). */
function logTail(out: string, job: string): string[] {
  const start = out.search(new RegExp(`^── last \\d+ lines? of ${job} \\(`, 'm'));
  if (start < 0) return [];
  const lines = out.slice(start).split('\n').slice(1);
  const end = lines.findIndex((l) => /^exited with code \d+$/.test(l));
  return lines.slice(0, end < 0 ? undefined : end + 1);
}

/**
 * The elements of an XML document by name, after checking it is well formed as far as a JUnit
 * report goes (balanced tags, quoted attributes; no CDATA or comments, which gotestsum does not write).
 */
function xmlElements(xml: string): { name: string; attrs: Record<string, string> }[] {
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
  const elements: { name: string; attrs: Record<string, string> }[] = [];
  const open: string[] = [];
  const body = xml.slice(xml.indexOf('?>') + 2);
  for (const m of body.matchAll(/<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|(<)/g)) {
    expect(m[5], `stray '<' at ${m.index}`).toBeUndefined();
    const [, close, name, attrText, selfClosing] = m;
    if (close) {
      expect(open.pop(), `</${name}> at ${m.index}`).toBe(name);
      continue;
    }
    const attrs = Object.fromEntries([...attrText!.matchAll(/([\w:.-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!]));
    elements.push({ name: name!, attrs });
    if (!selfClosing) open.push(name!);
  }
  expect(open).toEqual([]);
  return elements;
}

/** e_machine of an ELF file: 62 is x86-64, 183 is AArch64. */
function elfMachine(file: string): number {
  const header = readFileSync(file).subarray(0, 20);
  expect([...header.subarray(0, 4)]).toEqual([0x7f, 0x45, 0x4c, 0x46]);
  expect(header[4]).toBe(2); // 64-bit
  expect(header[5]).toBe(1); // little-endian
  return header.readUInt16LE(18);
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const hostArch = process.arch === 'arm64' ? 'arm64' : 'amd64';

const SERVICE_PIPELINE = `
const p = new Pipeline(app, 'go-recipes');
const version = new Param(p, 'version', { default: 'dev' });
const vet = new GoVet(p);
const test = new GoTest(p);
// The example's tests leave resp.Body.Close() unchecked (errcheck): lint the service's code only.
const lint = new GoLint(p, { tests: false });
const release = new GoBuildMatrix(p, { platforms: ['linux/amd64', 'linux/arm64'], needs: [vet, test, lint], ldflags: { 'main.version': version } });
const amd64 = release.builds['linux/amd64'];
const arm64 = release.builds['linux/arm64'];
new Job(p, 'summary', {
  image: 'busybox:1.37',
  when: { status: 'always' },
  needs: [...release.jobs],
  run: [
    \`echo "coverage \${test.results.coverage}, report \${test.results.junit}"\`,
    \`echo "amd64 \${amd64.results.binary} \${amd64.results.sha256}"\`,
    \`echo "arm64 \${arm64.results.binary} \${arm64.results.sha256}"\`,
  ].join('\\n'),
});`;

describe('Go recipes on examples/go-service', () => {
  it('vet, test (JUnit, coverage), lint and a linux/amd64 + linux/arm64 build succeed', async () => {
    const cold = !existsSync(path.join(GO_CACHE, 'mod'));
    const dir = goService(SERVICE_PIPELINE);
    const { code, out, err, ms } = await kayci(dir, '--param', 'version=1.4.2-e2e');
    console.info(`go recipes e2e: ${cold ? 'cold' : 'warm'} Go cache (${GO_CACHE}), run took ${(ms / 1000).toFixed(1)}s`);
    expect(err).toBe('');
    expect(code, out).toBe(0);
    for (const job of ['vet', 'test', 'lint', 'build-linux-amd64', 'build-linux-arm64', 'summary']) expect(out).toMatch(new RegExp(`^${job} +Succeeded +${DURATION} +1$`, 'm'));
    const recorded = results(dir);

    // GoTest: gotestsum's JUnit report and JSON stream, the coverage profile (all in
    // .kayci/out/test/), the total as a result.
    expect(recorded.test).toEqual({ coverage: expect.stringMatching(/^\d+\.\d%$/), junit: '.kayci/out/test/junit.xml' });
    expect(out).toContain(`test              │ total coverage: ${recorded.test!.coverage}\n`);
    expect(out).toContain(`summary           │ coverage ${recorded.test!.coverage}, report .kayci/out/test/junit.xml\n`);
    const elements = xmlElements(readFileSync(path.join(dir, '.kayci/out/test/junit.xml'), 'utf8'));
    // TestMessage and TestHandler with 7 subtests each.
    expect(elements[0]).toMatchObject({ name: 'testsuites', attrs: { tests: '16', failures: '0', errors: '0' } });
    const cases = elements.filter((e) => e.name === 'testcase');
    expect(cases).toHaveLength(16);
    expect(cases.map((c) => c.attrs.name)).toEqual(expect.arrayContaining(['TestMessage', 'TestMessage/simple', 'TestHandler/hello_too_long']));
    expect(elements.filter((e) => e.name === 'testsuite').map((s) => s.attrs.name)).toEqual([
      'example.com/go-service/cmd/server',
      'example.com/go-service/internal/greet',
      'example.com/go-service/internal/httpapi',
    ]);
    const events = readFileSync(path.join(dir, '.kayci/out/test/go-test.json'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { Action: string; Test?: string });
    expect(events.filter((e) => e.Action === 'pass' && e.Test)).toHaveLength(16);
    expect(readFileSync(path.join(dir, '.kayci/out/test/coverage.out'), 'utf8')).toMatch(/^mode: atomic\n/);

    // GoBuildMatrix: one binary per platform, named after cmd/server, with the version stamped in.
    expect(recorded['build-linux-amd64']).toEqual({ binary: 'bin/server-linux-amd64', sha256: sha256(path.join(dir, 'bin/server-linux-amd64')) });
    expect(recorded['build-linux-arm64']).toEqual({ binary: 'bin/server-linux-arm64', sha256: sha256(path.join(dir, 'bin/server-linux-arm64')) });
    expect(elfMachine(path.join(dir, 'bin/server-linux-amd64'))).toBe(62);
    expect(elfMachine(path.join(dir, 'bin/server-linux-arm64'))).toBe(183);
    expect(out).toContain(`summary           │ arm64 bin/server-linux-arm64 ${recorded['build-linux-arm64']!.sha256}\n`);
    if (process.platform === 'linux') {
      expect(execFileSync(path.join(dir, `bin/server-linux-${hostArch}`), ['-version'], { encoding: 'utf8' })).toBe('1.4.2-e2e\n');
    }
    // The Go cache is the kayci volume, not the user's own.
    expect(readdirSync(GO_CACHE).sort()).toEqual(expect.arrayContaining(['build', 'golangci-lint', 'mod']));
    expect(existsSync(path.join(GO_CACHE, 'mod', 'cache', 'download', 'gotest.tools', 'gotestsum'))).toBe(true);
  }, 600_000);

  it('a failing test fails GoTest (its report still written) and an unformatted file fails GoVet; the builds are skipped', async () => {
    const dir = goService(SERVICE_PIPELINE);
    const testFile = path.join(dir, 'internal/greet/greet_test.go');
    const source = readFileSync(testFile, 'utf8');
    writeFileSync(testFile, source.replace('want: "Hello, Ada!"', 'want: "Hello, Ada?"'));
    const goFile = path.join(dir, 'internal/greet/greet.go');
    writeFileSync(goFile, readFileSync(goFile, 'utf8').replace('const MaxNameLen = 64', 'const MaxNameLen   =   64'));

    const { code, out } = await kayci(dir);
    expect(code).toBe(1);
    expect(out).toMatch(new RegExp(`^test +Failed +${DURATION} +1$`, 'm'));
    expect(out).toMatch(new RegExp(`^vet +Failed +${DURATION} +1$`, 'm'));
    expect(out).toMatch(new RegExp(`^lint +Succeeded +${DURATION} +1$`, 'm'));
    expect(out).toMatch(/^build-linux-amd64 +Skipped +- +-$/m);
    expect(out).toMatch(/^build-linux-arm64 +Skipped +- +-$/m);
    expect(out).toMatch(/^summary +Succeeded /m);

    const testTail = logTail(out, 'test');
    expect(testTail).toContain('=== FAIL: internal/greet TestMessage/simple (0.00s)');
    expect(testTail).toEqual(expect.arrayContaining([expect.stringMatching(/^ {4}greet_test\.go:\d+: Message\("Ada"\) = "Hello, Ada!", want "Hello, Ada\?"$/)]));
    expect(testTail).toContain('DONE 16 tests, 2 failures in ' + testTail.find((l) => l.startsWith('DONE'))!.split(' in ')[1]);
    // The report of the failed run is there for whoever collects it.
    const elements = xmlElements(readFileSync(path.join(dir, '.kayci/out/test/junit.xml'), 'utf8'));
    expect(elements[0]).toMatchObject({ name: 'testsuites', attrs: { tests: '16', failures: '2' } });
    expect(elements.filter((e) => e.name === 'failure')).toHaveLength(2);
    expect(testTail).toContain('total coverage: 50.0%');

    expect(logTail(out, 'vet')).toEqual([
      'gofmt: these files are not formatted; run gofmt -w on them:',
      path.join(dir, 'internal/greet/greet.go'),
      'exited with code 1',
    ]);
    expect(existsSync(path.join(dir, 'bin'))).toBe(false);
  }, 300_000);

  it('two GoLint jobs lint at the same time (golangci-lint\'s machine-wide lock does not fail either)', async () => {
    const dir = goService(`
const p = new Pipeline(app, 'lint-twice');
new GoLint(p, 'lint-code', { tests: false });
new GoLint(p, 'lint-handlers', { tests: false, packages: ['./internal/httpapi/...'] });`);
    const { code, out } = await kayci(dir, '--jobs', '2');
    expect(code, out).toBe(0);
    expect(out).toMatch(/^lint-code +│ 0 issues\.$/m);
    expect(out).toMatch(/^lint-handlers +│ 0 issues\.$/m);
  }, 300_000);

  it('a missing golangci-lint is reported with its install hint before anything runs', async () => {
    const dir = goService(SERVICE_PIPELINE);
    const PATH = (process.env.PATH ?? '').split(path.delimiter).filter((d) => !existsSync(path.join(d, 'golangci-lint'))).join(path.delimiter);
    vi.stubEnv('PATH', PATH);
    const { code, err } = await kayci(dir);
    expect(code).toBe(1);
    expect(err).toContain(`  job lint: needs golangci-lint on PATH; install it with: go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@${GOLANGCI_LINT_VERSION}\n`);
    expect(existsSync(path.join(dir, '.kayci'))).toBe(false);
  }, 120_000);
});

describe('GoBuild on small modules', () => {
  it('names the binary as go build does (a /vN module path), cross-compiles windows .exe, and quotes -X values', async () => {
    const dir = project({
      'go.mod': 'module example.com/tool/v2\n\ngo 1.22\n',
      'main.go': 'package main\n\nimport "fmt"\n\nvar greeting = "unset"\n\nfunc main() { fmt.Println(greeting) }\n',
    }, 'go-build-');
    writeFileSync(path.join(dir, 'kayci.ts'), entry(dir, 'GoBuild', `
const p = new Pipeline(app, 'tool');
const greeting = new Param(p, 'greeting', { default: 'hello' });
new GoBuild(p, 'native', { platform: 'linux/${hostArch}', ldflags: { 'main.greeting': greeting } });
new GoBuild(p, 'windows', { platform: 'windows/amd64', ldflags: { 'main.greeting': "it's windows" } });
`));
    const greeting = 'hello, "world" $(whoami) $$HOME `id`';
    const { code, out, err } = await kayci(dir, '--param', `greeting=${greeting}`);
    expect(err).toBe('');
    expect(code, out).toBe(0);
    const recorded = results(dir);
    expect(recorded.native).toEqual({ binary: `bin/tool-linux-${hostArch}`, sha256: sha256(path.join(dir, `bin/tool-linux-${hostArch}`)) });
    expect(recorded.windows).toEqual({ binary: 'bin/tool-windows-amd64.exe', sha256: sha256(path.join(dir, 'bin/tool-windows-amd64.exe')) });
    if (process.platform === 'linux') {
      // The parameter reached the binary as it was written: no shell saw it.
      expect(execFileSync(path.join(dir, `bin/tool-linux-${hostArch}`), { encoding: 'utf8' })).toBe(`${greeting}\n`);
    }
    // A PE file for x86-64: "MZ", then the PE header's machine field.
    const exe = readFileSync(path.join(dir, 'bin/tool-windows-amd64.exe'));
    expect(exe.subarray(0, 2).toString()).toBe('MZ');
    const pe = exe.readUInt32LE(0x3c);
    expect(exe.subarray(pe, pe + 4).toString('binary')).toBe('PE\0\0');
    expect(exe.readUInt16LE(pe + 4)).toBe(0x8664);
    // A value with a ' is quoted with "…" for the go command.
    expect(exe.includes("it's windows")).toBe(true);
  }, 300_000);

  it('without a package, fails clearly when cmd/ holds several main packages; with one, builds it', async () => {
    const main = (name: string) => `package main\n\nfunc main() { println("${name}") }\n`;
    const dir = project({ 'go.mod': 'module example.com/multi\n\ngo 1.22\n', 'cmd/a/main.go': main('a'), 'cmd/b/main.go': main('b'), 'cmd/internal/util/util.go': 'package util\n' }, 'go-build-');
    writeFileSync(path.join(dir, 'kayci.ts'), entry(dir, 'GoBuild', `
const p = new Pipeline(app, 'multi');
new GoBuild(p, 'guess');
new GoBuild(p, 'b', { package: './cmd/b' });
const label = new Param(p, 'label', { default: \`it's "both"\` });
new GoBuild(p, 'quotes', { package: './cmd/a', ldflags: { 'main.label': label } });
`));
    const { code, out } = await kayci(dir);
    expect(code).toBe(1);
    expect(logTail(out, 'guess')).toEqual([
      'GoBuild: cmd/ holds 2 main packages (example.com/multi/cmd/a example.com/multi/cmd/b): set the package prop to one of them (one GoBuild, or GoBuildMatrix, per binary)',
      'exited with code 1',
    ]);
    expect(results(dir).b).toEqual({ binary: 'bin/b-linux-amd64', sha256: sha256(path.join(dir, 'bin/b-linux-amd64')) });
    // A value from a parameter holding both quotes cannot reach -X; the job says so.
    expect(logTail(out, 'quotes')).toEqual([
      `GoBuild: -X main.label=it's "both" holds both ' and ", which -ldflags cannot quote`,
      'exited with code 1',
    ]);
  }, 300_000);
});
