// Scan: known vulnerabilities in what an image holds, with grype (or trivy), failing the job at
// a severity. Scanning the SBOM is fast and needs no registry; the image itself (by digest) or
// its tarball work too. The scanner's vulnerability database is downloaded when the job runs,
// unless a cache keeps it between runs.
//
// grype's image has no shell, so the job is steps in one pod: `prepare` (a script in
// IMAGES.crane) checks the input, writes registry credentials into an emptyDir, makes the output
// directory and writes the `report` result before the verdict; `grype` runs /grype with its
// arguments fixed at synth time and the input filled in by Kubernetes (`$(SBOM_SPDX)`, …) and
// fails at `failOn`; `results` (IMAGES.crane) checks the report and writes the result again. With
// trivy, `trivy` writes the JSON report and `verdict` (`trivy convert`) prints it as a table and
// fails at `failOn`. `image` replaces the scanner steps' image: grype must be at /grype (as in
// anchore/grype's images, `debug` too), trivy on PATH. Locally, /grype runs as `grype`.
import type { Cache } from '../../constructs/cache.ts';
import type { EnvValue, StepProps } from '../../constructs/container.ts';
import { Job } from '../../constructs/job.ts';
import type { Pipeline } from '../../constructs/pipeline.ts';
import { at, idAndProps, needsWorkspace, outDir, recipeJob, throwProblems, type Problem, type RecipeProps } from '../common.ts';
import { IMAGES } from '../images.ts';
import {
  credentialsEnv,
  credentialsProblems,
  digestRef,
  dockerConfigMount,
  isBuiltImage,
  isSbomFiles,
  requireDigest,
  shellStep,
  TOOLS,
  writeDockerConfig,
  type BuiltImage,
  type PushedImage,
  type RegistryCredentials,
  type SbomFiles,
} from './shared.ts';

