// GoBuildMatrix: the same GoBuild for several platforms, one job each (a job is one pod, so one
// platform per job), named `<id>-<os>-<arch>` and reachable by platform with typed results.
import { Construct } from 'constructs';
import type { Pipeline } from '../../constructs/pipeline.ts';
import { at, idAndProps, throwProblems, type Problem } from '../common.ts';
import { GoBuild, goBuildProblems, type GoBuildProps } from './build.ts';
import { goPlatformProblem, type GoPlatform } from './platforms.ts';

/** Props of GoBuildMatrix: those of GoBuild, shared by every platform's build, and the platforms. */
export interface GoBuildMatrixProps<P extends GoPlatform = GoPlatform> extends Omit<GoBuildProps, 'platform' | 'output'> {
  /** The `GOOS/GOARCH` pairs to build for, e.g. `['linux/amd64', 'linux/arm64', 'darwin/arm64']`. */
  readonly platforms: readonly P[];
}

/**
 * One GoBuild per platform, added to the pipeline as `<id>-<os>-<arch>` (`build-linux-arm64`),
 * each writing `bin/<name>-<os>-<arch>`. Not a job itself, so no results of its own: each build
 * has GoBuild's (`binary`, `sha256`), and `matrix.builds['linux/arm64'].results.sha256` is typed
 * by the platforms given; `needs: matrix.jobs` waits for all of them.
 */
export class GoBuildMatrix<const P extends GoPlatform = GoPlatform> extends Construct {
  /** The build of each platform. */
  readonly builds: { readonly [K in P]: GoBuild };
  /** Every build, in the order of `platforms`. */
  readonly jobs: readonly GoBuild[];

  constructor(scope: Pipeline, props: GoBuildMatrixProps<P>);
  constructor(scope: Pipeline, id: string, props: GoBuildMatrixProps<P>);
  constructor(scope: Pipeline, idOrProps: string | GoBuildMatrixProps<P>, maybeProps?: GoBuildMatrixProps<P>) {
    const [id, props] = idAndProps(idOrProps, maybeProps, 'build');
    const { platforms = [], ...shared } = props as Partial<GoBuildMatrixProps<P>>;
    // Every problem is found before any job is added, so a bad matrix leaves no half of itself.
    throwProblems(at(scope, id), [...platformProblems(platforms), ...goBuildProblems(shared)]);
    super(scope, id);
    const builds = {} as Record<string, GoBuild>;
    for (const platform of platforms) {
      builds[platform] = new GoBuild(scope, `${id}-${platform.replace('/', '-')}`, { ...shared, platform });
    }
    this.builds = builds as { readonly [K in P]: GoBuild };
    this.jobs = platforms.map((p) => builds[p]!);
  }
}

function platformProblems(platforms: readonly string[]): Problem[] {
  if (platforms.length === 0) return [['platforms', 'must name at least one GOOS/GOARCH pair, e.g. ["linux/amd64", "linux/arm64"]']];
  const problems: Problem[] = [];
  platforms.forEach((p, i) => {
    const problem = goPlatformProblem(p);
    if (problem) problems.push([`platforms[${i}]`, problem]);
    else if (platforms.indexOf(p) !== i) problems.push([`platforms[${i}]`, `${JSON.stringify(p)} is already platforms[${platforms.indexOf(p)}]; each platform is built once`]);
  });
  return problems;
}
