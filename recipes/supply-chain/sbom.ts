// Sbom: what an image is made of, with syft, as SPDX and CycloneDX JSON files in the workspace.
// The pushed image is read by digest, so the SBOM describes exactly what was published; a
// built tarball can be described before anything is pushed.
//
// syft's image has no shell, so the job is three steps in one pod: `prepare` (a script in
// IMAGES.crane) checks the input, writes registry credentials into an emptyDir and makes the
// output directory; `syft` runs /syft with its arguments fixed at synth time and the image
// reference filled in by Kubernetes (`$(IMAGE_REF)`); `results` (IMAGES.crane) checks the files
// and writes the results. `image` replaces the syft step's image: it must hold syft at /syft, as
// anchore/syft's images (`:debug` too) do. Locally, /syft runs as `syft` from PATH.
import type { EnvValue } from '../../constructs/container.ts';
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
  requireDigest,
  shellStep,
  TOOLS,
  writeDockerConfig,
  type BuiltImage,
  type PushedImage,
  type RegistryCredentials,
} from './shared.ts';

/** Props of Sbom. */
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
 * An SBOM of an image, with syft: SPDX 2.3 JSON and CycloneDX JSON in `.kayci/out/<id>/`.
 * Results: `spdx` and `cyclonedx`, the files' paths in the workspace (for `Sign`'s attestation
 * and `Scan`).
 */
export class Sbom extends Job<'spdx' | 'cyclonedx'> {
  constructor(scope: Pipeline, props: SbomProps);
  constructor(scope: Pipeline, id: string, props: SbomProps);
  constructor(scope: Pipeline, idOrProps: string | SbomProps, maybeProps?: SbomProps) {
    const [id, props] = idAndProps(idOrProps, maybeProps, 'sbom');
    const problems: Problem[] = [...credentialsProblems(props.credentials)];
    const cyclonedx = props.cyclonedxVersion ?? '1.6';
    if (!['1.4', '1.5', '1.6'].includes(cyclonedx)) problems.push(['cyclonedxVersion', `${JSON.stringify(cyclonedx)} is not one of '1.4', '1.5', '1.6'`]);
    const fromTarball = isBuiltImage(props.target);
    let env: Record<string, EnvValue> = {};
    if (isBuiltImage(props.target)) {
      env = { IMAGE_TARBALL: props.target.results.tarball };
    } else {
      const ref = digestRef('target', props.target as PushedImage | string);
      if ('problem' in ref) problems.push(ref.problem);
      else env = { IMAGE_REF: ref.value };
    }
    throwProblems(at(scope, id), problems);
    // A tarball needs no registry, so no credentials.
    const login = fromTarball ? undefined : dockerConfigMount(props.credentials);
    const out = outDir(id);
    const spdx = `${out}/sbom.spdx.json`;
    const cdx = `${out}/sbom.cdx.json`;
    super(scope, id, recipeJob(props, {
      image: IMAGES.syft,
      tools: { syft: TOOLS.syft },
      results: ['spdx', 'cyclonedx'],
      env,
      volumes: login && [login.volume],
      steps: [
        shellStep('prepare', [
          fromTarball
            ? '[ -f "$IMAGE_TARBALL" ] || { echo "kayci: the image tarball $IMAGE_TARBALL does not exist in $PWD" >&2; exit 1; }'
            : [...requireDigest('IMAGE_REF'), ...writeDockerConfig(props.credentials, '"${IMAGE_REF%%/*}"')],
          `out=${out}`,
          'rm -rf "$out"',
          'mkdir -p "$out"',
        ], { env: { ...(login ? credentialsEnv(props.credentials) : {}), ...login?.step.env }, volumeMounts: login?.step.volumeMounts }),
        {
          name: 'syft',
          command: ['/syft'],
          args: ['scan', fromTarball ? 'docker-archive:$(IMAGE_TARBALL)' : 'registry:$(IMAGE_REF)', '-o', `spdx-json@2.3=${spdx}`, '-o', `cyclonedx-json@${cyclonedx}=${cdx}`],
          env: {
            SYFT_CHECK_FOR_APP_UPDATE: 'false',
            ...(props.insecure ? { SYFT_REGISTRY_INSECURE_USE_HTTP: 'true', SYFT_REGISTRY_INSECURE_SKIP_TLS_VERIFY: 'true' } : {}),
            ...login?.step.env,
          },
          volumeMounts: login?.step.volumeMounts,
        },
        shellStep('results', [
          login && 'rm -f "$DOCKER_CONFIG/config.json"',
          `for f in ${spdx} ${cdx}; do [ -s "$f" ] || { echo "kayci: syft wrote no $f" >&2; exit 1; }; done`,
          `echo "SBOM of ${fromTarball ? '$IMAGE_TARBALL' : '$IMAGE_REF'}: ${spdx} (SPDX 2.3), ${cdx} (CycloneDX ${cyclonedx})"`,
          `echo "spdx=${spdx}" >> "$KAYCI_RESULTS_FILE"`,
          `echo "cyclonedx=${cdx}" >> "$KAYCI_RESULTS_FILE"`,
        ], login?.step),
      ],
    }));
    needsWorkspace(this, fromTarball ? 'the SBOM is made from an image tarball another job wrote' : 'the SBOM files are written to the workspace for the jobs after it');
  }
}