/** Vulnerability severities, lowest first. */
export const SEVERITIES = ['negligible', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Props of Scan. */
export interface ScanProps extends RecipeProps {
  /**
   * What to scan: an `Sbom` job (its SPDX file), a `Push` job or `registry/repository@sha256:…`
   * (the pushed image), or a `GoImage`/`CImage` job (the image tarball).
   */
  readonly target: SbomFiles | PushedImage | BuiltImage | string;
  /**
   * Fail the job when a vulnerability of this severity or worse is found.
   * @default 'high'
   */
  readonly failOn?: Severity;
  /**
   * The scanner. trivy has no entry in IMAGES: give `image` with it.
   * @default 'grype'
   */
  readonly scanner?: 'grype' | 'trivy';
  /**
   * A cache for the vulnerability database, so runs do not each download it.
   * @default none: the database is downloaded every run
   */
  readonly cache?: Cache;
  /**
   * How to log in to the registry, to scan a private image.
   * @default none: anonymous, or whatever Docker config the image carries
   */
  readonly credentials?: RegistryCredentials;
  /**
   * The registry speaks plain HTTP, or TLS that cannot be verified. For a registry on loopback
   * or in the cluster only.
   * @default false
   */
  readonly insecure?: boolean;
}

type Kind = 'sbom' | 'tarball' | 'image';

/**
 * Scans for known vulnerabilities and fails at `failOn` or worse. Result `report`: the JSON
 * report's path in the workspace, `.kayci/out/<id>/report.json` (written before the verdict, so
 * `when: always` jobs can read it).
 */
export class Scan extends Job<'report'> {
  constructor(scope: Pipeline, props: ScanProps);
  constructor(scope: Pipeline, id: string, props: ScanProps);
  constructor(scope: Pipeline, idOrProps: string | ScanProps, maybeProps?: ScanProps) {
    const [id, props] = idAndProps(idOrProps, maybeProps, 'scan');
    const problems: Problem[] = [...credentialsProblems(props.credentials)];
    const failOn = props.failOn ?? 'high';
    if (!SEVERITIES.includes(failOn)) problems.push(['failOn', `${JSON.stringify(failOn)} is not one of ${SEVERITIES.join(', ')}`]);
    const scanner = props.scanner ?? 'grype';
    if (scanner !== 'grype' && scanner !== 'trivy') problems.push(['scanner', `${JSON.stringify(scanner)} is not 'grype' or 'trivy'`]);
    if (scanner === 'trivy' && props.image === undefined) problems.push(['image', "is required with scanner: 'trivy': IMAGES has no trivy image; give one pinned by digest, e.g. aquasec/trivy:<version>@sha256:…"]);
    let kind: Kind = 'image';
    let env: Record<string, EnvValue> = {};
    if (isSbomFiles(props.target)) [kind, env] = ['sbom', { SBOM_SPDX: props.target.results.spdx }];
    else if (isBuiltImage(props.target)) [kind, env] = ['tarball', { IMAGE_TARBALL: props.target.results.tarball }];
    else {
      const ref = digestRef('target', props.target as PushedImage | string);
      if ('problem' in ref) problems.push(['target', `${ref.problem[1]}; or scan an Sbom job's SBOM (\`target: sbom\`)`]);
      else env = { IMAGE_REF: ref.value };
    }
    throwProblems(at(scope, id), problems);
    // Only an image in a registry needs credentials.
    const login = kind === 'image' ? dockerConfigMount(props.credentials) : undefined;
    const report = `${outDir(id)}/report.json`;
    const tool = scanner === 'trivy' ? trivy(kind, failOn, report, props) : grype(kind, failOn, report, props);
    super(scope, id, recipeJob(props, {
      image: IMAGES.grype,
      tools: scanner === 'trivy' ? { trivy: TOOLS.trivy } : { grype: TOOLS.grype },
      results: ['report'],
      caches: props.cache ? [props.cache] : undefined,
      env,
      volumes: login && [login.volume],
      steps: [
        shellStep('prepare', [
          kind === 'image' && [...requireDigest('IMAGE_REF'), ...writeDockerConfig(props.credentials, '"${IMAGE_REF%%/*}"')],
          kind === 'sbom' && '[ -f "$SBOM_SPDX" ] || { echo "kayci: the SBOM $SBOM_SPDX does not exist in $PWD" >&2; exit 1; }',
          kind === 'tarball' && '[ -f "$IMAGE_TARBALL" ] || { echo "kayci: the image tarball $IMAGE_TARBALL does not exist in $PWD" >&2; exit 1; }',
          `out=${outDir(id)}`,
          'rm -rf "$out"',
          'mkdir -p "$out"',
          // Before the verdict: a failing scan keeps this result for the jobs that read the report.
          `echo "report=${report}" >> "$KAYCI_RESULTS_FILE"`,
        ], { env: { ...(login ? credentialsEnv(props.credentials) : {}), ...login?.step.env }, volumeMounts: login?.step.volumeMounts }),
        // The scanning step reads the registry; trivy's verdict step reads only the report.
        ...tool.map((s, i) => (login && i === 0 ? { ...s, env: { ...s.env, ...login.step.env }, volumeMounts: login.step.volumeMounts } : s)),
        shellStep('results', [
          login && 'rm -f "$DOCKER_CONFIG/config.json"',
          `[ -s ${report} ] || { echo "kayci: the scanner wrote no ${report}" >&2; exit 1; }`,
          `echo "report=${report}" >> "$KAYCI_RESULTS_FILE"`,
        ], login?.step),
      ],
    }));
    if (kind !== 'image') needsWorkspace(this, `the scan reads the ${kind === 'sbom' ? 'SBOM' : 'image tarball'} another job wrote`);
  }
}

/** grype's input, as Kubernetes fills it in from the step's env. */
const SOURCE: Record<Kind, string> = { sbom: 'sbom:$(SBOM_SPDX)', tarball: 'docker-archive:$(IMAGE_TARBALL)', image: 'registry:$(IMAGE_REF)' };

/** One step: the table on stdout, the JSON report in the workspace, and grype's own verdict. */
function grype(kind: Kind, failOn: Severity, report: string, p: ScanProps): StepProps[] {
  return [{
    name: 'grype',
    command: ['/grype'],
    args: [SOURCE[kind], '--fail-on', failOn, '-o', 'table', '-o', `json=${report}`],
    env: {
      GRYPE_CHECK_FOR_APP_UPDATE: 'false',
      ...(p.cache ? { GRYPE_DB_CACHE_DIR: p.cache.path('grype-db') } : {}),
      ...(p.insecure ? { GRYPE_REGISTRY_INSECURE_USE_HTTP: 'true', GRYPE_REGISTRY_INSECURE_SKIP_TLS_VERIFY: 'true' } : {}),
    },
  }];
}

/** trivy writes one format a run: the JSON report first, then `trivy convert` prints the table and gives the verdict. */
function trivy(kind: Kind, failOn: Severity, report: string, p: ScanProps): StepProps[] {
  const severities = SEVERITIES.slice(SEVERITIES.indexOf(failOn)).map((s) => (s === 'negligible' ? 'UNKNOWN' : s.toUpperCase())).join(',');
  const what = { sbom: ['sbom', '$(SBOM_SPDX)'], tarball: ['image', '--input', '$(IMAGE_TARBALL)'], image: ['image', '$(IMAGE_REF)'] }[kind];
  return [
    {
      name: 'trivy',
      command: ['trivy'],
      args: [...what, '--severity', severities, '--format', 'json', '--output', report],
      env: {
        ...(p.cache ? { TRIVY_CACHE_DIR: p.cache.path('trivy') } : {}),
        ...(p.insecure ? { TRIVY_INSECURE: 'true' } : {}),
      },
    },
    { name: 'verdict', command: ['trivy'], args: ['convert', '--format', 'table', '--severity', severities, '--exit-code', '1', report] },
  ];
}
