// CPipeline: a complete CI for a C library or program in one construct. Checkout, then cppcheck ∥
// build (CMake by default, installed into a prefix) → ctest, optionally clang-tidy and a
// coverage build with gcovr; when an image repository is given, the install tree becomes an
// image layer: image → push (by digest) → SBOM → sign → scan. Every part takes its recipe's
// props to override defaults, or `false` to remove it; every job is exposed.
import type { Construct } from 'constructs';
import type { Job } from '../../constructs/job.ts';
import { Pipeline, type PipelineProps } from '../../constructs/pipeline.ts';
import { CBuild, type CBuildProps } from '../c/build.ts';
import { CCoverage, type CCoverageProps } from '../c/coverage.ts';
import { ClangTidy, CppCheck, type ClangTidyProps, type CppCheckProps } from '../c/lint.ts';
import { CTest, type CTestProps } from '../c/test.ts';
import { Checkout, type CheckoutProps } from '../supply-chain/checkout.ts';
import { publish, type PublishProps, type Published } from './publish.ts';

/** Props of CPipeline: the Pipeline's own, publishing, and each part's recipe props (or `false`). */
export interface CPipelineProps extends PipelineProps, PublishProps {
  /**
   * Fetch the commit into the workspace (in the cluster; locally the working tree is used).
   * @default on
   */
  readonly checkout?: CheckoutProps | false;
  /**
   * How to build. With an image, the build also installs into its prefix.
   * @default CMake, gcc, Release
   */
  readonly build?: Omit<CBuildProps, 'needs'>;
  /**
   * ctest on the build.
   * @default on
   */
  readonly test?: Omit<CTestProps, 'build' | 'buildDir'> | false;
  /**
   * cppcheck on the sources, in parallel with the build.
   * @default on
   */
  readonly cppcheck?: Omit<CppCheckProps, 'build'> | false;
  /**
   * clang-tidy over the build's compile database.
   * @default off
   */
  readonly clangTidy?: Omit<ClangTidyProps, 'build' | 'buildDir'> | boolean;
  /**
   * A second, instrumented build whose tests feed gcovr.
   * @default off
   */
  readonly coverage?: Omit<CCoverageProps, 'test' | 'build'> | boolean;
}

/**
 * A complete CI for a C library or program: build, ctest, cppcheck (clang-tidy, coverage on
 * request), and a signed image for tags. It is a Pipeline, not a job, so it has no results of its
 * own: each job is a property (undefined when turned off), whose results are its recipe's, e.g.
 * `test.results.junit`.
 */
export class CPipeline extends Pipeline {
  readonly checkout?: Checkout;
  readonly build: CBuild;
  readonly test?: CTest;
  readonly cppcheck?: CppCheck;
  readonly clangTidy?: ClangTidy;
  /** The coverage build, its tests and the gcovr report. */
  readonly coverage?: { readonly build: CBuild; readonly test: CTest; readonly report: CCoverage };
  /** The image, push, SBOM, signature and scan jobs, when `image` is set. */
  readonly published?: Published;

  constructor(scope: Construct, id: string, props: CPipelineProps = {}) {
    super(scope, id, { ...props, workspace: props.workspace ?? { size: '2Gi' } });
    this.checkout = props.checkout === false ? undefined : new Checkout(this, props.checkout);
    const first: Job<string>[] = this.checkout ? [this.checkout] : [];

    this.build = new CBuild(this, { ...props.build, install: props.build?.install ?? (props.image ? true : undefined), needs: first });
    this.test = props.test === false ? undefined : new CTest(this, { ...props.test, build: this.build });
    this.cppcheck = props.cppcheck === false ? undefined : new CppCheck(this, { ...props.cppcheck, needs: first });
    this.clangTidy = props.clangTidy ? new ClangTidy(this, { ...(props.clangTidy === true ? {} : props.clangTidy), build: this.build }) : undefined;
    if (props.coverage) {
      const build = new CBuild(this, 'coverage-build', { ...props.build, install: false, coverage: true, buildDir: 'build-coverage', needs: first });
      const test = new CTest(this, 'coverage-test', { build });
      const report = new CCoverage(this, { ...(props.coverage === true ? {} : props.coverage), test });
      this.coverage = { build, test, report };
    }

    if (props.image) {
      const checks = [this.test, this.cppcheck, this.clangTidy].filter((j): j is NonNullable<typeof j> => j !== undefined);
      this.published = publish(this, { ...props, image: props.image }, { needs: [...checks, this.build], cPrefix: this.build.results.prefix });
    }
  }
}
