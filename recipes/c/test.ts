// Test jobs for C builds: CTest runs a CMake build's tests with ctest and writes a JUnit report;
// MakeTest runs a Makefile's test target. Both fail the job when a test fails, with the failing
// test's output in the log.
import { Job } from '../../constructs/job.ts';
import type { Pipeline } from '../../constructs/pipeline.ts';
import { IMAGES } from '../images.ts';
import { at, idAndProps, needsWorkspace, recipeJob, sh, throwProblems, writeResult, type Problem, type RecipeProps } from '../common.ts';
import { compilerEnv, type CBuild } from './build.ts';
import { absolute, argsOf, exclusive, parallelism, pathProp, tools } from './shared.ts';

/** Props of CTest. */
export interface CTestProps extends RecipeProps {
  /**
   * The CMake build whose tests run: the job needs it and runs in its build directory.
   * @default none: set `buildDir` (and `needs`) yourself
   */
  readonly build?: CBuild;
  /**
   * The CMake build directory, relative to the workspace, when there is no `build`.
   * @default 'build'
   */
  readonly buildDir?: string;
  /**
   * Where ctest writes the JUnit XML report, relative to the workspace. Unlike other recipes'
   * reports (in `.kayci/out/<id>/`) it stays with the build it belongs to.
   * @default `<buildDir>/ctest-junit.xml`
   */
  readonly junit?: string;
  /**
   * Tests run at once.
   * @default the number of cores (`nproc`)
   */
  readonly parallel?: number;
  /**
   * Extra arguments to ctest, e.g. `['-L', 'unit', '--timeout', '60']`.
   * @default none
   */
  readonly args?: readonly string[];
}

/**
 * Runs a CMake build's tests: `ctest --output-on-failure --output-junit` (ctest 3.21 or newer),
 * in parallel; a build without tests fails. Results: `junit` (the report's path, relative to
 * the workspace), `tests` (how many ran) and `failed` (how many failed); they are written even
 * when tests fail, though a failed job's results reach no other job.
 */
export class CTest extends Job<'junit' | 'tests' | 'failed'> {
  /** The build whose tests run, if given. */
  readonly build?: CBuild;
  readonly buildDir: string;
  /** Where the JUnit report goes, relative to the workspace. */
  readonly junit: string;

  constructor(scope: Pipeline, props?: CTestProps);
  constructor(scope: Pipeline, id: string, props?: CTestProps);
  constructor(scope: Pipeline, idOrProps?: string | CTestProps, maybeProps?: CTestProps) {
    const [id, props] = idAndProps(idOrProps, maybeProps, 'test');
    const problems: Problem[] = [];
    exclusive(problems, props, 'build', 'buildDir');
    const build = props.build;
    if (build && build.buildSystem !== 'cmake') {
      const instead = build.buildSystem === 'make' ? 'use MakeTest for make builds' : 'run `meson test -C <buildDir>` for Meson builds';
      problems.push(['build', `${build.node.path} is a ${build.buildSystem} build; ctest needs a CMake build directory: ${instead}`]);
    }
    const buildDir = build?.buildDir ?? pathProp(problems, 'buildDir', props.buildDir, 'build');
    const junit = pathProp(problems, 'junit', props.junit, `${buildDir}/ctest-junit.xml`);
    const jobs = parallelism(problems, props.parallel);
    throwProblems(at(scope, id), problems);
    const B = sh(buildDir);
    const J = sh(junit);
    const config = build?.buildType ? ` --build-config ${build.buildType}` : '';
    const run = [
      'status=0',
      `ctest --test-dir ${B}${config} --output-on-failure --no-tests=error --output-junit ${absolute(junit)} --parallel ${jobs}${argsOf(props.args)} || status=$?`,
      // The report's <testsuite> carries the counts; its attributes may span lines.
      'tests=0; failed=0',
      `if [ -f ${J} ]; then`,
      `  tests=$$(sed -n 's/.*[[:space:]]tests="\\([0-9]*\\)".*/\\1/p' ${J} | head -n 1)`,
      `  failed=$$(sed -n 's/.*[[:space:]]failures="\\([0-9]*\\)".*/\\1/p' ${J} | head -n 1)`,
      'fi',
      writeResult('junit', junit),
      'echo "tests=${tests:-0}" >> "$KAYCI_RESULTS_FILE"',
      'echo "failed=${failed:-0}" >> "$KAYCI_RESULTS_FILE"',
      'exit "$status"',
    ].join('\n');
    super(scope, id, recipeJob(props, {
      image: IMAGES.cToolchain,
      run,
      tools: tools('ctest'),
      results: ['junit', 'tests', 'failed'],
    }));
    if (build) {
      this.needs(build);
      needsWorkspace(this, `reads the build directory ${buildDir} that ${build.node.path} writes`);
    }
    this.build = build;
    this.buildDir = buildDir;
    this.junit = junit;
  }
}

