// Scan: known vulnerabilities in what an image holds, with grype (or trivy), failing the job at
// a severity. Scanning the SBOM is fast and needs no registry; the image itself (by digest) or
// its tarball work too. The scanner's vulnerability database is downloaded when the job runs,
// unless a cache keeps it between runs.
//
// The script runs as `sh -ec`: in the cluster the image must have a shell (grype's release
// images are distroless; set `image` to one with sh and grype when IMAGES.grype has none).
import type { Cache } from '../../constructs/cache.ts';
import type { EnvValue } from '../../constructs/container.ts';
import { Job } from '../../constructs/job.ts';
import type { Pipeline } from '../../constructs/pipeline.ts';
import { recipeJob, type RecipeProps } from '../common.ts';
import { IMAGES } from '../images.ts';
import {
  credentialsEnv,
  credentialsProblems,
  credentialsScript,
  digestRef,
  isBuiltImage,
  isSbomFiles,
  needsWorkspace,
  outDir,
  requireDigest,
  script,
  throwProblems,
  TOOLS,
  type BuiltImage,
  type Problem,
  type PushedImage,
  type RegistryCredentials,
  type SbomFiles,
} from './shared.ts';

/** Vulnerability severities, lowest first. */
export const SEVERITIES = ['negligible', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

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

type Target = { kind: 'sbom' | 'tarball'; env: Record<string, EnvValue> } | { kind: 'image'; env: Record<string, EnvValue> };

/**
 * Scans for known vulnerabilities and fails at `failOn` or worse. Result `report`: the JSON
 * report's path in the workspace (written before the verdict, so `when: always` jobs can read it).
 */
export class Scan extends Job<'report'> {
  constructor(scope: Pipeline, id: string, props: ScanProps) {
    const p = props ?? ({} as ScanProps);
    const problems: Problem[] = [...credentialsProblems(p.credentials)];
    const failOn = p.failOn ?? 'high';
    if (!SEVERITIES.includes(failOn)) problems.push(['failOn', `${JSON.stringify(failOn)} is not one of ${SEVERITIES.join(', ')}`]);
    const scanner = p.scanner ?? 'grype';
    if (scanner !== 'grype' && scanner !== 'trivy') problems.push(['scanner', `${JSON.stringify(scanner)} is not 'grype' or 'trivy'`]);
    if (scanner === 'trivy' && p.image === undefined) problems.push(['image', "is required with scanner: 'trivy': IMAGES has no trivy image; give one pinned by digest, e.g. aquasec/trivy:<version>@sha256:…"]);
    let target: Target = { kind: 'image', env: {} };
    if (isSbomFiles(p.target)) target = { kind: 'sbom', env: { SBOM_SPDX: p.target.results.spdx } };
    else if (isBuiltImage(p.target)) target = { kind: 'tarball', env: { IMAGE_TARBALL: p.target.results.tarball } };
    else {
      const ref = digestRef('target', p.target as PushedImage | string);
      if ('problem' in ref) problems.push(['target', `${ref.problem[1]}; or scan an Sbom job's SBOM (\`target: sbom\`)`]);
      else target = { kind: 'image', env: { IMAGE_REF: ref.value } };
    }
    const out = outDir(id);
    const tool = scanner === 'trivy' ? trivy(target.kind, failOn, p) : grype(target.kind, failOn, p);
    super(scope, id, recipeJob(p, {
      image: IMAGES.grype,
      tools: scanner === 'trivy' ? { trivy: TOOLS.trivy } : { grype: TOOLS.grype },
      results: ['report'],
      caches: p.cache ? [p.cache] : undefined,
      env: { ...credentialsEnv(p.credentials), ...target.env, ...tool.env },
      run: script(
        target.kind === 'image' && [...requireDigest('IMAGE_REF'), ...credentialsScript(p.credentials, '"${IMAGE_REF%%/*}"')],
        target.kind === 'sbom' && '[ -f "$SBOM_SPDX" ] || { echo "kayci: the SBOM $SBOM_SPDX does not exist in $PWD" >&2; exit 1; }',
        target.kind === 'tarball' && '[ -f "$IMAGE_TARBALL" ] || { echo "kayci: the image tarball $IMAGE_TARBALL does not exist in $PWD" >&2; exit 1; }',
        `out=${out}`,
        'rm -rf "$out"',
        'mkdir -p "$out"',
        'echo "report=$out/report.json" >> "$KAYCI_RESULTS_FILE"',
        tool.lines,
      ),
    }));
    throwProblems(this, problems);
    if (target.kind !== 'image') needsWorkspace(this, `the scan reads the ${target.kind === 'sbom' ? 'SBOM' : 'image tarball'} another job wrote`);
  }
}

function grype(kind: Target['kind'], failOn: Severity, p: ScanProps): { env: Record<string, EnvValue>; lines: string[] } {
  const source = { sbom: '"sbom:$SBOM_SPDX"', tarball: '"docker-archive:$IMAGE_TARBALL"', image: '"registry:$IMAGE_REF"' }[kind];
  return {
    env: {
      GRYPE_CHECK_FOR_APP_UPDATE: 'false',
      ...(p.cache ? { GRYPE_DB_CACHE_DIR: p.cache.path('grype-db') } : {}),
      ...(p.insecure ? { GRYPE_REGISTRY_INSECURE_USE_HTTP: 'true', GRYPE_REGISTRY_INSECURE_SKIP_TLS_VERIFY: 'true' } : {}),
    },
    lines: [`grype ${source} --fail-on ${failOn} -o table -o "json=$out/report.json"`],
  };
}

function trivy(kind: Target['kind'], failOn: Severity, p: ScanProps): { env: Record<string, EnvValue>; lines: string[] } {
  const severities = SEVERITIES.slice(SEVERITIES.indexOf(failOn)).map((s) => (s === 'negligible' ? 'UNKNOWN' : s.toUpperCase())).join(',');
  const command = { sbom: 'trivy sbom "$SBOM_SPDX"', tarball: 'trivy image --input "$IMAGE_TARBALL"', image: 'trivy image "$IMAGE_REF"' }[kind];
  return {
    env: {
      ...(p.cache ? { TRIVY_CACHE_DIR: p.cache.path('trivy') } : {}),
      ...(p.insecure ? { TRIVY_INSECURE: 'true' } : {}),
    },
    lines: [
      'status=0',
      `${command} --severity ${severities} --exit-code 1 --format json --output "$out/report.json" || status=$?`,
      'trivy convert --format table "$out/report.json" || true',
      'exit "$status"',
    ],
  };
}
