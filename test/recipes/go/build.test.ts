// Rendering of GoBuild and GoBuildMatrix: one platform per job, the env that selects it, the
// script's defaults (main package, output path, -trimpath, -s -w) against overrides, -X
// variables from parameters and results, typed results, and GOOS/GOARCH pairs checked against
// `go tool dist list` with close matches in the error.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { App, Job, Param, Pipeline, PropError } from '../../../constructs/index.ts';
import { IMAGES } from '../../../recipes/images.ts';
import { GO_PLATFORMS, GoBuild, GoBuildMatrix, goArchesFor, type GoPlatform } from '../../../recipes/go/index.ts';
import { missingTools } from '../../helpers/tools.ts';
import { containerOf, envOf, expectCache, jobOf, scriptOf, specOf, toolsOf } from './helpers.ts';

const pipeline = (name = 'go') => new Pipeline(new App(), name);

/** The tail every GoBuild script ends with, after `pkg` and `out` are set. */
const BUILD_TAIL = (platform: string, build = 'go build -trimpath -ldflags "$GOBUILD_LDFLAGS"') => [
  'mkdir -p "$(dirname "$out")"',
  `${build} -o "$out" "$pkg"`,
  'if command -v sha256sum >/dev/null 2>&1; then sum=$(sha256sum "$out"); else sum=$(shasum -a 256 "$out"); fi',
  'sum=${sum%% *}',
  `echo "built $out for ${platform} from $pkg, sha256 $sum"`,
  'echo "binary=$out" >> "$KAYCI_RESULTS_FILE"',
  'echo "sha256=$sum" >> "$KAYCI_RESULTS_FILE"',
];

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PropError);
    return e as Error;
  }
  throw new Error('expected a PropError');
}

