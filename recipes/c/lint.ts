// Static analysis for C: CppCheck (cppcheck over source directories, or over a build's
// compile_commands.json) and ClangTidy (clang-tidy with a CMake or Meson build's
// compile_commands.json). Each prints its findings one per line, reports how many as the
// `issues` result, and fails the job when there are any.
import { Job } from '../../constructs/job.ts';
import type { Pipeline } from '../../constructs/pipeline.ts';
import { IMAGES } from '../images.ts';
import { at, idAndProps, needsWorkspace, recipeJob, sh, throwProblems, type Problem, type RecipeProps } from '../common.ts';
import type { CBuild } from './build.ts';
import { argsOf, exclusive, parallelism, pathProp, tools } from './shared.ts';

/** Props of CppCheck. */
export interface CppCheckProps extends RecipeProps {
  /**
   * Check the files of this CMake or Meson build, with the include paths and defines of its
   * compile_commands.json (`--project`); the job needs it. Exclusive with `sources` and `includeDirs`.
   * @default none: check `sources`
   */
  readonly build?: CBuild;
  /**
   * Files and directories to check, relative to the workspace.
   * @default ['src']
   */
  readonly sources?: readonly string[];
  /**
   * Include directories (`-I`); ones that do not exist are ignored.
   * @default ['include']
   */
  readonly includeDirs?: readonly string[];
  /**
   * Checks to enable besides errors (`--enable`).
   * @default ['warning', 'style', 'performance', 'portability']
   */
  readonly enable?: readonly string[];
  /**
   * The language standard (`--std`), e.g. 'c11'.
   * @default cppcheck's default (the latest)
   */
  readonly std?: string;
  /**
   * Findings to suppress (`--suppress`), e.g. `['constParameter', 'unusedStructMember:src/x.c']`.
   * `// cppcheck-suppress <id>` comments in the code work too.
   * @default none
   */
  readonly suppress?: readonly string[];
  /**
   * Files checked at once (`-j`).
   * @default the number of cores (`nproc`)
   */
  readonly parallel?: number;
  /**
   * Extra arguments to cppcheck.
   * @default none
   */
  readonly args?: readonly string[];
}

const CPPCHECK_ENABLE = ['warning', 'style', 'performance', 'portability'] as const;
const CPPCHECK_TEMPLATE = '{file}:{line}:{column}: {severity}: {message} [{id}]';

/**
 * cppcheck: `--enable=warning,style,performance,portability --error-exitcode=1 --inline-suppr`
 * by default. Result: `issues`, the number of findings.
 */
export class CppCheck extends Job<'issues'> {
  constructor(scope: Pipeline, props?: CppCheckProps);
  constructor(scope: Pipeline, id: string, props?: CppCheckProps);
  constructor(scope: Pipeline, idOrProps?: string | CppCheckProps, maybeProps?: CppCheckProps) {
    const [id, props] = idAndProps(idOrProps, maybeProps, 'cppcheck');
    const problems: Problem[] = [];
    exclusive(problems, props, 'build', 'sources');
    exclusive(problems, props, 'build', 'includeDirs');
    const build = props.build;
    if (build?.buildSystem === 'make') {
      problems.push(['build', `${build.node.path} is a make build, which writes no compile_commands.json: give sources and includeDirs instead`]);
    }
    const enable = props.enable ?? CPPCHECK_ENABLE;
    const group = enable.find((e) => !/^[a-zA-Z]+$/.test(e));
    if (group !== undefined) problems.push(['enable', `must hold cppcheck check groups (warning, style, …), got ${JSON.stringify(group)}`]);
    const sources = (props.sources ?? ['src']).map((s, i) => pathProp(problems, `sources[${i}]`, s, s));
    if (sources.length === 0) problems.push(['sources', 'must name at least one file or directory, or be left out']);
    const includes = (props.includeDirs ?? ['include']).map((d, i) => pathProp(problems, `includeDirs[${i}]`, d, d));
    const jobs = parallelism(problems, props.parallel);
    throwProblems(at(scope, id), problems);
    const options = [
      '--quiet',
      '--error-exitcode=1',
      '--inline-suppr',
      ...(enable.length > 0 ? [`--enable=${enable.join(',')}`] : []),
      `-j ${jobs}`,
      ...(props.std !== undefined ? [`--std=${sh(props.std)}`] : []),
      ...(props.suppress ?? []).map((s) => sh(`--suppress=${s}`)),
      sh(`--template=${CPPCHECK_TEMPLATE}`),
      '--output-file="$report"',
    ];
    const what = build
      ? sh(`--project=${build.buildDir}/compile_commands.json`)
      : [...includes.map((d) => `-I ${sh(d)}`), ...sources.map(sh)].join(' ');
    const run = [
      'report=$$(mktemp)',
      'status=0',
      `cppcheck ${options.join(' ')}${argsOf(props.args)} ${what} || status=$?`,
      'cat "$report"',
      'echo "issues=$$(grep -c . "$report" || true)" >> "$KAYCI_RESULTS_FILE"',
      'rm -f "$report"',
      'exit "$status"',
    ].join('\n');
    super(scope, id, recipeJob(props, { image: IMAGES.cppcheck, run, tools: tools('cppcheck'), results: ['issues'] }));
    if (build) {
      this.needs(build);
      needsWorkspace(this, `reads ${build.buildDir}/compile_commands.json that ${build.node.path} writes`);
    }
  }
}

