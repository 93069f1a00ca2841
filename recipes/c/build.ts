// CBuild: configures and builds a C (or C++) project with CMake, make or Meson, optionally
// through ccache, with coverage instrumentation, and installs it to a prefix. CMake builds
// export compile_commands.json, which ClangTidy (and CppCheck, given the build) read.
//
// Meson support is rendered and unit-tested only: meson and ninja are not installed where
// kayci's tests run, so no test executes a Meson build.
import type { IConstruct } from 'constructs';
import { Cache } from '../../constructs/cache.ts';
import { Job } from '../../constructs/job.ts';
import type { Pipeline } from '../../constructs/pipeline.ts';
import { IMAGES } from '../images.ts';
import { at, idAndProps, recipeJob, sh, throwProblems, writeResult, type Problem, type RecipeProps } from '../common.ts';
import { absolute, argsOf, oneOf, parallelism, pathProp, tools, type CTool } from './shared.ts';

export type CBuildSystem = 'cmake' | 'make' | 'meson';
export type CCompiler = 'gcc' | 'clang';
/** CMake's build types; Meson gets the matching `--buildtype`. */
export type CBuildType = 'Debug' | 'Release' | 'RelWithDebInfo' | 'MinSizeRel';

const BUILD_SYSTEMS: readonly CBuildSystem[] = ['cmake', 'make', 'meson'];
const COMPILERS: readonly CCompiler[] = ['gcc', 'clang'];
const BUILD_TYPES: readonly CBuildType[] = ['Debug', 'Release', 'RelWithDebInfo', 'MinSizeRel'];
const MESON_BUILD_TYPES: Record<CBuildType, string> = { Debug: 'debug', Release: 'release', RelWithDebInfo: 'debugoptimized', MinSizeRel: 'minsize' };
const CXX: Record<CCompiler, string> = { gcc: 'g++', clang: 'clang++' };
/** A make command-line variable assignment: `NAME=value` (or `+=`, `:=`, `?=`). */
const MAKE_VARIABLE = /^[A-Za-z_][A-Za-z0-9_.]*\s*[+:?]?=/;

/** `CC` and `CXX` for a compiler. */
export function compilerEnv(compiler: CCompiler): Record<'CC' | 'CXX', string> {
  return { CC: compiler, CXX: CXX[compiler] };
}

/** Props of CBuild. */
export interface CBuildProps extends RecipeProps {
  /**
   * The build system: `cmake` (configure, build, install), `make` (run the project's Makefile)
   * or `meson` (setup, compile, install; with ninja).
   * @default 'cmake'
   */
  readonly buildSystem?: CBuildSystem;
  /**
   * The compiler, set as `CC` (and `CXX`: g++ or clang++). CMake and Meson read them when they
   * first configure a build directory; a Makefile that assigns `CC` itself ignores them.
   * @default 'gcc'
   */
  readonly compiler?: CCompiler;
  /**
   * The build type: `CMAKE_BUILD_TYPE` for CMake, `--buildtype` (debug, release,
   * debugoptimized, minsize) for Meson. Not for make, which has no such notion.
   * @default 'Release', or 'Debug' when `coverage` is on
   */
  readonly buildType?: CBuildType;
  /**
   * The directory holding CMakeLists.txt, the Makefile or meson.build, relative to the workspace.
   * @default '.'
   */
  readonly sourceDir?: string;
  /**
   * The build directory, relative to the workspace. CMake and Meson build there; for make it
   * names where the Makefile puts its output (it is not passed to make), which tests and
   * coverage read.
   * @default 'build'
   */
  readonly buildDir?: string;
  /**
   * Extra arguments to `cmake` when it configures, e.g. `['-DSEMVER_BUILD_TESTS=ON']`. CMake only.
   * @default none
   */
  readonly cmakeArgs?: readonly string[];
  /**
   * Extra arguments to `make`, e.g. `['CFLAGS=-O1 -g']`. make only.
   * @default none
   */
  readonly makeArgs?: readonly string[];
  /**
   * Extra arguments to `meson setup`, e.g. `['-Dtests=true']`. Meson only.
   * @default none
   */
  readonly mesonArgs?: readonly string[];
  /**
   * Targets to build.
   * @default the default target (`all`)
   */
  readonly targets?: readonly string[];
  /**
   * Parallel compile jobs.
   * @default the number of cores (`nproc`)
   */
  readonly parallel?: number;
  /**
   * Install the build into `prefix` (`cmake --install`, `meson install`) and report it as the
   * `prefix` result. Not for make: Makefiles have no common install convention; add your
   * install target to `targets` instead.
   * @default false
   */
  readonly install?: boolean;
  /**
   * Where `install` puts the result, relative to the workspace.
   * @default 'dist'
   */
  readonly prefix?: string;
  /**
   * Compile through ccache, keeping its files in this cache (`true`: `new Cache('ccache')`, a
   * PVC `kayci-cache-ccache` in the cluster). CMake gets `CMAKE_<LANG>_COMPILER_LAUNCHER=ccache`;
   * Meson uses ccache by itself when it is on PATH. Not for make.
   * @default no ccache
   */
  readonly ccache?: Cache | boolean;
  /**
   * Instrument the build for coverage (`--coverage` when compiling and linking), for
   * CCoverage after the tests ran. Counters of an earlier run in the build directory are reset.
   * With make, `CFLAGS=--coverage LDFLAGS=--coverage` are passed before `makeArgs`.
   * @default false
   */
  readonly coverage?: boolean;
}

