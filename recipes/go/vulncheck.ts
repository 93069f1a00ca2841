// GoVulncheck: govulncheck, which reports the known vulnerabilities (from the Go vulnerability
// database) that the code actually calls, not every one in its dependency graph.
import { Job } from '../../constructs/job.ts';
import type { Pipeline } from '../../constructs/pipeline.ts';
import { IMAGES } from '../images.ts';
import { at, idAndProps, recipeJob, shWords, throwProblems, type Problem } from '../common.ts';
import { GO_INSTALL, GO_TOOLS, goCacheSetup, goPropProblems, tagsFlag, type GoRecipeProps } from './go.ts';

/** Props of GoVulncheck. */
export interface GoVulncheckProps extends GoRecipeProps {
  /**
   * Package patterns to scan.
   * @default ['./...']
   */
  readonly packages?: readonly string[];
  /**
   * How deep to look (`-scan`): `symbol` reports vulnerable functions the code calls, `package`
   * vulnerable packages it imports, `module` vulnerable modules it requires.
   * @default 'symbol'
   */
  readonly scan?: 'symbol' | 'package' | 'module';
  /**
   * The vulnerability database (`-db`): a mirror's URL, or `file:///…` for an offline copy.
   * May be a Param.
   * @default https://vuln.go.dev
   */
  readonly db?: string;
  /**
   * Extra govulncheck flags, e.g. `['-show=verbose']`.
   * @default none
   */
  readonly flags?: readonly string[];
}

const SCANS = ['symbol', 'package', 'module'];
// The database may be a reference (a Param): passed through the environment, which Kubernetes
// expands, never spliced into the script, which the shell parses.
const DB_ENV = 'GOVULNCHECK_DB';

/**
 * govulncheck, fetched and built with `go run` (no tool to install). Fails when the code reaches
 * a known vulnerability. No results.
 */
export class GoVulncheck extends Job {
  constructor(scope: Pipeline, props?: GoVulncheckProps);
  constructor(scope: Pipeline, id: string, props?: GoVulncheckProps);
  constructor(scope: Pipeline, idOrProps?: string | GoVulncheckProps, maybeProps?: GoVulncheckProps) {
    const [id, props] = idAndProps(idOrProps, maybeProps, 'vulncheck');
    const packages = props.packages ?? ['./...'];
    throwProblems(at(scope, id), goVulncheckProblems({ ...props, packages }));
    const run = [
      shWords(['go', 'run', GO_TOOLS.govulncheck]),
      ...(props.db !== undefined ? [`-db="$${DB_ENV}"`] : []),
      shWords([...(props.scan !== undefined ? [`-scan=${props.scan}`] : []), ...tagsFlag(props.tags), ...(props.flags ?? []), ...packages]),
    ].join(' ');
    const { caches, env } = goCacheSetup(props);
    if (props.db !== undefined) env[DB_ENV] = props.db;
    super(scope, id, recipeJob(props, { image: IMAGES.go, run, tools: { go: GO_INSTALL.go }, env, caches }));
  }
}

function goVulncheckProblems(props: GoVulncheckProps): Problem[] {
  const problems = goPropProblems(props);
  if (props.scan !== undefined && !SCANS.includes(props.scan)) problems.push(['scan', `${JSON.stringify(props.scan)} is not a scan level: use ${SCANS.join(', ')}`]);
  if (props.db !== undefined && !/^(https?|file):\/\/\S+$/.test(props.db) && !props.db.includes('$(')) problems.push(['db', `${JSON.stringify(props.db)} is not a database URL: use https://… or file:///…`]);
  return problems;
}
