// Sign: a cosign signature on an image, by digest, stored next to it in the registry; and,
// optionally, the image's SPDX SBOM as a signed attestation. With a key from a Secret, or
// keyless with the job's OIDC identity (Fulcio certificate, Rekor transparency log).
//
// cosign's image has no shell, so the job is steps in one pod: `prepare` (a script in
// IMAGES.crane) checks the reference is by digest, writes registry credentials into an emptyDir
// and checks the SBOM is there; `sign` (and `attest`) run /ko-app/cosign with arguments fixed at
// synth time and the image reference filled in by Kubernetes (`$(IMAGE_REF)`); `results`
// (IMAGES.crane) names where cosign stored them, as `cosign triangulate` does. The key reaches
// the cosign steps only. `image` replaces the cosign steps' image: it must hold cosign at
// /ko-app/cosign, as cosign's ko-built images (`-dev` too) do. Locally it runs as `cosign`.
import type { EnvValue, StepProps } from '../../constructs/container.ts';
import { Job } from '../../constructs/job.ts';
import type { Pipeline } from '../../constructs/pipeline.ts';
import type { SecretKey } from '../../constructs/secret.ts';
import { at, idAndProps, needsWorkspace, recipeJob, throwProblems, type Problem, type RecipeProps } from '../common.ts';
import { IMAGES } from '../images.ts';
import {
  credentialsEnv,
  credentialsProblems,
  digestRef,
  dockerConfigMount,
  isSbomFiles,
  isSecretKey,
  requireDigest,
  shellStep,
  TOOLS,
  writeDockerConfig,
  type PushedImage,
  type RegistryCredentials,
  type SbomFiles,
} from './shared.ts';

/** Props of Sign. */
export interface SignProps extends RecipeProps {
  /** The image to sign, by digest: a `Push` job, or `registry/repository@sha256:…`. */
  readonly target: PushedImage | string;
  /**
   * The private key, as `cosign generate-key-pair` writes it (cosign.key, encrypted). Required
   * unless `keyless`.
   * @default none
   */
  readonly key?: SecretKey;
  /**
   * The password of `key`.
   * @default none: the key is not encrypted (COSIGN_PASSWORD is set empty)
   */
  readonly password?: SecretKey;
  /**
   * Sign keyless: a short-lived Fulcio certificate for the job's OIDC identity, recorded in the
   * Rekor transparency log. Needs an OIDC token cosign can find (`identityToken`, or the
   * ambient credentials of GitHub Actions, Google Cloud and others) and the public Sigstore
   * services (or your own, configured through cosign's environment).
   * @default false
   */
  readonly keyless?: boolean;
  /**
   * The OIDC token for keyless signing (SIGSTORE_ID_TOKEN).
   * @default none: cosign looks for ambient credentials
   */
  readonly identityToken?: SecretKey;
  /**
   * Also attach this SPDX JSON SBOM as a signed attestation (`cosign attest --type spdxjson`):
   * an `Sbom` job, or the file's path in the workspace.
   * @default none
   */
  readonly attest?: SbomFiles | string;
  /**
   * Record the signature in the public transparency log (Rekor). Turn it off for private images
   * signed with a key: nothing about them is published, and verifiers then pass
   * `--insecure-ignore-tlog=true` to `cosign verify`. Keyless signing needs the log.
   * @default true
   */
  readonly tlogUpload?: boolean;
  /**
   * How to log in to the registry (the signature is pushed next to the image).
   * @default none: anonymous, or whatever Docker config the image carries
   */
  readonly credentials?: RegistryCredentials;
  /**
   * The registry speaks plain HTTP, or TLS that cannot be verified (cosign
   * `--allow-insecure-registry --allow-http-registry`). For a registry on loopback or in the
   * cluster only.
   * @default false
   */
  readonly insecure?: boolean;
}

/** cosign in its ko-built image. ko appends /ko-app to the image's PATH too; the absolute path does not rely on it. */
const COSIGN = '/ko-app/cosign';

/**
 * Shell lines that set `stored` to where cosign keeps what it attaches to "$IMAGE_REF" (append
 * `.sig` or `.att`), as `cosign triangulate` prints it: the repository (or $COSIGN_REPOSITORY)
 * named as go-containerregistry names it — Docker Hub as index.docker.io, with `library/` for
 * official images — tagged `sha256-<hex>`.
 */
const storedAt = [
  'repo=${COSIGN_REPOSITORY:-${IMAGE_REF%@*}}',
  // A tag before the digest is not part of the repository.
  'case "${repo##*/}" in *:*) repo=${repo%:*} ;; esac',
  'host=',
  'case "$repo" in */*) case "${repo%%/*}" in *.*|*:*) host=${repo%%/*}; repo=${repo#*/} ;; esac ;; esac',
  'case "$host" in ""|docker.io|index.docker.io) host=index.docker.io; case "$repo" in */*) ;; *) repo=library/$repo ;; esac ;; esac',
  'digest=${IMAGE_REF##*@}',
  'stored="$host/$repo:${digest%%:*}-${digest#*:}"',
];

/**
 * Signs an image by digest with cosign. Results: `signature`, where the signature is stored
 * (`<repository>:sha256-<digest>.sig`), and `attestation`, where the SBOM attestation is
 * (`<repository>:sha256-<digest>.att`; empty without `attest`).
 */