/**
 * Builds a C project. Results: `buildDir` (the build directory, relative to the workspace) and
 * `prefix` (where it was installed, relative to the workspace; empty unless `install`).
 *
 * ```ts
 * const build = new CBuild(pipeline, { buildType: 'Debug', ccache: true });
 * new CTest(pipeline, { build });
 * ```
 */
export class CBuild extends Job<'buildDir' | 'prefix'> {
  readonly buildSystem: CBuildSystem;
  readonly compiler: CCompiler;
  /** The build type; undefined for make. */
  readonly buildType?: CBuildType;
  readonly sourceDir: string;
  readonly buildDir: string;
  /** Where `install` puts the build; undefined without `install`. */
  readonly prefix?: string;
  readonly coverage: boolean;
  /** The ccache cache, if the build uses one. */
  readonly ccache?: Cache;
  /**
   * The variables a make build passes to make (coverage flags, then the `NAME=value` entries of
   * `makeArgs`); MakeTest passes them too, so the tests build as the library did. Empty for
   * CMake and Meson.
   */
  readonly makeVariables: readonly string[];

  constructor(scope: Pipeline, props?: CBuildProps);
  constructor(scope: Pipeline, id: string, props?: CBuildProps);
  constructor(scope: Pipeline, idOrProps?: string | CBuildProps, maybeProps?: CBuildProps) {
    const [id, props] = idAndProps(idOrProps, maybeProps, 'build');
    const plan = planBuild(at(scope, id), props);
    super(scope, id, recipeJob(props, {
      image: IMAGES.cToolchain,
      run: plan.run,
      tools: tools(...plan.tools),
      results: ['buildDir', 'prefix'],
      env: plan.env,
      caches: plan.ccache ? [plan.ccache] : undefined,
    }));
    this.buildSystem = plan.buildSystem;
    this.compiler = plan.compiler;
    this.buildType = plan.buildType;
    this.sourceDir = plan.sourceDir;
    this.buildDir = plan.buildDir;
    this.prefix = plan.prefix;
    this.coverage = plan.coverage;
    this.ccache = plan.ccache;
    this.makeVariables = plan.makeVariables;
  }
}