/** Props of ClangTidy. */
export interface ClangTidyProps extends RecipeProps {
  /**
   * The CMake or Meson build whose compile_commands.json clang-tidy reads; the job needs it.
   * @default none: set `buildDir` (and `needs`) yourself
   */
  readonly build?: CBuild;
  /**
   * The directory holding compile_commands.json, relative to the workspace, when there is no `build`.
   * @default 'build'
   */
  readonly buildDir?: string;
  /**
   * Files and directories (searched for C and C++ sources) to check, relative to the workspace.
   * @default every file compile_commands.json lists, except those generated in the build directory
   */
  readonly sources?: readonly string[];
  /**
   * Checks (`--checks`), added to those of the project's .clang-tidy file.
   * @default '-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling': the project's
   * checks (or clang-tidy's: clang-diagnostic-*, clang-analyzer-*) without the advice to use C11
   * Annex K functions (memcpy_s …), which glibc and musl do not have
   */
  readonly checks?: string;
  /**
   * Checks whose findings fail the job (`--warnings-as-errors`); '' reports without failing.
   * @default '*'
   */
  readonly warningsAsErrors?: string;
  /**
   * Headers whose findings are shown (`--header-filter`, a regex).
   * @default none: findings in the checked files only
   */
  readonly headerFilter?: string;
  /**
   * Extra arguments to clang-tidy, before the files.
   * @default none
   */
  readonly args?: readonly string[];
}

export const CLANG_TIDY_CHECKS = '-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling';

/** clang-tidy over a build's compilation database. Result: `issues`, the number of findings. */
export class ClangTidy extends Job<'issues'> {
  constructor(scope: Pipeline, props?: ClangTidyProps);
  constructor(scope: Pipeline, id: string, props?: ClangTidyProps);
  constructor(scope: Pipeline, idOrProps?: string | ClangTidyProps, maybeProps?: ClangTidyProps) {
    const [id, props] = idAndProps(idOrProps, maybeProps, 'clang-tidy');
    const problems: Problem[] = [];
    exclusive(problems, props, 'build', 'buildDir');
    const build = props.build;
    if (build?.buildSystem === 'make') {
      problems.push(['build', `${build.node.path} is a make build, which writes no compile_commands.json: clang-tidy needs a CMake or Meson build (or one made with bear)`]);
    }
    const buildDir = build?.buildDir ?? pathProp(problems, 'buildDir', props.buildDir, 'build');
    const sources = props.sources?.map((s, i) => pathProp(problems, `sources[${i}]`, s, s));
    if (sources?.length === 0) problems.push(['sources', 'must name at least one file or directory, or be left out']);
    throwProblems(at(scope, id), problems);
    const B = sh(buildDir);
    const options = [
      `-p ${B}`,
      '--quiet',
      sh(`--checks=${props.checks ?? CLANG_TIDY_CHECKS}`),
      sh(`--warnings-as-errors=${props.warningsAsErrors ?? '*'}`),
      ...(props.headerFilter !== undefined ? [sh(`--header-filter=${props.headerFilter}`)] : []),
    ];
    const files = sources
      ? [
          `for s in ${sources.map(sh).join(' ')}; do`,
          `  if [ -d "$s" ]; then find "$s" -type f \\( -name '*.c' -o -name '*.cc' -o -name '*.cpp' -o -name '*.cxx' \\); else echo "$s"; fi`,
          'done | LC_ALL=C sort -u > "$list"',
          'set --',
          'while IFS= read -r f; do set -- "$@" "$f"; done < "$list"',
        ]
      : [
          // Every "file" of the database: absolute from CMake, relative to the build directory
          // from Meson. Sources generated in the build directory are not the project's to fix.
          `sed -n 's/^[[:space:]]*"file":[[:space:]]*"\\(.*\\)",\\{0,1\\}[[:space:]]*$/\\1/p' "$db" | LC_ALL=C sort -u > "$list"`,
          `build=$$(cd ${B} && pwd)`,
          'set --',
          'while IFS= read -r f; do',
          '  case "$f" in',
          '    "$build"/*) continue ;;',
          '    /*) ;;',
          `    ../*) f=${B}/"$f" ;;`,
          '    *) continue ;;',
          '  esac',
          '  set -- "$@" "$f"',
          'done < "$list"',
        ];
    const run = [
      `db=${B}/compile_commands.json`,
      'if [ ! -f "$db" ]; then echo "clang-tidy: $db does not exist: build with CMake (CMAKE_EXPORT_COMPILE_COMMANDS=ON, as CBuild does) or Meson first" >&2; exit 1; fi',
      'list=$$(mktemp)',
      ...files,
      'rm -f "$list"',
      'if [ $# -eq 0 ]; then echo "clang-tidy: no files to check" >&2; exit 1; fi',
      'echo "clang-tidy: checking $# files"',
      'out=$$(mktemp)',
      'status=0',
      `clang-tidy ${options.join(' ')}${argsOf(props.args)} "$@" > "$out" 2>&1 || status=$?`,
      'cat "$out"',
      `echo "issues=$$(grep -cE '^.+:[0-9]+:[0-9]+: (warning|error): .*\\[[^]]+\\]$' "$out" || true)" >> "$KAYCI_RESULTS_FILE"`,
      'rm -f "$out"',
      'exit "$status"',
    ].join('\n');
    super(scope, id, recipeJob(props, { image: IMAGES.clangTidy, run, tools: tools('clang-tidy'), results: ['issues'] }));
    if (build) {
      this.needs(build);
      needsWorkspace(this, `reads ${buildDir}/compile_commands.json that ${build.node.path} writes`);
    }
  }
}
