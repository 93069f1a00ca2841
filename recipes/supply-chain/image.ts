// GoImage and CImage: an OCI image as a tarball in the workspace, built without a container
// engine. crane lays one new layer (a Go binary, or a CMake install tree) onto a base image;
// ko builds a Go main package into an image itself. The image is not pushed here: `Push` sends
// the tarball, and its digest travels to later jobs as a typed result.
import type { EnvValue } from '../../constructs/container.ts';
import { Job, type JobProps } from '../../constructs/job.ts';
import type { Pipeline } from '../../constructs/pipeline.ts';
import type { ResultRef } from '../../constructs/result.ts';
import { at, idAndProps, needsWorkspace, outDir, recipeJob, script, sh, throwProblems, type Problem, type RecipeProps } from '../common.ts';
import { IMAGES } from '../images.ts';
import { imageNameProblem, isResultRef, PLATFORM, TOOLS } from './shared.ts';

/** Props of every image build. */
export interface ImageProps extends RecipeProps {
  /**
   * The image to build on. Pin it by digest so the same input makes the same image.
   * @default IMAGES.staticBase for GoImage, IMAGES.ccBase for CImage
   */
  readonly base?: string;
  /**
   * Build on no base at all: the image holds only the new layer — no CA certificates, no
   * /etc/passwd, no time zones (crane `--oci-empty-base`). Enough for a static binary that makes
   * no TLS calls; crane only.
   * @default false
   */
  readonly emptyBase?: boolean;
  /**
   * The user the container runs as, e.g. `65532` or `65532:65532`.
   * @default the base image's (uid 65532, `nonroot`, for the distroless defaults); root for an empty base
   */
  readonly user?: string;
  /**
   * The platform of the image (and of the base picked from a multi-platform base).
   * @default 'linux/amd64'
   */
  readonly platform?: string;
  /**
   * The name and tag recorded in the tarball; where the image is pushed is `Push`'s business.
   * May hold `$(KAYCI_PARAM_…)` references.
   * @default `kayci.local/<job name>:latest`
   */
  readonly imageName?: string;
}

/** Props of GoImage: those of every image build, and where the Go program comes from. */
export interface GoImageProps extends ImageProps {
  /**
   * A static Go binary already built in the workspace (e.g. `bin/server` from an earlier job, or
   * that job's result), laid onto the base with crane. Give exactly one of `binary` and
   * `importPath`.
   * @default none
   */
  readonly binary?: string | ResultRef;
  /**
   * The main package ko builds into the image (`./cmd/server`), with `CGO_ENABLED=0` and
   * `-trimpath`; ko puts it at `/ko-app/<name>` and makes that the entrypoint. Give exactly one
   * of `binary` and `importPath`.
   * @default none
   */
  readonly importPath?: string;
  /**
   * Where the binary goes in the image, which is also the image's entrypoint. crane only.
   * @default `/app/<file name of binary>`
   */
  readonly entrypoint?: string;
}

/** Props of CImage: those of every image build, and the install tree to put in the image. */
export interface CImageProps extends ImageProps {
  /**
   * The install tree to put in the image: a directory in the workspace filled by
   * `cmake --install build --prefix <prefix>` (or `make install PREFIX=…`), or the result of
   * the job that filled it (e.g. a CBuild's `prefix`).
   */
  readonly prefix: string | ResultRef;
  /**
   * Where the tree goes in the image: `<prefix>/bin/x` becomes `<installPath>/bin/x`.
   * @default '/usr/local'
   */
  readonly installPath?: string;
  /**
   * The program the image runs, as a path in the image, e.g. `/usr/local/bin/server`.
   * @default the base image's entrypoint
   */
  readonly entrypoint?: string;
  /**
   * Environment variables of the image.
   * @default `{ LD_LIBRARY_PATH: '<installPath>/lib' }`, so programs find the tree's shared libraries
   */
  readonly imageEnv?: Readonly<Record<string, string>>;
}

type ImageResult = 'tarball' | 'digest';

/**
 * An image for a Go program, as a tarball in the workspace (`.kayci/out/<id>/image.tar`):
 * `binary` laid onto `base` with crane, or `importPath` built with ko. Results: `tarball` (its
 * path) and `digest` (the `sha256:…` digest of its manifest, which `Push` checks the registry
 * reports).
 */
export class GoImage extends Job<ImageResult> {
  constructor(scope: Pipeline, props: GoImageProps);
  constructor(scope: Pipeline, id: string, props: GoImageProps);
  constructor(scope: Pipeline, idOrProps: string | GoImageProps, maybeProps?: GoImageProps) {
    const [id, props] = idAndProps(idOrProps, maybeProps, 'image');
    throwProblems(at(scope, id), goImageProblems(props));
    super(scope, id, props.importPath !== undefined && props.binary === undefined ? koJob(id, props) : craneGoJob(id, props));
    needsWorkspace(this, 'the image is written to the workspace for the jobs after it');
  }
}

