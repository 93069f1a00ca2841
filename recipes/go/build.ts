// GoBuild: one binary for one GOOS/GOARCH, static by default (CGO_ENABLED=0), reproducible
// paths (-trimpath), stripped, with -X variables that may come from parameters or results.
// Results are the binary's path and its sha256. One job builds one platform; GoBuildMatrix
// adds one GoBuild per platform.
import { Job } from '../../constructs/job.ts';
import type { Pipeline } from '../../constructs/pipeline.ts';
import type { ParamRef, ResultRef } from '../../constructs/result.ts';
import { IMAGES } from '../images.ts';
import { at, idAndProps, recipeJob, sh, shWords, throwProblems, type Problem } from '../common.ts';
import { GO_INSTALL, goCacheSetup, goPropProblems, tagsFlag, type GoRecipeProps } from './go.ts';
import { goPlatformProblem, type GoPlatform } from './platforms.ts';

/** Props of GoBuild. */
export interface GoBuildProps extends GoRecipeProps {
  /**
   * The `GOOS/GOARCH` pair to build for, as `go tool dist list` prints it.
   * @default 'linux/amd64'
   */
  readonly platform?: GoPlatform;
  /**
   * The main package to build.
   * @default the one main package under ./cmd/ (e.g. ./cmd/server), else `.`; the job fails, naming them, when ./cmd/ holds several
   */
  readonly package?: string;
  /**
   * The binary's name in the default output path.
   * @default the last element of the package's import path, as `go build` names binaries (`server` for …/cmd/server, `tool` for example.com/tool/v2)
   */
  readonly binaryName?: string;
  /**
   * Where to write the binary, relative to the working directory. May hold `$(KAYCI_PARAM_…)`
   * references.
   * @default `bin/<binaryName>-<os>-<arch>`, plus `.exe` for windows
   */
  readonly output?: string;
  /**
   * Linker flags: a string passed to `-ldflags` as it is, or `-X` variables to set, by
   * `importpath.name` (e.g. `{ 'main.version': version }`, where `version` is a Param). Values
   * may hold `$(KAYCI_PARAM_…)` and result references (using a job's result needs that job);
   * they reach the build through the environment, never through the shell, and are quoted for
   * the go command when the job runs: spaces are fine, but a value holding both `'` and `"`
   * cannot be passed (the job fails, saying so). Both forms go after `-s -w` (see `strip`).
   * @default none
   */
  readonly ldflags?: string | Readonly<Record<string, string | ParamRef | ResultRef>>;
  /**
   * Leave out the symbol table and DWARF debug information (`-ldflags "-s -w"`).
   * @default true
   */
  readonly strip?: boolean;
  /**
   * Build with cgo (`CGO_ENABLED=1`), which links against the C library and needs a C
   * (cross-)compiler for the target. Off, the binary is static and cross-compiles anywhere.
   * @default false
   */
  readonly cgo?: boolean;
  /**
   * Remove file system paths from the binary (`-trimpath`), so the same source builds the same
   * binary on any machine.
   * @default true
   */
  readonly trimpath?: boolean;
  /**
   * Extra `go build` flags, e.g. `['-buildmode=pie']`.
   * @default none
   */
  readonly flags?: readonly string[];
}

// Variables the script reads: values that may hold references are passed through the
// environment, which Kubernetes expands, never spliced into the script, which the shell parses.
const LDFLAGS_ENV = 'GOBUILD_LDFLAGS';
const OUTPUT_ENV = 'GOBUILD_OUTPUT';
const X_ENV = 'GOBUILD_X_';
const X_NAME = /^[\p{L}\p{N}_./~-]+\.[\p{L}_][\p{L}\p{N}_]*$/u;

/**
 * `go build` of one main package for one platform. Results: `binary` (its path, relative to the
 * working directory: `bin/<name>-<os>-<arch>` by default) and `sha256` (its hex digest).
 */
export class GoBuild extends Job<'binary' | 'sha256'> {
  /** The `GOOS/GOARCH` pair it builds for. */
  readonly platform: GoPlatform;
  readonly goos: string;
  readonly goarch: string;

  constructor(scope: Pipeline, props?: GoBuildProps);
  constructor(scope: Pipeline, id: string, props?: GoBuildProps);
  constructor(scope: Pipeline, idOrProps?: string | GoBuildProps, maybeProps?: GoBuildProps) {
    const [id, props] = idAndProps(idOrProps, maybeProps, 'build');
    throwProblems(at(scope, id), goBuildProblems(props));
    const platform = props.platform ?? 'linux/amd64';
    const [goos = '', goarch = ''] = platform.split('/');
    const { caches, env } = goCacheSetup(props);
    const ldflags = staticLdflags(props);
    const vars = xVariables(props);
    super(scope, id, recipeJob(props, {
      image: IMAGES.go,
      run: goBuildScript(props, goos, goarch, ldflags !== '', vars.length),
      tools: { go: GO_INSTALL.go },
      results: ['binary', 'sha256'],
      env: {
        ...env,
        GOOS: goos,
        GOARCH: goarch,
        CGO_ENABLED: props.cgo ? '1' : '0',
        ...(ldflags !== '' ? { [LDFLAGS_ENV]: ldflags } : {}),
        ...Object.fromEntries(vars.map((v, i) => [`${X_ENV}${i}`, v])),
        ...(props.output !== undefined ? { [OUTPUT_ENV]: props.output } : {}),
      },
      caches,
    }));
    this.platform = platform;
    this.goos = goos;
    this.goarch = goarch;
  }
}

