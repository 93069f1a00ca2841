// What the Go recipes share: the Go cache, props every Go recipe takes, the pinned versions of
// the Go tools they `go run`, and the checks and flags for packages and tags. What every recipe
// shares (constructor shape, prop checks, output directory, quoting) is in ../common.ts.
import { Cache } from '../../constructs/cache.ts';
import type { EnvValue } from '../../constructs/container.ts';
import type { Problem, RecipeProps, Tools } from '../common.ts';
import { IMAGES } from '../images.ts';

/**
 * The cache the Go recipes share by default: GOCACHE in `build/`, GOMODCACHE in `mod/`,
 * golangci-lint's cache in `golangci-lint/`. In the cluster it is the PersistentVolumeClaim
 * `kayci-cache-go` (create it once per namespace, ReadWriteMany so parallel jobs can share it);
 * locally it is ~/.cache/kayci/volumes/kayci-cache-go.
 */
export const goCache = new Cache('go');

/** Tools `go run` fetches and builds on first use (then they come from the module and build caches). */
export const GO_TOOLS = {
  /** Runs `go test -json` and writes JUnit XML. */
  gotestsum: 'gotest.tools/gotestsum@v1.13.0',
  /** Reports known vulnerabilities that the code actually reaches. */
  govulncheck: 'golang.org/x/vuln/cmd/govulncheck@v1.1.4',
} as const;

/**
 * golangci-lint's version: the tag of IMAGES.golangciLint, so what a local run is told to
 * install is what the cluster runs.
 */
export const GOLANGCI_LINT_VERSION = /:(v\d[^@]*)/.exec(IMAGES.golangciLint)?.[1] ?? 'latest';

/** Install hints for the tools the Go recipes call, shown by `kayci run` when one is missing. */
export const GO_INSTALL = {
  go: 'https://go.dev/doc/install',
  gofmt: 'https://go.dev/doc/install (gofmt comes with Go)',
  'golangci-lint': `go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@${GOLANGCI_LINT_VERSION}`,
} as const satisfies Tools;

/** Props every Go recipe takes. */
export interface GoRecipeProps extends RecipeProps {
  /**
   * The cache holding GOCACHE and GOMODCACHE, so builds, tests and module downloads are reused
   * across runs. `false` leaves both to Go's defaults (empty in a fresh container).
   * @default goCache: `new Cache('go')`, claim `kayci-cache-go`, mounted at `/cache/go`
   */
  readonly cache?: Cache | false;
  /**
   * Build tags (`-tags`).
   * @default none
   */
  readonly tags?: readonly string[];
}

/** The cache a recipe mounts, and the variables that point Go at it. */
export function goCacheSetup(props: GoRecipeProps, extra: Readonly<Record<string, string>> = {}): { caches: Cache[]; env: Record<string, EnvValue> } {
  const cache = props.cache === undefined ? goCache : props.cache;
  if (cache === false) return { caches: [], env: {} };
  const env: Record<string, EnvValue> = { GOCACHE: cache.path('build'), GOMODCACHE: cache.path('mod') };
  for (const [name, sub] of Object.entries(extra)) env[name] = cache.path(sub);
  return { caches: [cache], env };
}

const TAG = /^[\p{L}\p{N}_.]+$/u;

/** Problems with the props every Go recipe takes, and with a package list. */
export function goPropProblems(props: GoRecipeProps & { readonly packages?: readonly string[] }): Problem[] {
  const problems: Problem[] = [];
  props.tags?.forEach((t, i) => {
    if (!TAG.test(t)) problems.push([`tags[${i}]`, `${JSON.stringify(t)} is not a build tag: use letters, digits, '_' and '.'; give each tag as its own entry`]);
  });
  if (props.packages) {
    if (props.packages.length === 0) problems.push(['packages', 'must name at least one package pattern, e.g. "./..."; leave it out for the default']);
    props.packages.forEach((p, i) => {
      if (p === '' || p.startsWith('-') || /\s/.test(p)) problems.push([`packages[${i}]`, `${JSON.stringify(p)} is not a package pattern (e.g. "./...", "./internal/..."); pass flags with \`flags\``]);
    });
  }
  return problems;
}

/** `-tags=a,b` for go commands, or nothing. */
export function tagsFlag(tags: readonly string[] | undefined, flag = '-tags'): string[] {
  return tags && tags.length > 0 ? [`${flag}=${tags.join(',')}`] : [];
}
