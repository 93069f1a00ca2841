// Rendering of GoTest, GoVet, GoLint and GoVulncheck: the Job each becomes (image, script, env,
// the Go cache, results, the tools annotation), defaults against overrides, the props every
// recipe shares, and the props errors that throw at construction.
import { describe, expect, it } from 'vitest';
import { App, Cache, Duration, Job, Param, Pipeline, PropError } from '../../../constructs/index.ts';
import { IMAGES } from '../../../recipes/images.ts';
import { GO_TOOLS, GOLANGCI_LINT_VERSION, goCache, GoBuildMatrix, GoLint, GoTest, GoVet, GoVulncheck } from '../../../recipes/go/index.ts';
import { containerOf, envOf, expectCache, jobOf, scriptOf, specOf, toolsOf } from './helpers.ts';

const pipeline = (name = 'go') => new Pipeline(new App(), name);
const GO_HINT = { go: 'https://go.dev/doc/install' };
const CACHE_ENV = { GOCACHE: '/cache/go/build', GOMODCACHE: '/cache/go/mod' };

describe('GoTest', () => {
  it('runs go test through gotestsum with the race detector, coverage and a JUnit report', () => {
    const p = pipeline();
    const test = new GoTest(p);
    expect(test.name).toBe('test');
    const job = jobOf(p, 'test');
    expect(job.results).toEqual([{ name: 'coverage' }, { name: 'junit' }]);
    expect(job.needs).toBeUndefined();
    expect(containerOf(job).image).toBe(IMAGES.go);
    expect(envOf(job)).toEqual({ ...CACHE_ENV, CGO_ENABLED: '1' });
    expectCache(job);
    expect(toolsOf(job)).toEqual(GO_HINT);
    // Reports go where every recipe's files for other jobs go: .kayci/out/<job id>/.
    expect(scriptOf(job)).toBe([
      'rm -f .kayci/out/test/junit.xml .kayci/out/test/go-test.json .kayci/out/test/coverage.out',
      'mkdir -p .kayci/out/test',
      'status=0',
      `go run ${GO_TOOLS.gotestsum} --format=pkgname --junitfile=.kayci/out/test/junit.xml --jsonfile=.kayci/out/test/go-test.json -- -race -coverprofile=.kayci/out/test/coverage.out ./... || status=$?`,
      `if [ -s .kayci/out/test/coverage.out ] && coverage=$(go tool cover -func=.kayci/out/test/coverage.out | awk '/^total:/ {print $3}') && [ -n "$coverage" ]; then`,
      '  echo "total coverage: $coverage"',
      '  echo "coverage=$coverage" >> "$KAYCI_RESULTS_FILE"',
      'fi',
      'echo junit=.kayci/out/test/junit.xml >> "$KAYCI_RESULTS_FILE"',
      'exit "$status"',
    ].join('\n'));
    expect(GO_TOOLS.gotestsum).toBe('gotest.tools/gotestsum@v1.13.0');
  });

  it('takes an id and props, or props alone', () => {
    const p = pipeline();
    new GoTest(p, 'unit', { race: false });
    new GoTest(p, { race: false });
    expect(specOf(p).jobs.map((j) => [j.name, envOf(j).CGO_ENABLED])).toEqual([['unit', undefined], ['test', undefined]]);
    expect(p.node.findChild('test').node.path).toBe('go/test');
  });

  it('overrides: no race (and no cgo), no coverage, report paths, shuffle, timeout, tags, flags, packages, format', () => {
    const p = pipeline();
    new GoTest(p, 'unit', {
      race: false,
      coverProfile: false,
      junitFile: 'reports/junit.xml',
      jsonFile: 'reports/go/test.json',
      shuffle: 42,
      testTimeout: Duration.minutes(2),
      tags: ['integration', 'sqlite_omit_load_extension'],
      flags: ['-count=1', '-run=Test API'],
      packages: ['./internal/...', './cmd/...'],
      format: 'testname',
    });
    const job = jobOf(p, 'unit');
    expect(envOf(job)).toEqual(CACHE_ENV);
    expect(scriptOf(job)).toBe([
      'rm -f reports/junit.xml reports/go/test.json',
      'mkdir -p reports reports/go',
      'status=0',
      `go run ${GO_TOOLS.gotestsum} --format=testname --junitfile=reports/junit.xml --jsonfile=reports/go/test.json -- -shuffle=42 -timeout=120s -tags=integration,sqlite_omit_load_extension -count=1 '-run=Test API' ./internal/... ./cmd/... || status=$?`,
      'echo junit=reports/junit.xml >> "$KAYCI_RESULTS_FILE"',
      'exit "$status"',
    ].join('\n'));
    new GoTest(p, 'shuffled', { shuffle: true, coverProfile: 'out/cover profile.out' });
    const shuffled = scriptOf(jobOf(p, 'shuffled'));
    expect(shuffled).toContain(" -- -race '-coverprofile=out/cover profile.out' -shuffle=on ./... ");
    expect(shuffled).toContain("mkdir -p .kayci/out/shuffled out\n");
    expect(shuffled).toContain("go tool cover '-func=out/cover profile.out'");
  });

  it('has typed results; using one needs the test job', () => {
    const p = pipeline();
    const test = new GoTest(p);
    expect(`${test.results.coverage}`).toBe('$(KAYCI_RESULT_TEST_COVERAGE)');
    expect(`${test.results.junit}`).toBe('$(KAYCI_RESULT_TEST_JUNIT)');
    // @ts-expect-error GoTest has no sha256 result
    expect(test.results.sha256).toBeUndefined();
    new Job(p, 'report', { image: 'busybox', run: `echo ${test.results.coverage}` });
    expect(jobOf(p, 'report').needs).toEqual(['test']);
  });

  it('rejects props that can never work, naming the construct and the prop', () => {
    const cases: [object, string][] = [
      [{ shuffle: 1.5 }, '[go/test] shuffle: must be true, false or a whole-number seed, got 1.5'],
      [{ testTimeout: Duration.millis(500) }, '[go/test] testTimeout: must be at least a second'],
      [{ tags: ['integration e2e'] }, `[go/test] tags[0]: "integration e2e" is not a build tag: use letters, digits, '_' and '.'; give each tag as its own entry`],
      [{ tags: ['a,b'] }, '[go/test] tags[0]: "a,b" is not a build tag'],
      [{ packages: [] }, '[go/test] packages: must name at least one package pattern'],
      [{ packages: ['./...', '-v'] }, '[go/test] packages[1]: "-v" is not a package pattern (e.g. "./...", "./internal/..."); pass flags with `flags`'],
      [{ junitFile: '' }, '[go/test] junitFile: must be a file path'],
      [{ format: '' }, '[go/test] format: must name a gotestsum format'],
    ];
    for (const [props, message] of cases) {
      const error = (() => {
        try {
          new GoTest(pipeline(), props);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error, message).toBeInstanceOf(PropError);
      expect((error as Error).message).toContain(message);
    }
  });
});

describe('the props every Go recipe shares', () => {
  it('passes needs, when, retries, timeout, image, env and resources through', () => {
    const p = pipeline();
    const vet = new GoVet(p);
    new GoTest(p, {
      needs: [vet],
      when: { branches: ['main'], paths: ['**/*.go', 'go.mod'] },
      retries: 2,
      timeout: Duration.minutes(15),
      image: 'golang:1.26@sha256:' + 'a'.repeat(64),
      env: { GOFLAGS: '-mod=readonly', GOCACHE: '/elsewhere' },
      resources: { requests: { cpu: '2', memory: '4Gi' } },
    });
    const job = jobOf(p, 'test');
    expect(job.needs).toEqual(['vet']);
    expect(job.when).toEqual({ branches: ['main'], paths: ['**/*.go', 'go.mod'] });
    expect(job.retries).toBe(2);
    expect(job.timeoutSeconds).toBe(900);
    const c = containerOf(job);
    expect(c.image).toBe('golang:1.26@sha256:' + 'a'.repeat(64));
    expect(c.resources).toEqual({ requests: { cpu: '2', memory: '4Gi' } });
    // The user's env comes last and wins.
    expect(envOf(job)).toEqual({ GOCACHE: '/elsewhere', GOMODCACHE: '/cache/go/mod', CGO_ENABLED: '1', GOFLAGS: '-mod=readonly' });
  });

  it('shares one Go cache by default; another cache or none on request', () => {
    expect(goCache.claimName).toBe('kayci-cache-go');
    const p = pipeline();
    new GoVet(p);
    new GoTest(p, { cache: new Cache('gomod', { claimName: 'team-go', mountPath: '/var/cache/go' }) });
    new GoLint(p, { cache: false });
    const [vet, test, lint] = specOf(p).jobs;
    expectCache(vet!);
    expectCache(test!, 'team-go', '/var/cache/go', 'gomod');
    expect(envOf(test!)).toMatchObject({ GOCACHE: '/var/cache/go/build', GOMODCACHE: '/var/cache/go/mod' });
    expect(lint!.template.template!.spec!.volumes).toBeUndefined();
    expect(containerOf(lint!).volumeMounts).toBeUndefined();
    expect(containerOf(lint!).env).toBeUndefined();
  });

  it('every recipe together renders a valid pipeline sharing one cache claim, with every image pinned (strict mode)', () => {
    const p = new Pipeline(new App(), 'all', { strict: true });
    const vet = new GoVet(p);
    const lint = new GoLint(p);
    const test = new GoTest(p, { needs: [vet, lint] });
    new GoVulncheck(p, { needs: [test] });
    new GoBuildMatrix(p, { platforms: ['linux/amd64', 'linux/arm64'], needs: [test] });
    const spec = specOf(p);
    expect(spec.jobs.map((j) => [j.name, j.needs])).toEqual([
      ['vet', undefined],
      ['lint', undefined],
      ['test', ['vet', 'lint']],
      ['vulncheck', ['test']],
      ['build-linux-amd64', ['test']],
      ['build-linux-arm64', ['test']],
    ]);
    for (const job of spec.jobs) expectCache(job);
  });
});

describe('GoVet', () => {
  it('vets and checks gofmt on the files go list finds', () => {
    const p = pipeline();
    expect(new GoVet(p).name).toBe('vet');
    const job = jobOf(p, 'vet');
    expect(containerOf(job).image).toBe(IMAGES.go);
    expect(job.results).toBeUndefined();
    expect(envOf(job)).toEqual(CACHE_ENV);
    expectCache(job);
    expect(toolsOf(job)).toEqual({ ...GO_HINT, gofmt: 'https://go.dev/doc/install (gofmt comes with Go)' });
    const lists = ['GoFiles', 'CgoFiles', 'TestGoFiles', 'XTestGoFiles', 'IgnoredGoFiles'].map((l) => `{{range .${l}}}{{$.Dir}}/{{.}}{{println}}{{end}}`).join('');
    expect(scriptOf(job)).toBe([
      'go vet ./...',
      `unformatted=$(go list -f '${lists}' ./... | xargs -r gofmt -l)`,
      'if [ -n "$unformatted" ]; then',
      '  echo "gofmt: these files are not formatted; run gofmt -w on them:"',
      '  echo "$unformatted"',
      '  exit 1',
      'fi',
    ].join('\n'));
  });

  it('overrides: no gofmt check, tags (for vet and go list), flags, packages', () => {
    const p = pipeline();
    new GoVet(p, 'vet-only', { gofmt: false, tags: ['linux'], flags: ['-printf.funcs=Logf'], packages: ['./internal/...'] });
    const job = jobOf(p, 'vet-only');
    expect(scriptOf(job)).toBe('go vet -tags=linux -printf.funcs=Logf ./internal/...');
    expect(toolsOf(job)).toEqual(GO_HINT);
    new GoVet(p, 'tagged', { tags: ['e2e'] });
    expect(scriptOf(jobOf(p, 'tagged'))).toMatch(/^go vet -tags=e2e \.\/\.\.\.\nunformatted=\$\(go list -tags=e2e -f /);
  });

  it('rejects bad packages and tags', () => {
    expect(() => new GoVet(pipeline(), { packages: ['./a b'] })).toThrow('[go/vet] packages[0]: "./a b" is not a package pattern');
    expect(() => new GoVet(pipeline(), 'v', { tags: [''] })).toThrow('[go/v] tags[0]: "" is not a build tag');
  });
});

describe('GoLint', () => {
  const hint = { 'golangci-lint': `go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@${GOLANGCI_LINT_VERSION}`, ...GO_HINT };

  it('runs golangci-lint in its image, with its cache in the Go cache', () => {
    const p = pipeline();
    expect(new GoLint(p).name).toBe('lint');
    const job = jobOf(p, 'lint');
    expect(containerOf(job).image).toBe(IMAGES.golangciLint);
    expect(scriptOf(job)).toBe('golangci-lint run --allow-parallel-runners ./...');
    expect(envOf(job)).toEqual({ ...CACHE_ENV, GOLANGCI_LINT_CACHE: '/cache/go/golangci-lint' });
    expectCache(job);
    expect(toolsOf(job)).toEqual(hint);
    // The install hint names the version the cluster runs.
    expect(IMAGES.golangciLint).toContain(`:${GOLANGCI_LINT_VERSION}`);
  });

  it('overrides: config, tests, linters, new issues only, tags, flags, packages', () => {
    const p = pipeline();
    new GoLint(p, {
      config: 'ci/golangci.yml',
      tests: false,
      enable: ['gosec', 'revive'],
      disable: ['errcheck'],
      newFromRev: '$(KAYCI_PR_BASE_REF)',
      tags: ['e2e'],
      flags: ['--max-same-issues=0'],
      packages: ['./internal/...'],
    });
    const job = jobOf(p, 'lint');
    expect(scriptOf(job)).toBe('golangci-lint run --allow-parallel-runners --config=ci/golangci.yml --tests=false --build-tags=e2e --enable=gosec,revive --disable=errcheck --max-same-issues=0 --new-from-rev="$LINT_NEW_FROM_REV" ./internal/...');
    // A revision may come from the trigger: it reaches the script through the environment.
    expect(envOf(job).LINT_NEW_FROM_REV).toBe('$(KAYCI_PR_BASE_REF)');
    expect(new GoLint(pipeline(), { tests: true }).name).toBe('lint');
  });

  it('rejects bad linter names, a linter both enabled and disabled, and empty paths', () => {
    expect(() => new GoLint(pipeline(), { enable: ['err check'] })).toThrow('[go/lint] enable[0]: "err check" is not a linter name');
    expect(() => new GoLint(pipeline(), { enable: ['gosec'], disable: ['gosec'] })).toThrow('[go/lint] disable: gosec cannot be both enabled and disabled');
    expect(() => new GoLint(pipeline(), { config: '' })).toThrow('[go/lint] config: must be a file path');
    expect(() => new GoLint(pipeline(), { newFromRev: '' })).toThrow('[go/lint] newFromRev: must be a git revision');
  });
});

// govulncheck is not run end to end here: it needs the vulnerability database at vuln.go.dev,
// which this machine cannot reach. Only what the recipe renders is tested.
describe('GoVulncheck', () => {
  it('runs the pinned govulncheck with go run', () => {
    const p = pipeline();
    expect(new GoVulncheck(p).name).toBe('vulncheck');
    const job = jobOf(p, 'vulncheck');
    expect(containerOf(job).image).toBe(IMAGES.go);
    expect(scriptOf(job)).toBe('go run golang.org/x/vuln/cmd/govulncheck@v1.1.4 ./...');
    expect(envOf(job)).toEqual(CACHE_ENV);
    expectCache(job);
    expect(toolsOf(job)).toEqual(GO_HINT);
  });

  it('overrides: database, scan level, tags, flags, packages', () => {
    const p = pipeline();
    const mirror = new Param(p, 'vulndb', { default: 'https://vuln.example.com' });
    new GoVulncheck(p, 'scan', { db: 'file:///srv/vulndb', scan: 'module', tags: ['netgo'], flags: ['-show=verbose'], packages: ['./cmd/...'] });
    const scan = jobOf(p, 'scan');
    expect(scriptOf(scan)).toBe('go run golang.org/x/vuln/cmd/govulncheck@v1.1.4 -db="$GOVULNCHECK_DB" -scan=module -tags=netgo -show=verbose ./cmd/...');
    expect(envOf(scan)).toEqual({ ...CACHE_ENV, GOVULNCHECK_DB: 'file:///srv/vulndb' });
    new GoVulncheck(p, 'mirrored', { db: `${mirror}` });
    // A database from a parameter reaches the script through the environment.
    const mirrored = jobOf(p, 'mirrored');
    expect(scriptOf(mirrored)).toBe('go run golang.org/x/vuln/cmd/govulncheck@v1.1.4 -db="$GOVULNCHECK_DB" ./...');
    expect(envOf(mirrored).GOVULNCHECK_DB).toBe('$(KAYCI_PARAM_VULNDB)');
  });

  it('rejects an unknown scan level and a database that is not a URL', () => {
    // @ts-expect-error not a scan level
    expect(() => new GoVulncheck(pipeline(), { scan: 'functions' })).toThrow('[go/vulncheck] scan: "functions" is not a scan level: use symbol, package, module');
    expect(() => new GoVulncheck(pipeline(), { db: 'vuln.go.dev' })).toThrow('[go/vulncheck] db: "vuln.go.dev" is not a database URL: use https://… or file:///…');
  });
});
