// CCoverage: line coverage of a C build with gcovr, after its tests ran. The build must be
// instrumented (`new CBuild(p, { coverage: true })`) and the tests must have run in the same
// workspace: gcovr reads the .gcno files the compiler wrote and the .gcda counters the tests did.
// The reports go to `.kayci/out/<id>/`.
import { Job } from '../../constructs/job.ts';
import type { Pipeline } from '../../constructs/pipeline.ts';
import { IMAGES } from '../images.ts';
import { at, idAndProps, needsWorkspace, outDir, recipeJob, sh, throwProblems, writeResult, type Problem, type RecipeProps } from '../common.ts';
import type { CBuild } from './build.ts';
import type { CTest, MakeTest } from './test.ts';
import { argsOf, exclusive, pathProp, tools, type CTool } from './shared.ts';

/** gcovr installed in the cluster image when it has none (CI images of XRPLF pin the same). */
export const GCOVR_VERSION = '8.3';

/** Props of CCoverage. */
export interface CCoverageProps extends RecipeProps {
  /**
   * The test run whose counters are reported; the job needs it, and its `build` is the default
   * for `build`.
   * @default none: set `build` or `buildDir`, and `needs`
   */
  readonly test?: CTest | MakeTest;
  /**
   * The coverage build (`coverage: true`) whose counters are reported; the job needs it.
   * @default the build of `test`
   */
  readonly build?: CBuild;
  /**
   * Where gcovr looks for counters, relative to the workspace, when there is neither `build`
   * nor a `test` with one.
   * @default 'build'
   */
  readonly buildDir?: string;
  /**
   * The source root: file names in the reports are relative to it, and only files under it count.
   * @default the build's sourceDir, else '.'
   */
  readonly root?: string;
  /**
   * Keep only source files matching these regexes (`--filter`).
   * @default every file under `root`
   */
  readonly filter?: readonly string[];
  /**
   * Leave out source files matching these regexes (`--exclude`), e.g. `['tests/']`.
   * @default none
   */
  readonly exclude?: readonly string[];
  /**
   * Where the reports go, relative to the workspace: `cobertura.xml`, `summary.json` (gcovr's
   * JSON summary) and `summary.txt` (the table and totals the log shows).
   * @default `.kayci/out/<id>`
   */
  readonly outputDir?: string;
  /**
   * Fail the job when line coverage is below this percentage (`--fail-under-line`).
   * @default no minimum
   */
  readonly failUnderLine?: number;
  /**
   * The gcov command (`--gcov-executable`); clang's counters need `llvm-cov gcov`.
   * @default 'llvm-cov gcov' for a clang build, else gcov
   */
  readonly gcovExecutable?: string;
  /**
   * Extra arguments to gcovr.
   * @default none
   */
  readonly args?: readonly string[];
}

/**
 * gcovr over a coverage build after its tests ran: a Cobertura XML report and a summary, in
 * `.kayci/out/<id>/` by default. Results: `coverage` (line coverage in percent, e.g. `87.5`)
 * and `cobertura` (the XML report's path, relative to the workspace).
 */
export class CCoverage extends Job<'coverage' | 'cobertura'> {
  /** The coverage build, if known. */
  readonly build?: CBuild;
  readonly outputDir: string;

  constructor(scope: Pipeline, props?: CCoverageProps);
  constructor(scope: Pipeline, id: string, props?: CCoverageProps);
  constructor(scope: Pipeline, idOrProps?: string | CCoverageProps, maybeProps?: CCoverageProps) {
    const [id, props] = idAndProps(idOrProps, maybeProps, 'coverage');
    const problems: Problem[] = [];
    exclusive(problems, props, 'build', 'buildDir');
    const build = props.build ?? props.test?.build;
    if (props.build && props.test?.build && props.test.build !== props.build) {
      problems.push(['build', `${props.build.node.path} is not the build ${props.test.node.path} tested (${props.test.build.node.path}); leave build out to use the tested one`]);
    } else if (build && !build.coverage) {
      problems.push(['build', `${build.node.path} is not instrumented for coverage: give it coverage: true (a separate build, e.g. new CBuild(pipeline, 'coverage-build', { coverage: true, buildDir: 'build-coverage' }))`]);
    }
    if (props.buildDir !== undefined && props.test?.build) problems.push(['buildDir', `cannot be combined with test, whose build already says it`]);
    const buildDir = build?.buildDir ?? pathProp(problems, 'buildDir', props.buildDir, 'build');
    const root = pathProp(problems, 'root', props.root, build?.sourceDir ?? '.');
    const outputDir = pathProp(problems, 'outputDir', props.outputDir, outDir(id));
    const min = props.failUnderLine;
    if (min !== undefined && !(typeof min === 'number' && min >= 0 && min <= 100)) problems.push(['failUnderLine', `must be a percentage from 0 to 100, got ${min}`]);
    const gcov = props.gcovExecutable ?? (build?.compiler === 'clang' ? 'llvm-cov gcov' : undefined);
    if (gcov !== undefined && gcov.trim() === '') problems.push(['gcovExecutable', 'must name a command, or be left out']);
    throwProblems(at(scope, id), problems);

    const O = sh(outputDir);
    const cobertura = `${outputDir}/cobertura.xml`;
    const options = [
      `--root ${sh(root)}`,
      ...(props.filter ?? []).map((f) => `--filter ${sh(f)}`),
      ...(props.exclude ?? []).map((e) => `--exclude ${sh(e)}`),
      // CMake compiles a probe while configuring; its counters have no source to report.
      `--exclude-directories ${sh('.*/CMakeFiles/[0-9]')}`,
      ...(gcov !== undefined ? [`--gcov-executable ${sh(gcov)}`] : []),
      // --txt takes an optional file name: an option must follow it, never a path.
      '--txt',
      '--print-summary',
      `--cobertura ${sh(cobertura)}`,
      `--json-summary ${sh(`${outputDir}/summary.json`)} --json-summary-pretty`,
      ...(min !== undefined ? [`--fail-under-line ${min}`] : []),
    ];
    const run = [
      // IMAGES.gcovr is Python with Debian's gcc 12 (gcov matches cToolchain's compiler) but
      // without gcovr: install the pinned version when it is missing (never locally, where the
      // tool check asked for it on PATH).
      `command -v gcovr >/dev/null || python3 -m pip install --quiet --no-cache-dir gcovr==${GCOVR_VERSION}`,
      `mkdir -p ${O}`,
      'status=0',
      `gcovr ${sh(buildDir)} ${options.join(' ')}${argsOf(props.args)} > ${O}/summary.txt || status=$?`,
      `cat ${O}/summary.txt`,
      `coverage=$$(sed -n 's/^lines: \\([0-9.]*\\)%.*/\\1/p' ${O}/summary.txt | head -n 1)`,
      'echo "coverage=${coverage:-0}" >> "$KAYCI_RESULTS_FILE"',
      writeResult('cobertura', cobertura),
      'exit "$status"',
    ].join('\n');
    const needed: CTool[] = ['gcovr'];
    if (gcov?.split(/\s+/)[0] === 'llvm-cov') needed.push('llvm-cov');
    super(scope, id, recipeJob(props, { image: IMAGES.gcovr, run, tools: tools(...needed), results: ['coverage', 'cobertura'] }));
    if (props.test) this.needs(props.test);
    if (build) {
      this.needs(build);
      needsWorkspace(this, `reads the coverage counters in ${buildDir} that ${build.node.path} writes`);
    }
    this.build = build;
    this.outputDir = outputDir;
  }
}