/** Problems with GoBuild's props (GoBuildMatrix checks its platforms itself). */
export function goBuildProblems(props: Omit<GoBuildProps, 'platform'> & { readonly platform?: string }): Problem[] {
  const problems = goPropProblems(props);
  if (props.platform !== undefined) {
    const problem = goPlatformProblem(props.platform);
    if (problem) problems.push(['platform', problem]);
  }
  if (props.package !== undefined && (props.package === '' || props.package.startsWith('-') || /\s/.test(props.package))) {
    problems.push(['package', `${JSON.stringify(props.package)} is not a package: name the main package, e.g. "./cmd/server" or "."`]);
  }
  if (props.binaryName !== undefined && !/^[\w.+-]+$/.test(props.binaryName)) {
    problems.push(['binaryName', `${JSON.stringify(props.binaryName)} is not a file name: use letters, digits, '.', '_', '+' and '-'; set \`output\` for a path`]);
  }
  if (props.output === '') problems.push(['output', 'must be a file path; leave it out for bin/<name>-<os>-<arch>']);
  if (props.ldflags !== undefined && typeof props.ldflags !== 'string') {
    for (const [name, value] of Object.entries(props.ldflags)) {
      if (!X_NAME.test(name)) problems.push([`ldflags[${JSON.stringify(name)}]`, `is not importpath.name, e.g. "main.version" or "example.com/app/internal/build.Version"`]);
      const text = String(value);
      if (text.includes("'") && text.includes('"')) problems.push([`ldflags[${JSON.stringify(name)}]`, 'holds both \' and ", which -ldflags cannot quote; drop one of them']);
    }
  }
  return problems;
}

/** The -ldflags that hold no -X variables: `-s -w` and the user's string. */
function staticLdflags(props: GoBuildProps): string {
  const parts = (props.strip ?? true) ? ['-s', '-w'] : [];
  if (typeof props.ldflags === 'string' && props.ldflags.trim() !== '') parts.push(props.ldflags.trim());
  return parts.join(' ');
}

/** `importpath.name=value` for each -X variable; values may hold references. */
function xVariables(props: GoBuildProps): string[] {
  if (props.ldflags === undefined || typeof props.ldflags === 'string') return [];
  return Object.entries(props.ldflags).map(([name, value]) => `${name}=${String(value)}`);
}

function goBuildScript(props: GoBuildProps, goos: string, goarch: string, staticFlags: boolean, xCount: number): string {
  const lines: string[] = [];
  if (props.package !== undefined) {
    lines.push(`pkg=${sh(props.package)}`);
  } else {
    lines.push(
      // The conventional layouts: one main package under cmd/, or the module root.
      `if [ -d cmd ]; then mains=$(${shWords(['go', 'list', ...tagsFlag(props.tags), '-f', '{{if eq .Name "main"}}{{.ImportPath}}{{end}}', './cmd/...'])}); else mains=; fi`,
      'set -- $mains',
      'if [ "$#" -gt 1 ]; then',
      '  echo "GoBuild: cmd/ holds $# main packages ($*): set the package prop to one of them (one GoBuild, or GoBuildMatrix, per binary)" >&2',
      '  exit 1',
      'fi',
      'pkg=${1:-.}',
    );
  }
  if (props.output !== undefined) {
    lines.push(`out=$${OUTPUT_ENV}`);
  } else {
    const suffix = `-${goos}-${goarch}${goos === 'windows' ? '.exe' : ''}`;
    if (props.binaryName !== undefined) {
      lines.push(`out=${sh(`bin/${props.binaryName}${suffix}`)}`);
    } else {
      lines.push(
        // As go build names a binary: the import path's last element, skipping a /vN suffix.
        `path=$(${shWords(['go', 'list', ...tagsFlag(props.tags), '-f', '{{.ImportPath}}'])} "$pkg")`,
        'name=${path##*/}',
        'case "$name" in v[0-9]|v[0-9][0-9]|v[0-9][0-9][0-9]) case "$path" in */*) path=${path%/*}; name=${path##*/};; esac;; esac',
        `out=bin/$name${suffix}`,
      );
    }
  }
  const ldflags = staticFlags || xCount > 0;
  if (xCount > 0) {
    lines.push(
      // The go command splits -ldflags on spaces and honours '…' and "…" without escapes, so each
      // -X is quoted once its value (which references may fill) is known.
      `ldflags=${staticFlags ? `$${LDFLAGS_ENV}` : ''}`,
      'xflag() {',
      '  case "$1" in',
      `    *\\'*\\"*|*\\"*\\'*) echo "GoBuild: -X $1 holds both ' and \\", which -ldflags cannot quote" >&2; exit 1;;`,
      `    *\\'*) ldflags="$ldflags -X \\"$1\\"";;`,
      `    *) ldflags="$ldflags -X '$1'";;`,
      '  esac',
      '}',
      ...Array.from({ length: xCount }, (_, i) => `xflag "$${X_ENV}${i}"`),
    );
  }
  lines.push(
    'mkdir -p "$(dirname "$out")"',
    `${shWords(['go', 'build', ...((props.trimpath ?? true) ? ['-trimpath'] : []), ...tagsFlag(props.tags), ...(props.flags ?? [])])}${ldflags ? ` -ldflags "${xCount > 0 ? '$ldflags' : `$${LDFLAGS_ENV}`}"` : ''} -o "$out" "$pkg"`,
    'if command -v sha256sum >/dev/null 2>&1; then sum=$(sha256sum "$out"); else sum=$(shasum -a 256 "$out"); fi',
    'sum=${sum%% *}',
    `echo "built $out for ${goos}/${goarch} from $pkg, sha256 $sum"`,
    'echo "binary=$out" >> "$KAYCI_RESULTS_FILE"',
    'echo "sha256=$sum" >> "$KAYCI_RESULTS_FILE"',
  );
  return lines.join('\n');
}