describe('GoBuild', () => {
  it('builds the main package for linux/amd64, static, trimmed and stripped, and reports path and sha256', () => {
    const p = pipeline();
    const build = new GoBuild(p);
    expect([build.name, build.platform, build.goos, build.goarch]).toEqual(['build', 'linux/amd64', 'linux', 'amd64']);
    const job = jobOf(p, 'build');
    expect(job.results).toEqual([{ name: 'binary' }, { name: 'sha256' }]);
    expect(containerOf(job).image).toBe(IMAGES.go);
    expect(envOf(job)).toEqual({
      GOCACHE: '/cache/go/build',
      GOMODCACHE: '/cache/go/mod',
      GOOS: 'linux',
      GOARCH: 'amd64',
      CGO_ENABLED: '0',
      GOBUILD_LDFLAGS: '-s -w',
    });
    expectCache(job);
    expect(toolsOf(job)).toEqual({ go: 'https://go.dev/doc/install' });
    expect(scriptOf(job)).toBe([
      `if [ -d cmd ]; then mains=$(go list -f '{{if eq .Name "main"}}{{.ImportPath}}{{end}}' ./cmd/...); else mains=; fi`,
      'set -- $mains',
      'if [ "$#" -gt 1 ]; then',
      '  echo "GoBuild: cmd/ holds $# main packages ($*): set the package prop to one of them (one GoBuild, or GoBuildMatrix, per binary)" >&2',
      '  exit 1',
      'fi',
      'pkg=${1:-.}',
      `path=$(go list -f '{{.ImportPath}}' "$pkg")`,
      'name=${path##*/}',
      'case "$name" in v[0-9]|v[0-9][0-9]|v[0-9][0-9][0-9]) case "$path" in */*) path=${path%/*}; name=${path##*/};; esac;; esac',
      'out=bin/$name-linux-amd64',
      ...BUILD_TAIL('linux/amd64'),
    ].join('\n'));
  });

  it('overrides: platform, package, name, cgo, trimpath, strip, tags, flags', () => {
    const p = pipeline();
    new GoBuild(p, 'win', {
      platform: 'windows/arm64',
      package: './cmd/server',
      binaryName: 'server',
      cgo: true,
      trimpath: false,
      strip: false,
      tags: ['netgo', 'osusergo'],
      flags: ['-buildmode=pie', '-p=2'],
    });
    const job = jobOf(p, 'win');
    expect(envOf(job)).toEqual({ GOCACHE: '/cache/go/build', GOMODCACHE: '/cache/go/mod', GOOS: 'windows', GOARCH: 'arm64', CGO_ENABLED: '1' });
    expect(scriptOf(job)).toBe([
      'pkg=./cmd/server',
      'out=bin/server-windows-arm64.exe',
      ...BUILD_TAIL('windows/arm64', 'go build -tags=netgo,osusergo -buildmode=pie -p=2'),
    ].join('\n'));
  });

  it('passes -X variables, from text, parameters and results, through the environment', () => {
    const p = pipeline();
    const version = new Param(p, 'version', { default: 'dev' });
    const stamp = new Job(p, 'stamp', { image: 'alpine', results: ['commit'], run: 'echo commit=abc >> "$KAYCI_RESULTS_FILE"' });
    new GoBuild(p, {
      ldflags: { 'main.version': version, 'example.com/app/internal/build.Commit': stamp.results.commit, 'main.greeting': "it's a build" },
    });
    const job = jobOf(p, 'build');
    // Using stamp's result makes the build need it.
    expect(job.needs).toEqual(['stamp']);
    expect(envOf(job)).toMatchObject({
      GOBUILD_LDFLAGS: '-s -w',
      GOBUILD_X_0: 'main.version=$(KAYCI_PARAM_VERSION)',
      GOBUILD_X_1: 'example.com/app/internal/build.Commit=$(KAYCI_RESULT_STAMP_COMMIT)',
      GOBUILD_X_2: "main.greeting=it's a build",
    });
    // The script never holds the values: it quotes each for the go command once it is known.
    const script = scriptOf(job);
    expect(script).not.toContain('KAYCI_PARAM');
    expect(script).toContain([
      'ldflags=$GOBUILD_LDFLAGS',
      'xflag() {',
      '  case "$1" in',
      `    *\\'*\\"*|*\\"*\\'*) echo "GoBuild: -X $1 holds both ' and \\", which -ldflags cannot quote" >&2; exit 1;;`,
      `    *\\'*) ldflags="$ldflags -X \\"$1\\"";;`,
      `    *) ldflags="$ldflags -X '$1'";;`,
      '  esac',
      '}',
      'xflag "$GOBUILD_X_0"',
      'xflag "$GOBUILD_X_1"',
      'xflag "$GOBUILD_X_2"',
      'mkdir -p "$(dirname "$out")"',
      'go build -trimpath -ldflags "$ldflags" -o "$out" "$pkg"',
    ].join('\n'));

    new GoBuild(p, 'plain', { ldflags: '-X main.version=$(KAYCI_PARAM_VERSION) -linkmode=internal ', strip: false });
    expect(envOf(jobOf(p, 'plain')).GOBUILD_LDFLAGS).toBe('-X main.version=$(KAYCI_PARAM_VERSION) -linkmode=internal');
    expect(scriptOf(jobOf(p, 'plain'))).toContain('\ngo build -trimpath -ldflags "$GOBUILD_LDFLAGS" -o "$out" "$pkg"\n');
    new GoBuild(p, 'unstripped', { ldflags: { 'main.version': version }, strip: false });
    expect(envOf(jobOf(p, 'unstripped')).GOBUILD_LDFLAGS).toBeUndefined();
    expect(scriptOf(jobOf(p, 'unstripped'))).toContain('\nldflags=\nxflag() {');
    new GoBuild(p, 'bare', { strip: false });
    expect(envOf(jobOf(p, 'bare')).GOBUILD_LDFLAGS).toBeUndefined();
    expect(scriptOf(jobOf(p, 'bare'))).toContain('\ngo build -trimpath -o "$out" "$pkg"\n');
  });

  it('writes to an output path that may hold references', () => {
    const p = pipeline();
    new Param(p, 'version', { default: 'dev' });
    new GoBuild(p, { package: '.', output: 'dist/app-$(KAYCI_PARAM_VERSION)' });
    const job = jobOf(p, 'build');
    expect(envOf(job).GOBUILD_OUTPUT).toBe('dist/app-$(KAYCI_PARAM_VERSION)');
    expect(scriptOf(job)).toMatch(/^pkg=\.\nout=\$GOBUILD_OUTPUT\nmkdir -p /);
  });

  it('has typed results; using one needs the build', () => {
    const p = pipeline();
    const build = new GoBuild(p);
    expect(`${build.results.sha256}`).toBe('$(KAYCI_RESULT_BUILD_SHA256)');
    expect(`${build.results.binary}`).toBe('$(KAYCI_RESULT_BUILD_BINARY)');
    // @ts-expect-error GoBuild has no coverage result
    expect(build.results.coverage).toBeUndefined();
    new Job(p, 'publish', { image: 'alpine', run: `upload ${build.results.binary} ${build.results.sha256}` });
    expect(jobOf(p, 'publish').needs).toEqual(['build']);
  });

  it('rejects a GOOS/GOARCH pair Go cannot build for, with the closest pairs and the valid GOARCHes', () => {
    // @ts-expect-error not a platform: the type already says so
    expect(thrown(() => new GoBuild(pipeline(), { platform: 'linux/amd46' })).message).toBe(
      '[go/build] platform: "linux/amd46" is not a GOOS/GOARCH pair Go can build for; did you mean "linux/amd64"? ' +
        'GOOS linux supports GOARCH 386, amd64, arm, arm64, loong64, mips, mips64, mips64le, mipsle, ppc64, ppc64le, riscv64, s390x (`go tool dist list` lists every pair)',
    );
    const message = (platform: string) => thrown(() => new GoBuild(pipeline(), 'b', { platform: platform as GoPlatform })).message;
    // Names other tools use for the same thing.
    expect(message('linux/x86_64')).toContain('did you mean "linux/amd64"?');
    expect(message('linux/aarch64')).toContain('did you mean "linux/arm64"?');
    expect(message('macos/arm64')).toContain('did you mean "darwin/arm64"? GOOS darwin supports GOARCH amd64, arm64');
    expect(message('Linux/AMD64')).toContain('did you mean "linux/amd64"?');
    // Go 1.26 removed windows/arm.
    expect(message('windows/arm')).toContain('did you mean "windows/arm64"? GOOS windows supports GOARCH 386, amd64, arm64');
    expect(message('darwn/arm64')).toContain('did you mean "darwin/arm64"? GOOS is one of aix, android, darwin,');
    expect(message('beos/ppc')).toMatch(/^\[go\/b\] platform: "beos\/ppc" is not a GOOS\/GOARCH pair Go can build for; GOOS is one of aix, .*, windows \(`go tool dist list` lists every pair\)$/);
    expect(message('linux')).toBe('[go/b] platform: "linux" is not GOOS/GOARCH: write it as `go tool dist list` prints it, e.g. "linux/amd64"');
  });

  it('rejects other props that can never work', () => {
    const p = () => pipeline();
    expect(thrown(() => new GoBuild(p(), { package: '' })).message).toContain('[go/build] package: "" is not a package: name the main package, e.g. "./cmd/server" or "."');
    expect(thrown(() => new GoBuild(p(), { package: '-v' })).message).toContain('[go/build] package: "-v" is not a package');
    expect(thrown(() => new GoBuild(p(), { binaryName: 'bin/server' })).message).toContain('[go/build] binaryName: "bin/server" is not a file name');
    expect(thrown(() => new GoBuild(p(), { output: '' })).message).toContain('[go/build] output: must be a file path');
    expect(thrown(() => new GoBuild(p(), { ldflags: { version: '1' } })).message).toContain('[go/build] ldflags["version"]: is not importpath.name, e.g. "main.version"');
    expect(thrown(() => new GoBuild(p(), { ldflags: { 'main.msg': `it's "quoted"` } })).message).toContain(`[go/build] ldflags["main.msg"]: holds both ' and ", which -ldflags cannot quote`);
    expect(thrown(() => new GoBuild(p(), { tags: ['a b'] })).message).toContain('[go/build] tags[0]: "a b" is not a build tag');
  });
});