/**
 * An image for a C or C++ program or library, as a tarball in the workspace
 * (`.kayci/out/<id>/image.tar`): a CMake install tree laid onto `base` (glibc, libgcc) with
 * crane. Results: `tarball` (its path) and `digest` (the `sha256:…` digest of its manifest).
 */
export class CImage extends Job<ImageResult> {
  constructor(scope: Pipeline, props: CImageProps);
  constructor(scope: Pipeline, id: string, props: CImageProps);
  constructor(scope: Pipeline, idOrProps: string | CImageProps, maybeProps?: CImageProps) {
    const [id, props] = idAndProps(idOrProps, maybeProps, 'image');
    throwProblems(at(scope, id), cImageProblems(props));
    super(scope, id, cJob(id, props));
    needsWorkspace(this, 'the image is written to the workspace for the jobs after it');
  }
}

const DEFAULT_PLATFORM = 'linux/amd64';
const ABSOLUTE_PATH = /^(?:\/[A-Za-z0-9._+@-]+)+$/;

function imageProblems(props: ImageProps): Problem[] {
  const problems: Problem[] = [];
  if (props.base !== undefined && props.emptyBase) problems.push(['base', 'cannot be combined with emptyBase: an empty base is no base at all']);
  if (props.base !== undefined && (typeof props.base !== 'string' || props.base.trim() === '' || /\s/.test(props.base))) problems.push(['base', `${JSON.stringify(props.base)} is not an image reference`]);
  if (props.platform !== undefined && !PLATFORM.test(props.platform)) problems.push(['platform', `${JSON.stringify(props.platform)} is not os/arch[/variant], e.g. linux/amd64 or linux/arm64`]);
  if (props.user !== undefined && !/^[A-Za-z0-9_.-]+(?::[A-Za-z0-9_.-]+)?$/.test(props.user)) problems.push(['user', `${JSON.stringify(props.user)} is not user[:group], e.g. 65532 or 65532:65532`]);
  if (props.imageName !== undefined && !props.imageName.includes('$(')) {
    const problem = imageNameProblem(props.imageName);
    if (problem) problems.push(['imageName', problem]);
  }
  return problems;
}

function goImageProblems(props: GoImageProps): Problem[] {
  const problems = imageProblems(props);
  if (props.binary === undefined && props.importPath === undefined) {
    problems.unshift(['binary', "is required: the static Go binary to put in the image (`binary: 'bin/server'`, built by an earlier job), or `importPath: './cmd/server'` to build it with ko"]);
  }
  if (props.binary !== undefined && props.importPath !== undefined) problems.unshift(['importPath', 'cannot be combined with binary: give `binary` to lay a built binary onto the base with crane, or `importPath` to build it with ko']);
  if (typeof props.binary === 'string' && props.binary.trim() === '') problems.push(['binary', 'must be the path of the binary in the workspace, e.g. bin/server']);
  if (props.importPath !== undefined && props.binary === undefined) {
    if (props.emptyBase) problems.push(['emptyBase', 'ko needs a base image: leave emptyBase out, or build with crane from a binary (`binary`)']);
    if (props.entrypoint !== undefined) problems.push(['entrypoint', 'ko puts the binary at /ko-app/<name> and makes it the entrypoint: leave entrypoint out, or build with crane from a binary (`binary`)']);
    if (!/^(?:\.{1,2}\/|[a-z0-9])[^\s]*$/.test(props.importPath)) problems.push(['importPath', `${JSON.stringify(props.importPath)} is not a Go package: a relative path such as ./cmd/server, or an import path`]);
  }
  if (props.entrypoint !== undefined && !ABSOLUTE_PATH.test(props.entrypoint)) problems.push(['entrypoint', `${JSON.stringify(props.entrypoint)} must be an absolute path in the image, e.g. /app/server`]);
  return problems;
}

function cImageProblems(props: CImageProps): Problem[] {
  const problems = imageProblems(props);
  if (typeof props.prefix === 'string' ? props.prefix.trim() === '' : !isResultRef(props.prefix)) {
    problems.unshift(['prefix', "is required: the install tree in the workspace, e.g. 'build/install' after `cmake --install build --prefix build/install`"]);
  }
  if (props.installPath !== undefined && !ABSOLUTE_PATH.test(props.installPath)) problems.push(['installPath', `${JSON.stringify(props.installPath)} must be an absolute path in the image, e.g. /usr/local or /opt/app`]);
  if (props.entrypoint !== undefined && !ABSOLUTE_PATH.test(props.entrypoint)) problems.push(['entrypoint', `${JSON.stringify(props.entrypoint)} must be an absolute path in the image, e.g. /usr/local/bin/server`]);
  for (const name of Object.keys(props.imageEnv ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) problems.push([`imageEnv.${name}`, 'is not a variable name']);
  }
  return problems;
}

