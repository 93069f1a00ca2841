// GoLint: golangci-lint, with the project's own .golangci.yml when it has one.
import { Job } from '../../constructs/job.ts';
import type { Pipeline } from '../../constructs/pipeline.ts';
import { IMAGES } from '../images.ts';
import { at, idAndProps, recipeJob, shWords, throwProblems, type Problem } from '../common.ts';
import { GO_INSTALL, goCacheSetup, goPropProblems, tagsFlag, type GoRecipeProps } from './go.ts';

/** Props of GoLint. */
export interface GoLintProps extends GoRecipeProps {
  /**
   * Package patterns to lint.
   * @default ['./...']
   */
  readonly packages?: readonly string[];
  /**
   * The golangci-lint config file (`--config`), relative to the working directory.
   * @default golangci-lint's lookup: .golangci.yml (or .yaml, .toml, .json) in the project, else its standard linters
   */
  readonly config?: string;
  /**
   * Lint `_test.go` files too (`--tests`).
   * @default true
   */
  readonly tests?: boolean;
  /**
   * Linters to enable besides the configured ones (`--enable`).
   * @default none
   */
  readonly enable?: readonly string[];
  /**
   * Linters to disable (`--disable`).
   * @default none
   */
  readonly disable?: readonly string[];
  /**
   * Report only issues introduced after this git revision (`--new-from-rev`), e.g. `origin/main`
   * or `$(KAYCI_PR_BASE_REF)`; the checkout must hold it.
   * @default every issue
   */
  readonly newFromRev?: string;
  /**
   * Extra `golangci-lint run` flags, e.g. `['--max-same-issues=0']`.
   * @default none
   */
  readonly flags?: readonly string[];
}

const LINTER = /^[a-z0-9][a-z0-9_-]*$/;
// A revision may be a reference (a branch name from the trigger): passed through the
// environment, which Kubernetes expands, never spliced into the script, which the shell parses.
const NEW_FROM_REV_ENV = 'LINT_NEW_FROM_REV';

/** `golangci-lint run`, failing the job on any issue it reports. No results. */
export class GoLint extends Job {
  constructor(scope: Pipeline, props?: GoLintProps);
  constructor(scope: Pipeline, id: string, props?: GoLintProps);
  constructor(scope: Pipeline, idOrProps?: string | GoLintProps, maybeProps?: GoLintProps) {
    const [id, props] = idAndProps(idOrProps, maybeProps, 'lint');
    const packages = props.packages ?? ['./...'];
    throwProblems(at(scope, id), goLintProblems({ ...props, packages }));
    const run = [
      shWords([
        // golangci-lint takes a machine-wide lock and fails when another instance holds it; jobs
        // of a local run (or two runs) are independent and may lint at the same time.
        'golangci-lint', 'run', '--allow-parallel-runners',
        ...(props.config !== undefined ? [`--config=${props.config}`] : []),
        ...(props.tests === false ? ['--tests=false'] : []),
        ...tagsFlag(props.tags, '--build-tags'),
        ...(props.enable && props.enable.length > 0 ? [`--enable=${props.enable.join(',')}`] : []),
        ...(props.disable && props.disable.length > 0 ? [`--disable=${props.disable.join(',')}`] : []),
        ...(props.flags ?? []),
      ]),
      ...(props.newFromRev !== undefined ? [`--new-from-rev="$${NEW_FROM_REV_ENV}"`] : []),
      shWords(packages),
    ].join(' ');
    const { caches, env } = goCacheSetup(props, { GOLANGCI_LINT_CACHE: 'golangci-lint' });
    if (props.newFromRev !== undefined) env[NEW_FROM_REV_ENV] = props.newFromRev;
    super(scope, id, recipeJob(props, {
      image: IMAGES.golangciLint,
      run,
      tools: { 'golangci-lint': GO_INSTALL['golangci-lint'], go: GO_INSTALL.go },
      env,
      caches,
    }));
  }
}

function goLintProblems(props: GoLintProps): Problem[] {
  const problems = goPropProblems(props);
  for (const list of ['enable', 'disable'] as const) {
    props[list]?.forEach((l, i) => {
      if (!LINTER.test(l)) problems.push([`${list}[${i}]`, `${JSON.stringify(l)} is not a linter name (e.g. "errcheck"; \`golangci-lint linters\` lists them); give each linter as its own entry`]);
    });
  }
  const both = (props.enable ?? []).filter((l) => props.disable?.includes(l));
  if (both.length > 0) problems.push(['disable', `${both.join(', ')} cannot be both enabled and disabled`]);
  if (props.config === '') problems.push(['config', 'must be a file path; leave it out to let golangci-lint find the project\'s config']);
  if (props.newFromRev === '') problems.push(['newFromRev', 'must be a git revision, e.g. "origin/main"; leave it out to report every issue']);
  return problems;
}