describe('GoBuildMatrix', () => {
  it('adds one GoBuild per platform, named <id>-<os>-<arch>, typed by platform', () => {
    const p = pipeline();
    const version = new Param(p, 'version', { default: 'dev' });
    const matrix = new GoBuildMatrix(p, { platforms: ['linux/amd64', 'linux/arm64', 'darwin/arm64', 'windows/amd64'], package: './cmd/server', ldflags: { 'main.version': version } });
    expect(matrix.node.path).toBe('go/build');
    expect(matrix.jobs.map((b) => [b.name, b.platform])).toEqual([
      ['build-linux-amd64', 'linux/amd64'],
      ['build-linux-arm64', 'linux/arm64'],
      ['build-darwin-arm64', 'darwin/arm64'],
      ['build-windows-amd64', 'windows/amd64'],
    ]);
    expect(matrix.builds['linux/arm64']).toBe(matrix.jobs[1]);
    expect(`${matrix.builds['darwin/arm64'].results.sha256}`).toBe('$(KAYCI_RESULT_BUILD_DARWIN_ARM64_SHA256)');
    // @ts-expect-error not one of the matrix's platforms
    expect(matrix.builds['linux/riscv64']).toBeUndefined();
    // @ts-expect-error GoBuild has no junit result
    expect(matrix.builds['linux/amd64'].results.junit).toBeUndefined();

    const spec = specOf(p);
    expect(spec.jobs.map((j) => j.name)).toEqual(['build-linux-amd64', 'build-linux-arm64', 'build-darwin-arm64', 'build-windows-amd64']);
    for (const job of spec.jobs) {
      const [goos, goarch] = job.name.split('-').slice(1);
      expect(envOf(job)).toMatchObject({ GOOS: goos, GOARCH: goarch, CGO_ENABLED: '0', GOBUILD_LDFLAGS: '-s -w', GOBUILD_X_0: 'main.version=$(KAYCI_PARAM_VERSION)' });
      expect(scriptOf(job)).toContain(`\nout=bin/$name-${goos}-${goarch}${goos === 'windows' ? '.exe' : ''}\n`);
      expectCache(job);
    }
  });

  it('takes an id; shared props reach every build; needs and results wire up', () => {
    const p = pipeline();
    const test = new Job(p, 'test', { image: 'x', run: 'true' });
    const release = new GoBuildMatrix(p, 'release', { platforms: ['linux/amd64', 'linux/arm64'], needs: [test], cgo: true, tags: ['netgo'] });
    new Job(p, 'checksums', { image: 'alpine', needs: [...release.jobs], run: `echo ${release.builds['linux/arm64'].results.sha256}` });
    const spec = specOf(p);
    expect(spec.jobs.map((j) => [j.name, j.needs])).toEqual([
      ['test', undefined],
      ['release-linux-amd64', ['test']],
      ['release-linux-arm64', ['test']],
      ['checksums', ['release-linux-amd64', 'release-linux-arm64']],
    ]);
    expect(envOf(spec.jobs[2]!).CGO_ENABLED).toBe('1');
    expect(scriptOf(spec.jobs[2]!)).toContain('go build -trimpath -tags=netgo -ldflags "$GOBUILD_LDFLAGS"');
  });

  it('rejects an unknown, repeated or missing platform before adding any job', () => {
    const p = pipeline();
    // @ts-expect-error not a platform
    const e = thrown(() => new GoBuildMatrix(p, { platforms: ['linux/amd64', 'linux/arm46'] }));
    expect(e.message).toMatch(/^\[go\/build\] platforms\[1\]: "linux\/arm46" is not a GOOS\/GOARCH pair Go can build for; did you mean "linux\/arm64"\? GOOS linux supports GOARCH 386, amd64, /);
    expect(p.jobs).toEqual([]);
    expect(thrown(() => new GoBuildMatrix(pipeline(), { platforms: ['linux/amd64', 'linux/arm64', 'linux/amd64'] })).message).toBe(
      '[go/build] platforms[2]: "linux/amd64" is already platforms[0]; each platform is built once',
    );
    expect(thrown(() => new GoBuildMatrix(pipeline(), 'm', { platforms: [] })).message).toContain('[go/m] platforms: must name at least one GOOS/GOARCH pair');
    expect(thrown(() => new GoBuildMatrix(pipeline(), { platforms: ['linux/amd64'], ldflags: { v: '1' } })).message).toContain('[go/build] ldflags["v"]: is not importpath.name');
  });
});

describe('GO_PLATFORMS', () => {
  const hasGo = missingTools(['go']).length === 0;
  it.runIf(hasGo)('is the set `go tool dist list` prints (windows/arm aside: Go 1.26 removed it)', () => {
    const listed = execFileSync('go', ['tool', 'dist', 'list'], { encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local' } }).trim().split('\n');
    expect(listed.filter((p) => p !== 'windows/arm')).toEqual([...GO_PLATFORMS]);
  });

  it('lists the GOARCHes of a GOOS', () => {
    expect(goArchesFor('darwin')).toEqual(['amd64', 'arm64']);
    expect(goArchesFor('beos')).toEqual([]);
  });
});
