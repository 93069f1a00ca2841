// What the supply-chain recipes share: how one recipe's output reaches the next (typed results,
// never mutable tags), registry credentials (and how a helper step hands them to a tool image
// without a shell), the tools they call, and the checks of image references, registries and
// credentials. What every recipe shares (constructor shape, prop checks, output directory,
// quoting, scripts) is in ../common.ts.
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import type { EnvValue, StepProps } from '../../constructs/container.ts';
import type { ResultRef } from '../../constructs/result.ts';
import type { SecretKey } from '../../constructs/secret.ts';
import { script, type Problem, type Tools } from '../common.ts';
import { IMAGES } from '../images.ts';

/** An image built into a tarball in the workspace: a `GoImage` or `CImage` job. */
export interface BuiltImage {
  /** The tarball's path in the workspace, and the `sha256:…` digest of its manifest. */
  readonly results: { readonly tarball: ResultRef; readonly digest: ResultRef };
}

/** An image in a registry, referred to by digest: a `Push` job. */
export interface PushedImage {
  /** `registry/repository@sha256:…`, and the digest alone. */
  readonly results: { readonly ref: ResultRef; readonly digest: ResultRef };
}

/** SBOM files in the workspace: an `Sbom` job. */
export interface SbomFiles {
  /** The paths of the SPDX and CycloneDX JSON files in the workspace. */
  readonly results: { readonly spdx: ResultRef; readonly cyclonedx: ResultRef };
}

/**
 * How to log in to a registry: a Secret key holding a Docker config JSON (`~/.docker/config.json`,
 * the `.dockerconfigjson` key of a `kubernetes.io/dockerconfigjson` Secret), or a user name and a
 * password (or token). Values never appear in YAML; jobs read them from the Secret.
 */
export type RegistryCredentials =
  | { readonly dockerConfig: SecretKey }
  | { readonly username: string | SecretKey; readonly password: SecretKey };

/** How to install each tool the recipes call, for the message a local run gives when one is missing. */
export const TOOLS = {
  git: 'apt-get install git (or brew install git)',
  crane: 'go install github.com/google/go-containerregistry/cmd/crane@v0.20.6',
  ko: 'go install github.com/google/ko@v0.18.0',
  go: 'https://go.dev/doc/install',
  syft: 'go install github.com/anchore/syft/cmd/syft@v1.33.0',
  cosign: 'go install github.com/sigstore/cosign/v2/cmd/cosign@v2.6.1',
  grype: 'see https://github.com/anchore/grype#installation',
  trivy: 'see https://trivy.dev/latest/getting-started/installation/',
} as const satisfies Tools;

/** `name@sha256:<64 hex>`, optionally with a tag before the digest. */
const DIGEST_REF = /^[^\s@]+@sha256:[0-9a-f]{64}$/;

/** A value that a Kubernetes variable reference fills in when the job starts. */
function isReference(text: string): boolean {
  return /\$\([A-Za-z_][A-Za-z0-9_]*\)/.test(text);
}

export function isPushedImage(x: unknown): x is PushedImage {
  return hasResults(x, 'ref', 'digest');
}

export function isBuiltImage(x: unknown): x is BuiltImage {
  return hasResults(x, 'tarball', 'digest');
}

export function isSbomFiles(x: unknown): x is SbomFiles {
  return hasResults(x, 'spdx', 'cyclonedx');
}

// By shape, not `instanceof`: a pipeline bundle may hold its own copy of the construct classes.
function hasResults(x: unknown, ...names: string[]): boolean {
  const results = (x as { results?: unknown } | null)?.results;
  return typeof results === 'object' && results !== null && names.every((n) => isResultRef((results as Record<string, unknown>)[n]));
}

export function isResultRef(x: unknown): x is ResultRef {
  const r = x as Partial<ResultRef> | null;
  return typeof r === 'object' && r !== null && typeof r.variable === 'string' && typeof r.job === 'string' && typeof r.name === 'string';
}

export function isSecretKey(x: unknown): x is SecretKey {
  const k = x as Partial<SecretKey> | null;
  return typeof k === 'object' && k !== null && typeof k.secret === 'string' && typeof k.key === 'string' && 'valueFrom' in k;
}

