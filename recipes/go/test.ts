// GoTest: `go test` through gotestsum, for a JUnit report besides the usual output, with the
// race detector and a coverage profile, all written under `.kayci/out/<id>/`; results are the
// total coverage and the report's path.
import type { Duration } from 'cdk8s';
import { Job } from '../../constructs/job.ts';
import type { Pipeline } from '../../constructs/pipeline.ts';
import { IMAGES } from '../images.ts';
import { at, idAndProps, outDir, recipeJob, script, sh, shWords, throwProblems, writeResult, type Problem } from '../common.ts';
import { GO_INSTALL, GO_TOOLS, goCacheSetup, goPropProblems, tagsFlag, type GoRecipeProps } from './go.ts';

/** Props of GoTest. */
export interface GoTestProps extends GoRecipeProps {
  /**
   * Package patterns to test.
   * @default ['./...']
   */
  readonly packages?: readonly string[];
  /**
   * Run with the race detector (`-race`). It needs cgo, so the job sets `CGO_ENABLED=1` and
   * needs a C compiler: the golang image has gcc; locally install gcc (or clang).
   * @default true
   */
  readonly race?: boolean;
  /**
   * Where to write the coverage profile (`-coverprofile`), relative to the working directory;
   * `false` for none, which leaves the `coverage` result empty.
   * @default `.kayci/out/<id>/coverage.out`
   */
  readonly coverProfile?: string | false;
  /**
   * Where gotestsum writes the JUnit XML report, relative to the working directory.
   * @default `.kayci/out/<id>/junit.xml`
   */
  readonly junitFile?: string;
  /**
   * Where gotestsum writes the `go test -json` event stream, relative to the working directory.
   * @default `.kayci/out/<id>/go-test.json`
   */
  readonly jsonFile?: string;
  /**
   * Run tests and benchmarks in random order (`-shuffle`): `true` for a new seed each run (the
   * log shows it), or a seed to repeat an order.
   * @default false
   */
  readonly shuffle?: boolean | number;
  /**
   * Time limit for each test binary (`-timeout`); the job's own limit is `timeout`.
   * @default go test's, 10 minutes
   */
  readonly testTimeout?: Duration;
  /**
   * gotestsum's output format (`--format`): pkgname, pkgname-and-test-fails, testname,
   * standard-quiet, standard-verbose, dots, github-actions, …
   * @default 'pkgname': a line per package, then every failure with its output
   */
  readonly format?: string;
  /**
   * Extra `go test` flags, e.g. `['-count=1', '-run=TestAPI']`.
   * @default none
   */
  readonly flags?: readonly string[];
}

/**
 * `go test` with the race detector, coverage and a JUnit report. Results: `coverage` (total
 * statement coverage, e.g. `87.5%`; empty without a profile) and `junit` (the report's path,
 * `.kayci/out/<id>/junit.xml` by default). Failing tests still write both, then fail the job.
 */
export class GoTest extends Job<'coverage' | 'junit'> {
  constructor(scope: Pipeline, props?: GoTestProps);
  constructor(scope: Pipeline, id: string, props?: GoTestProps);
  constructor(scope: Pipeline, idOrProps?: string | GoTestProps, maybeProps?: GoTestProps) {
    const [id, props] = idAndProps(idOrProps, maybeProps, 'test');
    throwProblems(at(scope, id), goTestProblems(props));
    const { caches, env } = goCacheSetup(props);
    const race = props.race ?? true;
    super(scope, id, recipeJob(props, {
      image: IMAGES.go,
      run: goTestScript(id, props),
      tools: { go: GO_INSTALL.go },
      results: ['coverage', 'junit'],
      env: { ...env, ...(race ? { CGO_ENABLED: '1' } : {}) },
      caches,
    }));
  }
}

function goTestProblems(props: GoTestProps): Problem[] {
  const problems = goPropProblems(props);
  if (props.shuffle !== undefined && typeof props.shuffle !== 'boolean' && !Number.isSafeInteger(props.shuffle)) {
    problems.push(['shuffle', `must be true, false or a whole-number seed, got ${props.shuffle}`]);
  }
  if (props.testTimeout !== undefined && props.testTimeout.toMilliseconds() < 1000) {
    problems.push(['testTimeout', 'must be at least a second; go test reads 0 as no limit, which `flags: [\'-timeout=0\']` says']);
  }
  for (const p of ['coverProfile', 'junitFile', 'jsonFile'] as const) {
    if (props[p] === '') problems.push([p, 'must be a file path; leave it out for the default']);
  }
  if (props.format === '') problems.push(['format', 'must name a gotestsum format, e.g. "pkgname"; leave it out for the default']);
  return problems;
}

function goTestScript(id: string, props: GoTestProps): string {
  const out = outDir(id);
  const profile = props.coverProfile === undefined ? `${out}/coverage.out` : props.coverProfile;
  const junit = props.junitFile ?? `${out}/junit.xml`;
  const json = props.jsonFile ?? `${out}/go-test.json`;
  const shuffle = props.shuffle === undefined || props.shuffle === false ? [] : [`-shuffle=${props.shuffle === true ? 'on' : props.shuffle}`];
  const goTestFlags = [
    ...((props.race ?? true) ? ['-race'] : []),
    ...(profile ? [`-coverprofile=${profile}`] : []),
    ...shuffle,
    ...(props.testTimeout ? [`-timeout=${props.testTimeout.toSeconds({ integral: false })}s`] : []),
    ...tagsFlag(props.tags),
    ...(props.flags ?? []),
  ];
  const outputs = [junit, json, ...(profile ? [profile] : [])];
  const dirs = [...new Set(outputs.filter((f) => f.includes('/')).map((f) => f.replace(/\/[^/]*$/, '') || '/'))];
  const gotestsum = shWords([
    'go', 'run', GO_TOOLS.gotestsum, `--format=${props.format ?? 'pkgname'}`, `--junitfile=${junit}`, `--jsonfile=${json}`,
    '--', ...goTestFlags, ...(props.packages ?? ['./...']),
  ]);
  return script(
    // Stale reports from an earlier run in the same directory must not pass for this run's.
    `rm -f ${shWords(outputs)}`,
    dirs.length > 0 && `mkdir -p ${shWords(dirs)}`,
    // Failing tests still leave a report and a profile: record them, then fail.
    'status=0',
    `${gotestsum} || status=$?`,
    profile && [
      `if [ -s ${sh(profile)} ] && coverage=$(go tool cover ${sh(`-func=${profile}`)} | awk '/^total:/ {print $3}') && [ -n "$coverage" ]; then`,
      '  echo "total coverage: $coverage"',
      '  echo "coverage=$coverage" >> "$KAYCI_RESULTS_FILE"',
      'fi',
    ],
    writeResult('junit', junit),
    'exit "$status"',
  );
}