/** The first path segment: `/usr/local` → `usr`. */
function topOf(path: string): string {
  return path.split('/').find((s) => s !== '') ?? '';
}

function craneGoJob(job: string, props: GoImageProps): JobProps<ImageResult> {
  const entrypoint = props.entrypoint;
  return craneJob(job, props, {
    defaultBase: IMAGES.staticBase,
    env: { BINARY: props.binary ?? '' },
    stage: [
      '[ -f "$BINARY" ] || { echo "kayci: the binary $BINARY does not exist: build it in an earlier job (e.g. CGO_ENABLED=0 go build -o $BINARY ./cmd/…)" >&2; exit 1; }',
      `entrypoint=${entrypoint ? sh(entrypoint) : '"/app/${BINARY##*/}"'}`,
      'mkdir -p "$layer${entrypoint%/*}"',
      'cp "$BINARY" "$layer$entrypoint"',
      'chmod 0755 "$layer$entrypoint"',
    ],
    top: entrypoint ? topOf(entrypoint) : 'app',
    entrypoint: true,
    imageEnv: {},
  });
}

function cJob(job: string, props: CImageProps): JobProps<ImageResult> {
  const installPath = props.installPath ?? '/usr/local';
  return craneJob(job, props, {
    defaultBase: IMAGES.ccBase,
    env: { PREFIX: props.prefix ?? '' },
    stage: [
      '[ -d "$PREFIX" ] || { echo "kayci: the install tree $PREFIX does not exist: install into it in an earlier job (e.g. cmake --install build --prefix $PREFIX)" >&2; exit 1; }',
      `mkdir -p "$layer"${sh(installPath)}`,
      // -P keeps symlinks (libx.so → libx.so.1) as symlinks.
      `cp -RP "$PREFIX/." "$layer"${sh(`${installPath}/`)}`,
      props.entrypoint !== undefined && `entrypoint=${sh(props.entrypoint)}`,
      props.entrypoint !== undefined && '[ -f "$layer$entrypoint" ] || { echo "kayci: the entrypoint $entrypoint is not in the install tree $PREFIX" >&2; exit 1; }',
    ],
    top: topOf(installPath),
    entrypoint: props.entrypoint !== undefined,
    imageEnv: props.imageEnv ?? { LD_LIBRARY_PATH: `${installPath}/lib` },
  });
}

/** What an image built with crane takes from its recipe (GoImage's binary, CImage's tree). */
interface CraneRecipe {
  /** The base when the user names none. */
  readonly defaultBase: string;
  /** Env the stage lines read (the binary, the install tree). */
  readonly env: Readonly<Record<string, EnvValue>>;
  /** Lines that fill "$layer", the root of the new layer, and set $entrypoint if `entrypoint`. */
  readonly stage: readonly (string | false)[];
  /** The top-level entry of the layer. */
  readonly top: string;
  /** Whether the stage set $entrypoint, which becomes the image's entrypoint. */
  readonly entrypoint: boolean;
  /** The image's environment variables. */
  readonly imageEnv: Readonly<Record<string, string>>;
}

/**
 * crane cannot change an image's config in a tarball, only in a registry: so the job serves a
 * throwaway registry on loopback, appends the layer there, and mutates it into the tarball.
 */