/**
 * The env value that carries an image reference by digest, or the problem with it. A literal
 * reference must be by digest: a tag can be moved to other content between jobs.
 */
export function digestRef(prop: string, image: PushedImage | string): { value: EnvValue } | { problem: Problem } {
  if (typeof image !== 'string') {
    if (isPushedImage(image)) return { value: image.results.ref };
    return { problem: [prop, 'must be a Push job or an image reference by digest (`registry/repository@sha256:<digest>`)'] };
  }
  if (DIGEST_REF.test(image) || isReference(image)) return { value: image };
  const bare = image.replace(/@.*$/, '');
  return {
    problem: [prop, `${JSON.stringify(image)} is ${image.includes('@') ? 'not a valid digest reference' : 'a tag, not a digest'}: a tag can point at other content by the time this job runs. Pass the Push job (\`${prop}: push\`), whose \`ref\` result is by digest, or \`${bare}@sha256:<digest>\` (e.g. from \`crane digest ${bare}\`)`],
  };
}

/** Shell lines that fail the job when `$var` is not a reference by digest: checked again when the value arrives. */
export function requireDigest(variable: string): string[] {
  return [
    `if ! printf '%s\\n' "$${variable}" | grep -Eq '@sha256:[0-9a-f]{64}$'; then`,
    `  echo "kayci: ${variable}=$${variable} is not an image reference by digest (name@sha256:<64 hex digits>)" >&2`,
    '  exit 1',
    'fi',
  ];
}

/** Env entries for registry credentials. */
export function credentialsEnv(credentials: RegistryCredentials | undefined): Record<string, EnvValue> {
  if (!credentials) return {};
  if ('dockerConfig' in credentials) return { REGISTRY_DOCKER_CONFIG: credentials.dockerConfig };
  return { REGISTRY_USERNAME: credentials.username, REGISTRY_PASSWORD: credentials.password };
}

/**
 * Shell lines that write a Docker config for `credentials` into a private temporary directory and
 * point DOCKER_CONFIG at it (crane, cosign, syft, grype and ko all read it), removed when the
 * script exits. `hostExpr` is a shell expression for the registry host, e.g. `"$REGISTRY"`.
 */
export function credentialsScript(credentials: RegistryCredentials | undefined, hostExpr: string): string[] {
  if (!credentials) return [];
  return ['umask 077', 'DOCKER_CONFIG=$(mktemp -d)', 'export DOCKER_CONFIG', `trap 'rm -rf "$DOCKER_CONFIG"' EXIT`, ...configLines(credentials, hostExpr)];
}

/** Shell lines that write "$DOCKER_CONFIG/config.json" for `credentials`. */
function configLines(credentials: RegistryCredentials, hostExpr: string): string[] {
  if ('dockerConfig' in credentials) return [`printf '%s\\n' "$REGISTRY_DOCKER_CONFIG" > "$DOCKER_CONFIG/config.json"`];
  return [
    `registry_host=${hostExpr}`,
    // Docker Hub's credentials are filed under its v1 URL, whatever name the image uses.
    'case "$registry_host" in docker.io|index.docker.io|registry-1.docker.io) registry_host=https://index.docker.io/v1/ ;; esac',
    `registry_auth=$(printf '%s:%s' "$REGISTRY_USERNAME" "$REGISTRY_PASSWORD" | base64 | tr -d '\\n')`,
    `printf '{"auths":{"%s":{"auth":"%s"}}}\\n' "$registry_host" "$registry_auth" > "$DOCKER_CONFIG/config.json"`,
  ];
}

/** Where a prepare step leaves the Docker config for the tool's step: an emptyDir of the pod. */
export const DOCKER_CONFIG_DIR = '/kayci/docker-config';
const DOCKER_CONFIG_VOLUME = 'kayci-docker-config';

/** What the steps that write or read a Docker config in DOCKER_CONFIG_DIR mount, and their env. */
export interface DockerConfigMount {
  /** The pod's emptyDir. */
  readonly volume: IVolume;
  /** What each step that writes or reads the config adds: DOCKER_CONFIG, and the mount. */
  readonly step: { readonly env: Record<string, EnvValue>; readonly volumeMounts: IVolumeMount[] };
}

