// Sbom: what an image is made of, with syft, as SPDX and CycloneDX JSON files in the workspace.
// The pushed image is read by digest, so the SBOM describes exactly what was published; a
// built tarball can be described before anything is pushed.
//
// The script runs as `sh -ec`: in the cluster the image must have a shell (syft's own images
// are distroless; set `image` to one with sh and syft when IMAGES.syft has none).
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
} from './shared.ts';

export interface SbomProps extends RecipeProps {
  /**
   * What to describe: the pushed image (a `Push` job, or `registry/repository@sha256:…`), or a
   * built image tarball (a `GoImage` or `CImage` job), which needs no registry.
   */
  readonly target: PushedImage | BuiltImage | string;
  /**
   * The CycloneDX version to write.
   * @default '1.6'
   */
  readonly cyclonedxVersion?: '1.4' | '1.5' | '1.6';
  /**
   * How to log in to the registry, to read a private image.
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

/**
 * An SBOM of an image, with syft: SPDX 2.3 JSON and CycloneDX JSON. Results: `spdx` and
 * `cyclonedx`, the files' paths in the workspace (for `Sign`'s attestation and `Scan`).
 */
export class Sbom extends Job<'spdx' | 'cyclonedx'> {
  constructor(scope: Pipeline, id: string, props: SbomProps) {
    const p = props ?? ({} as SbomProps);
    const problems: Problem[] = [...credentialsProblems(p.credentials)];
    const cyclonedx = p.cyclonedxVersion ?? '1.6';
    if (!['1.4', '1.5', '1.6'].includes(cyclonedx)) problems.push(['cyclonedxVersion', `${JSON.stringify(cyclonedx)} is not one of '1.4', '1.5', '1.6'`]);
    const fromTarball = isBuiltImage(p.target);
    let env: Record<string, EnvValue> = {};
    if (isBuiltImage(p.target)) {
      env = { IMAGE_TARBALL: p.target.results.tarball };
    } else {
      const ref = digestRef('target', p.target as PushedImage | string);
      if ('problem' in ref) problems.push(ref.problem);
      else env = { IMAGE_REF: ref.value };
    }
    const out = outDir(id);
    super(scope, id, recipeJob(p, {
      image: IMAGES.syft,
      tools: { syft: TOOLS.syft },
      results: ['spdx', 'cyclonedx'],
      env: { ...credentialsEnv(p.credentials), ...env },
      run: script(
        'export SYFT_CHECK_FOR_APP_UPDATE=false',
        p.insecure && 'export SYFT_REGISTRY_INSECURE_USE_HTTP=true SYFT_REGISTRY_INSECURE_SKIP_TLS_VERIFY=true',
        fromTarball
          ? ['[ -f "$IMAGE_TARBALL" ] || { echo "kayci: the image tarball $IMAGE_TARBALL does not exist in $PWD" >&2; exit 1; }', 'source="docker-archive:$IMAGE_TARBALL"']
          : [...requireDigest('IMAGE_REF'), ...credentialsScript(p.credentials, '"${IMAGE_REF%%/*}"'), 'source="registry:$IMAGE_REF"'],
        `out=${out}`,
        'rm -rf "$out"',
        'mkdir -p "$out"',
        `syft scan "$source" -o "spdx-json@2.3=$out/sbom.spdx.json" -o "cyclonedx-json@${cyclonedx}=$out/sbom.cdx.json"`,
        'echo "SBOM of ${source#*:}: $out/sbom.spdx.json (SPDX 2.3), $out/sbom.cdx.json (CycloneDX ' + cyclonedx + ')"',
        'echo "spdx=$out/sbom.spdx.json" >> "$KAYCI_RESULTS_FILE"',
        'echo "cyclonedx=$out/sbom.cdx.json" >> "$KAYCI_RESULTS_FILE"',
      ),
    }));
    throwProblems(this, problems);
    needsWorkspace(this, fromTarball ? 'the SBOM is made from an image tarball another job wrote' : 'the SBOM files are written to the workspace for the jobs after it');
  }
}