function craneJob(job: string, props: ImageProps, recipe: CraneRecipe): JobProps<ImageResult> {
  const out = outDir(job);
  const platform = props.platform ?? DEFAULT_PLATFORM;
  const base = props.emptyBase ? undefined : (props.base ?? recipe.defaultBase);
  const mutate = [
    // An empty base has no config to inherit the platform from.
    !base && `--set-platform ${sh(platform)}`,
    recipe.entrypoint && '--entrypoint "$entrypoint"',
    props.user !== undefined && `--user ${sh(props.user)}`,
    ...Object.entries(recipe.imageEnv).map(([k, v]) => `--env ${sh(`${k}=${v}`)}`),
  ].filter((f): f is string => typeof f === 'string');
  return recipeJob(props, {
    image: IMAGES.crane,
    tools: { crane: TOOLS.crane },
    results: ['tarball', 'digest'],
    env: { ...recipe.env, ...(base ? { BASE_IMAGE: base } : {}), IMAGE_NAME: props.imageName ?? `kayci.local/${job}:latest` },
    run: script(
      `out=${out}`,
      'rm -rf "$out"',
      'layer="$out/layer"',
      'mkdir -p "$layer"',
      recipe.stage.filter((l): l is string => typeof l === 'string'),
      // Same files, same layer digest: fixed times and owners where tar can say so.
      'if tar --version 2>/dev/null | grep -q "GNU tar"; then',
      `  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$layer" -cf "$out/layer.tar" ${sh(recipe.top)}`,
      'else',
      '  find "$layer" -exec touch -h -d @0 {} + 2>/dev/null || true',
      `  tar -C "$layer" -cf "$out/layer.tar" ${sh(recipe.top)}`,
      'fi',
      // The log exists before the server starts, so reading it for the port never races its creation.
      ': >"$out/registry.log"',
      'crane registry serve --address 127.0.0.1:0 >>"$out/registry.log" 2>&1 &',
      'registry=$!',
      `trap 'kill "$registry" 2>/dev/null || true' EXIT`,
      'port=',
      'tries=0',
      'while [ -z "$port" ]; do',
      `  port=$(sed -n 's/.*serving on port \\([0-9][0-9]*\\).*/\\1/p' "$out/registry.log")`,
      '  [ -n "$port" ] && break',
      '  tries=$((tries + 1))',
      '  if [ "$tries" -gt 100 ]; then cat "$out/registry.log" >&2; echo "kayci: crane registry serve did not start" >&2; exit 1; fi',
      '  sleep 0.1',
      'done',
      'scratch="127.0.0.1:$port/kayci/image:build"',
      // Their logs name the throwaway registry: shown only when something fails.
      `crane append --platform ${sh(platform)} ${base ? '--base "$BASE_IMAGE"' : '--oci-empty-base'} --new_layer "$out/layer.tar" --new_tag "$scratch" >/dev/null 2>"$out/crane.log" || { cat "$out/crane.log" >&2; exit 1; }`,
      `crane mutate "$scratch" ${[...mutate, '--tag "$IMAGE_NAME"', '--output "$out/image.tar"'].join(' ')} >/dev/null 2>"$out/crane.log" || { cat "$out/crane.log" >&2; exit 1; }`,
      'digest=$(crane digest --tarball "$out/image.tar")',
      'rm -rf "$layer" "$out/layer.tar" "$out/registry.log" "$out/crane.log"',
      `echo "built $IMAGE_NAME for ${platform} on ${base ? '$BASE_IMAGE' : 'an empty base'}: $out/image.tar, $digest"`,
      'echo "tarball=$out/image.tar" >> "$KAYCI_RESULTS_FILE"',
      'echo "digest=$digest" >> "$KAYCI_RESULTS_FILE"',
    ),
  });
}

/** ko builds in the Go image; crane, in a second step, reads the digest from the tarball. */
function koJob(job: string, props: GoImageProps): JobProps<ImageResult> {
  const out = outDir(job);
  const platform = props.platform ?? DEFAULT_PLATFORM;
  return recipeJob(props, {
    image: IMAGES.ko,
    tools: { ko: TOOLS.ko, go: TOOLS.go, crane: TOOLS.crane },
    results: ['tarball', 'digest'],
    env: {
      IMPORT_PATH: props.importPath ?? '',
      KO_DEFAULTBASEIMAGE: props.base ?? IMAGES.staticBase,
      IMAGE_NAME: props.imageName ?? `kayci.local/${job}:latest`,
    },
    steps: [
      {
        name: 'ko',
        run: script(
          `out=${out}`,
          'rm -rf "$out"',
          'mkdir -p "$out"',
          'case "${IMAGE_NAME##*/}" in',
          '  *:*) tag=${IMAGE_NAME##*:}; KO_DOCKER_REPO=${IMAGE_NAME%:*} ;;',
          '  *) tag=latest; KO_DOCKER_REPO=$IMAGE_NAME ;;',
          'esac',
          'export KO_DOCKER_REPO',
          // The Go image carries no ko binary; `go run` builds the pinned one.
          'set -- ko',
          'command -v ko >/dev/null 2>&1 || set -- go run github.com/google/ko@v0.18.0',
          `"$@" build --bare --push=false --sbom=none --platform=${sh(platform)} --tags="$tag"${props.user !== undefined ? ` --image-user=${sh(props.user)}` : ''} --tarball="$out/image.tar" "$IMPORT_PATH"`,
        ),
      },
      {
        name: 'digest',
        image: IMAGES.crane,
        run: script(
          `out=${out}`,
          'digest=$(crane digest --tarball "$out/image.tar")',
          `echo "built $IMAGE_NAME for ${platform} with ko on $KO_DEFAULTBASEIMAGE: $out/image.tar, $digest"`,
          'echo "tarball=$out/image.tar" >> "$KAYCI_RESULTS_FILE"',
          'echo "digest=$digest" >> "$KAYCI_RESULTS_FILE"',
        ),
      },
    ],
  });
}