export class Sign extends Job<'signature' | 'attestation'> {
  constructor(scope: Pipeline, props: SignProps);
  constructor(scope: Pipeline, id: string, props: SignProps);
  constructor(scope: Pipeline, idOrProps: string | SignProps, maybeProps?: SignProps) {
    const [id, props] = idAndProps(idOrProps, maybeProps, 'sign');
    const problems = signProblems(props);
    const ref = digestRef('target', props.target);
    if ('problem' in ref) problems.unshift(ref.problem);
    throwProblems(at(scope, id), problems);
    const attest = props.attest === undefined ? undefined : isSbomFiles(props.attest) ? props.attest.results.spdx : props.attest;
    const login = dockerConfigMount(props.credentials);
    // Secrets go to the steps that read them: the key to cosign, the registry password to prepare.
    const cosignEnv: Record<string, EnvValue> = {
      ...(props.key ? { COSIGN_PRIVATE_KEY: props.key, COSIGN_PASSWORD: props.password ?? '' } : {}),
      ...(props.keyless && props.identityToken ? { SIGSTORE_ID_TOKEN: props.identityToken } : {}),
      ...login?.step.env,
    };
    const flags = [
      '--yes',
      ...(props.key && !props.keyless ? ['--key', 'env://COSIGN_PRIVATE_KEY'] : []),
      ...(props.tlogUpload === false ? ['--tlog-upload=false'] : []),
      ...(props.insecure ? ['--allow-insecure-registry', '--allow-http-registry'] : []),
    ];
    const cosign = (name: string, args: string[]): StepProps => ({ name, command: [COSIGN], args, env: cosignEnv, volumeMounts: login?.step.volumeMounts });
    super(scope, id, recipeJob(props, {
      image: IMAGES.cosign,
      tools: { cosign: TOOLS.cosign },
      results: ['signature', 'attestation'],
      env: { IMAGE_REF: 'value' in ref ? ref.value : '', ...(attest !== undefined ? { SBOM_SPDX: attest } : {}) },
      volumes: login && [login.volume],
      steps: [
        shellStep('prepare', [
          requireDigest('IMAGE_REF'),
          writeDockerConfig(props.credentials, '"${IMAGE_REF%%/*}"'),
          attest !== undefined && '[ -f "$SBOM_SPDX" ] || { echo "kayci: the SBOM $SBOM_SPDX to attest does not exist in $PWD" >&2; exit 1; }',
        ], { env: { ...credentialsEnv(props.credentials), ...login?.step.env }, volumeMounts: login?.step.volumeMounts }),
        cosign('sign', ['sign', ...flags, '$(IMAGE_REF)']),
        ...(attest !== undefined ? [cosign('attest', ['attest', ...flags, '--type', 'spdxjson', '--predicate', '$(SBOM_SPDX)', '$(IMAGE_REF)'])] : []),
        shellStep('results', [
          login && 'rm -f "$DOCKER_CONFIG/config.json"',
          storedAt,
          'echo "signed $IMAGE_REF: $stored.sig"',
          'echo "signature=$stored.sig" >> "$KAYCI_RESULTS_FILE"',
          attest !== undefined
            ? ['echo "attested the SPDX SBOM $SBOM_SPDX: $stored.att"', 'echo "attestation=$stored.att" >> "$KAYCI_RESULTS_FILE"']
            : 'echo "attestation=" >> "$KAYCI_RESULTS_FILE"',
        ], login?.step),
      ],
    }));
    if (attest !== undefined) needsWorkspace(this, 'the attestation reads the SBOM file from the workspace');
  }
}

function signProblems(p: SignProps): Problem[] {
  const problems: Problem[] = [];
  if (p.key !== undefined && !isSecretKey(p.key)) problems.push(['key', "must be a Secret key, e.g. Secret.fromName('cosign').key('cosign.key'): a private key never goes into YAML"]);
  if (p.key === undefined && !p.keyless) {
    problems.push(['key', "is required unless keyless: give key: Secret.fromName('cosign').key('cosign.key') (from `cosign generate-key-pair`, with password: Secret.fromName('cosign').key('cosign.password')), or keyless: true to sign with the job's OIDC identity"]);
  }
  if (p.key !== undefined && p.keyless) problems.push(['keyless', 'cannot be combined with key: sign either with the key or keyless (OIDC), not both']);
  if (p.password !== undefined && p.key === undefined) problems.push(['password', 'goes with key: it decrypts the private key']);
  if (p.identityToken !== undefined && !p.keyless) problems.push(['identityToken', 'is for keyless signing: set keyless: true, or leave identityToken out']);
  if (p.keyless && p.tlogUpload === false) {
    problems.push(['tlogUpload', 'cannot be false with keyless: a keyless certificate lives minutes, and only the transparency log proves the signature was made while it was valid. Sign with a key to keep signatures private']);
  }
  if (p.attest !== undefined && !isSbomFiles(p.attest) && (typeof p.attest !== 'string' || p.attest.trim() === '')) {
    problems.push(['attest', 'must be an Sbom job, or the path of an SPDX JSON file in the workspace']);
  }
  problems.push(...credentialsProblems(p.credentials));
  return problems;
}
