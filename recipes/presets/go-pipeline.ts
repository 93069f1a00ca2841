// GoPipeline: a complete CI for a Go service in one construct. Checkout, then vet ∥ lint ∥ test ∥
// build (one job per platform); when an image repository is given: image → push (by digest) →
// SBOM → sign → scan. Every part takes its recipe's props to override defaults, or `false` to
// remove it; every job is exposed for `needs` and results.
import type { Construct } from 'constructs';
import { Pipeline, type PipelineProps } from '../../constructs/pipeline.ts';
import type { Job } from '../../constructs/job.ts';
import { PropError } from '../../constructs/errors.ts';
import { GoBuildMatrix, type GoBuildMatrixProps } from '../go/build-matrix.ts';
import type { GoBuild } from '../go/build.ts';
import { GoLint, type GoLintProps } from '../go/lint.ts';
import type { GoPlatform } from '../go/platforms.ts';
import { GoTest, type GoTestProps } from '../go/test.ts';
import { GoVet, type GoVetProps } from '../go/vet.ts';
import { GoVulncheck, type GoVulncheckProps } from '../go/vulncheck.ts';
import { Checkout, type CheckoutProps } from '../supply-chain/checkout.ts';
import { publish, type PublishProps, type Published } from './publish.ts';

/** Props of GoPipeline: the Pipeline's own, publishing, and each part's recipe props (or `false`). */
export interface GoPipelineProps extends PipelineProps, PublishProps {
  /**
   * Fetch the commit into the workspace (in the cluster; locally the working tree is used).
   * @default on
   */
  readonly checkout?: CheckoutProps | false;
  /**
   * `go vet` and a gofmt check.
   * @default on
   */
  readonly vet?: GoVetProps | false;
  /**
   * golangci-lint.
   * @default on
   */
  readonly lint?: GoLintProps | false;
  /**
   * `go test` with the race detector, coverage and a JUnit report.
   * @default on
   */
  readonly test?: GoTestProps | false;
  /**
   * govulncheck. Off by default: it needs vuln.go.dev at run time.
   * @default off
   */
  readonly vulncheck?: GoVulncheckProps | boolean;
  /**
   * Binaries to build, one job per platform.
   * @default { platforms: ['linux/amd64'] }
   */
  readonly build?: Partial<GoBuildMatrixProps<GoPlatform>> | false;
}

/**
 * A complete CI for a Go service: vet, lint, test, builds per platform, and a signed image for
 * tags. It is a Pipeline, not a job, so it has no results of its own: each job is a property
 * (undefined when turned off), whose results are its recipe's, e.g. `test.results.coverage`.
 */
export class GoPipeline extends Pipeline {
  readonly checkout?: Checkout;
  readonly vet?: GoVet;
  readonly lint?: GoLint;
  readonly test?: GoTest;
  readonly vulncheck?: GoVulncheck;
  /** One build per platform. */
  readonly builds: readonly GoBuild[];
  /** The image, push, SBOM, signature and scan jobs, when `image` is set. */
  readonly published?: Published;

  constructor(scope: Construct, id: string, props: GoPipelineProps = {}) {
    super(scope, id, { ...props, workspace: props.workspace ?? { size: '5Gi' } });
    const checkout = props.checkout === false ? undefined : new Checkout(this, props.checkout);
    const first = checkout ? [checkout] : [];
    const withNeeds = <T extends object>(p: T | undefined): T & { needs: Job<string>[] } => ({ ...(p ?? ({} as T)), needs: [...first, ...((p as { needs?: Job<string>[] } | undefined)?.needs ?? [])] });

    this.checkout = checkout;
    this.vet = props.vet === false ? undefined : new GoVet(this, withNeeds(props.vet));
    this.lint = props.lint === false ? undefined : new GoLint(this, withNeeds(props.lint));
    this.test = props.test === false ? undefined : new GoTest(this, withNeeds(props.test));
    this.vulncheck = props.vulncheck ? new GoVulncheck(this, withNeeds(props.vulncheck === true ? {} : props.vulncheck)) : undefined;
    const build = props.build === false ? undefined : { platforms: ['linux/amd64' as GoPlatform], ...props.build };
    this.builds = build ? new GoBuildMatrix(this, withNeeds(build) as GoBuildMatrixProps<GoPlatform>).jobs : [];

    const checks = [this.vet, this.lint, this.test, this.vulncheck].filter((j): j is NonNullable<typeof j> => j !== undefined);
    if (props.image) {
      const linux = this.builds.find((b) => b.platform.startsWith('linux/'));
      if (!linux) throw new PropError(this, 'image', 'needs a linux build to put in the image: add a linux platform to build.platforms');
      this.published = publish(this, { ...props, image: props.image }, { needs: [...checks, linux], goBinary: linux });
    }
  }
}