/** Props of MakeTest. */
export interface MakeTestProps extends RecipeProps {
  /**
   * The make build whose tests run: the job needs it and runs make where it did.
   * @default none: set `sourceDir` (and `needs`) yourself
   */
  readonly build?: CBuild;
  /**
   * The directory holding the Makefile, relative to the workspace, when there is no `build`.
   * @default '.'
   */
  readonly sourceDir?: string;
  /**
   * The target that builds and runs the tests.
   * @default 'test'
   */
  readonly target?: string;
  /**
   * Parallel make jobs.
   * @default the number of cores (`nproc`)
   */
  readonly parallel?: number;
  /**
   * Extra arguments to make, before the target, e.g. `['BUILD_DIR=out']`. With a `build`, its
   * variables (coverage flags, `NAME=value` makeArgs) come first, and its compiler is CC.
   * @default none
   */
  readonly args?: readonly string[];
}

/**
 * Runs a Makefile's test target, with the variables and compiler of its build; the job fails
 * when make does. No results.
 */
export class MakeTest extends Job {
  /** The build whose tests run, if given. */
  readonly build?: CBuild;
  readonly sourceDir: string;

  constructor(scope: Pipeline, props?: MakeTestProps);
  constructor(scope: Pipeline, id: string, props?: MakeTestProps);
  constructor(scope: Pipeline, idOrProps?: string | MakeTestProps, maybeProps?: MakeTestProps) {
    const [id, props] = idAndProps(idOrProps, maybeProps, 'test');
    const problems: Problem[] = [];
    exclusive(problems, props, 'build', 'sourceDir');
    const build = props.build;
    if (build && build.buildSystem !== 'make') {
      problems.push(['build', `${build.node.path} is a ${build.buildSystem} build; MakeTest runs a Makefile: ${build.buildSystem === 'cmake' ? 'use CTest' : 'run `meson test -C <buildDir>`'}`]);
    }
    const sourceDir = build?.sourceDir ?? pathProp(problems, 'sourceDir', props.sourceDir, '.');
    const target = props.target ?? 'test';
    if (typeof target !== 'string' || !/^[^\s'"$]+$/.test(target)) problems.push(['target', `must be a make target, got ${JSON.stringify(target)}`]);
    const jobs = parallelism(problems, props.parallel);
    throwProblems(at(scope, id), problems);
    const dir = sourceDir === '.' ? '' : ` -C ${sh(sourceDir)}`;
    super(scope, id, recipeJob(props, {
      image: IMAGES.cToolchain,
      run: `make${dir} -j ${jobs}${argsOf([...(build?.makeVariables ?? []), ...(props.args ?? [])])} ${sh(target)}`,
      tools: tools('make', ...(build ? [build.compiler] : [])),
      // The tests compile against the build's objects: with the same compiler.
      env: build ? compilerEnv(build.compiler) : undefined,
    }));
    if (build) {
      this.needs(build);
      needsWorkspace(this, `reads the files of its build in ${build.buildDir} that ${build.node.path} writes`);
    }
    this.build = build;
    this.sourceDir = sourceDir;
  }
}