/**
 * The emptyDir and mount that carry a Docker config from a prepare step to the tool's step, or
 * undefined without credentials (the tool then reads whatever Docker config its image carries).
 * Locally the emptyDir is a directory of the run, and DOCKER_CONFIG is rewritten to it.
 */
export function dockerConfigMount(credentials: RegistryCredentials | undefined): DockerConfigMount | undefined {
  if (!credentials) return undefined;
  return {
    volume: { name: DOCKER_CONFIG_VOLUME, emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
    step: { env: { DOCKER_CONFIG: DOCKER_CONFIG_DIR }, volumeMounts: [{ name: DOCKER_CONFIG_VOLUME, mountPath: DOCKER_CONFIG_DIR }] },
  };
}

/**
 * Shell lines for a prepare step that write the Docker config for `credentials` into
 * "$DOCKER_CONFIG" (the emptyDir of `dockerConfigMount`), for the tool's step to read.
 */
export function writeDockerConfig(credentials: RegistryCredentials | undefined, hostExpr: string): string[] {
  if (!credentials) return [];
  return [
    // The tool's step may run as another user than this one (cosign's image is nonroot), so in
    // the cluster the file is readable by every container of the pod, and by nothing else: the
    // emptyDir is the pod's own, as a Secret volume's files are (mode 0644 there too). Locally
    // every step runs as this user, and the directory outlives the job.
    'if [ "${KAYCI_PROVIDER:-}" = local ]; then umask 077; else umask 022; fi',
    'mkdir -p "$DOCKER_CONFIG"',
    ...configLines(credentials, hostExpr),
  ];
}

/** A helper step: a script in the crane image, whose busybox has the shell the tool images lack. */
export function shellStep(name: string, lines: Parameters<typeof script>, more: Omit<StepProps, 'name' | 'run' | 'image'> = {}): StepProps {
  return { name, image: IMAGES.crane, run: script(...lines), ...more };
}

/** Problems with credentials that can never work. */
export function credentialsProblems(credentials: RegistryCredentials | undefined): Problem[] {
  if (credentials === undefined) return [];
  if (typeof credentials !== 'object' || credentials === null || (!('dockerConfig' in credentials) && !('password' in credentials))) {
    return [['credentials', 'must be `{ dockerConfig: Secret.fromName(…).key(\'.dockerconfigjson\') }` or `{ username, password: Secret.fromName(…).key(…) }`']];
  }
  if ('password' in credentials && (credentials.username === undefined || credentials.username === '')) {
    return [['credentials.username', 'is required with a password: the registry user name (a string or a Secret key)']];
  }
  return [];
}

/** A registry host: `ghcr.io`, `registry.example.com:5000`, `127.0.0.1:5000`, `localhost:5000`. */
export const REGISTRY_HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]{1,5})?$|^\[[0-9a-fA-F:]+\](?::[0-9]{1,5})?$/;

/** A repository path: lowercase components separated by `/`, as the distribution spec allows. */
export const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/** A tag. */
export const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** An image name with an optional tag: `repository[:tag]` with an optional registry host. */
export function imageNameProblem(name: string): string | undefined {
  const at = name.lastIndexOf(':');
  const slash = name.lastIndexOf('/');
  const [repo, tag] = at > slash ? [name.slice(0, at), name.slice(at + 1)] : [name, undefined];
  const parts = repo.split('/');
  const host = parts.length > 1 && /[.:]|^localhost$/.test(parts[0]!) ? parts.shift()! : undefined;
  if (host !== undefined && !REGISTRY_HOST.test(host)) return `${JSON.stringify(host)} is not a registry host`;
  if (!REPOSITORY.test(parts.join('/'))) return `${JSON.stringify(name)} is not an image name: lowercase letters, digits and separators (e.g. kayci.local/server:latest)`;
  if (tag !== undefined && !TAG.test(tag)) return `${JSON.stringify(tag)} is not a valid tag`;
  return undefined;
}

/** An OCI platform, `os/arch[/variant]`. */
export const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/;