/** Defaults applied and every prop checked, then the script. */
function planBuild(where: IConstruct, props: CBuildProps) {
  const problems: Problem[] = [];
  const buildSystem = oneOf(problems, 'buildSystem', props.buildSystem, BUILD_SYSTEMS, 'cmake');
  const compiler = oneOf(problems, 'compiler', props.compiler, COMPILERS, 'gcc');
  const coverage = props.coverage ?? false;
  const own: Record<CBuildSystem, 'cmakeArgs' | 'makeArgs' | 'mesonArgs'> = { cmake: 'cmakeArgs', make: 'makeArgs', meson: 'mesonArgs' };
  // Which arguments belong is known only for a build system that is one.
  if (problems.length === 0) {
    for (const [system, prop] of Object.entries(own)) {
      if (system !== buildSystem && props[prop] !== undefined) problems.push([prop, `is for ${system} builds; this build uses ${buildSystem}`]);
    }
  }
  if (buildSystem === 'make') {
    if (props.buildType !== undefined) problems.push(['buildType', 'make has no build types: pass flags in makeArgs, e.g. ["CFLAGS=-O0 -g"]']);
    if (props.install) problems.push(['install', 'make has no common install convention: add your install target to targets (e.g. ["all", "install"]) with its variables in makeArgs']);
    if (props.ccache) problems.push(['ccache', 'is for cmake and meson builds: with make, put ccache in front of the compiler in makeArgs yourself, e.g. ["CC=ccache gcc"]']);
  }
  const buildType = buildSystem === 'make' ? undefined : oneOf(problems, 'buildType', props.buildType, BUILD_TYPES, coverage ? 'Debug' : 'Release');
  if (props.prefix !== undefined && !props.install) problems.push(['prefix', 'has no effect without install: true']);
  const sourceDir = pathProp(problems, 'sourceDir', props.sourceDir, '.');
  const buildDir = pathProp(problems, 'buildDir', props.buildDir, 'build');
  const prefix = props.install ? pathProp(problems, 'prefix', props.prefix, 'dist') : undefined;
  const jobs = parallelism(problems, props.parallel);
  throwProblems(where, problems);
  const ccache = props.ccache === true ? new Cache('ccache') : props.ccache || undefined;

  const env: Record<string, string> = compilerEnv(compiler);
  if (ccache) env.CCACHE_DIR = ccache.mountPath;
  const needed: CTool[] = [buildSystem, compiler];
  if (buildSystem === 'meson') needed.push('ninja');
  if (ccache) needed.push('ccache');

  const B = sh(buildDir);
  const S = sh(sourceDir);
  const lines: string[] = [];
  const makeVariables: string[] = [];
  if (buildSystem === 'cmake') {
    const defs = [`-DCMAKE_BUILD_TYPE=${buildType}`, '-DCMAKE_EXPORT_COMPILE_COMMANDS=ON'];
    if (ccache) defs.push('-DCMAKE_C_COMPILER_LAUNCHER=ccache', '-DCMAKE_CXX_COMPILER_LAUNCHER=ccache');
    if (coverage) defs.push('-DCMAKE_C_FLAGS=--coverage', '-DCMAKE_CXX_FLAGS=--coverage', '-DCMAKE_EXE_LINKER_FLAGS=--coverage', '-DCMAKE_SHARED_LINKER_FLAGS=--coverage');
    lines.push(`cmake -S ${S} -B ${B} ${defs.join(' ')}${argsOf(props.cmakeArgs)}`);
    const targets = props.targets && props.targets.length > 0 ? ` --target${argsOf(props.targets)}` : '';
    lines.push(`cmake --build ${B} --parallel ${jobs}${targets}`);
    if (coverage) lines.push(resetCounters(B));
    if (prefix) lines.push(`cmake --install ${B} --prefix ${sh(prefix)}`);
  } else if (buildSystem === 'make') {
    const dir = sourceDir === '.' ? '' : ` -C ${S}`;
    const flags = coverage ? ' CFLAGS=--coverage LDFLAGS=--coverage' : '';
    lines.push(`make${dir} -j ${jobs}${flags}${argsOf(props.makeArgs)}${argsOf(props.targets)}`);
    if (coverage) makeVariables.push('CFLAGS=--coverage', 'LDFLAGS=--coverage');
    makeVariables.push(...(props.makeArgs ?? []).filter((a) => MAKE_VARIABLE.test(a)));
    if (coverage) lines.push(resetCounters(B));
  } else {
    // Meson wants an absolute prefix, and `--reconfigure` for a directory it set up before.
    const options = [`--buildtype=${MESON_BUILD_TYPES[buildType!]}`];
    if (coverage) options.push('-Db_coverage=true');
    if (prefix) options.push(`--prefix=${absolute(prefix)}`);
    lines.push(`if [ -d ${B}/meson-private ]; then set -- --reconfigure; else set --; fi`);
    lines.push(`meson setup "$@" ${options.join(' ')}${argsOf(props.mesonArgs)} ${B} ${S}`);
    lines.push(`meson compile -C ${B} -j ${jobs}${argsOf(props.targets)}`);
    if (coverage) lines.push(resetCounters(B));
    if (prefix) lines.push(`meson install -C ${B}`);
  }
  lines.push(writeResult('buildDir', buildDir));
  if (prefix) lines.push(writeResult('prefix', prefix));
  return { buildSystem, compiler, buildType, sourceDir, buildDir, prefix, coverage, ccache, makeVariables, env, tools: needed, run: lines.join('\n') };
}

/** Counters a previous run left would add up with this one's: start from zero. */
function resetCounters(buildDir: string): string {
  return `if [ -d ${buildDir} ]; then find ${buildDir} -name '*.gcda' -delete; fi`;
}
