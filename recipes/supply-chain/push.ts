// Push: an image tarball from the workspace to a registry, with crane. The tag is for people;
// what later jobs get is the reference by digest, and the job fails if the registry reports a
// different digest than the build made.
import type { EnvValue } from '../../constructs/container.ts';
import { Job } from '../../constructs/job.ts';
import type { Pipeline } from '../../constructs/pipeline.ts';
import { at, idAndProps, needsWorkspace, recipeJob, script, throwProblems, type Problem, type RecipeProps } from '../common.ts';
import { IMAGES } from '../images.ts';
import {
  credentialsEnv,
  credentialsProblems,
  credentialsScript,
  isBuiltImage,
  REGISTRY_HOST,
  REPOSITORY,
  TAG,
  TOOLS,
  type BuiltImage,
  type RegistryCredentials,
} from './shared.ts';

/** Props of Push. */
export interface PushProps extends RecipeProps {
  /**
   * The image to push: a `GoImage` or `CImage` job (its tarball, and its digest, which the registry
   * must report back), or the path of an image tarball in the workspace.
   */
  readonly source: BuiltImage | string;
  /** The registry host, e.g. `ghcr.io`, `registry.example.com:5000`, `127.0.0.1:5000`. */
  readonly registry: string;
  /** The repository in the registry, e.g. `acme/server`. */
  readonly repository: string;
  /**
   * The tag to push, for people; jobs refer to the image by digest. May hold
   * `$(KAYCI_PARAM_…)` and `$(KAYCI_…)` references.
   * @default the commit (`$KAYCI_COMMIT_SHA`), or `latest` when the Run names none
   */
  readonly tag?: string;
  /**
   * How to log in to the registry.
   * @default none: anonymous, or whatever Docker config the image carries
   */
  readonly credentials?: RegistryCredentials;
  /**
   * The registry speaks plain HTTP, or TLS with a certificate that cannot be verified (crane
   * `--insecure`). For a registry on loopback or in the cluster; never across a network you do
   * not control.
   * @default false
   */
  readonly insecure?: boolean;
}

/**
 * Pushes an image tarball to `<registry>/<repository>:<tag>`. Results: `digest` (`sha256:…`) and
 * `ref` (`<registry>/<repository>@sha256:…`, by digest), for `Sbom`, `Sign` and `Scan`.
 */
export class Push extends Job<'digest' | 'ref'> {
  constructor(scope: Pipeline, props: PushProps);
  constructor(scope: Pipeline, id: string, props: PushProps);
  constructor(scope: Pipeline, idOrProps: string | PushProps, maybeProps?: PushProps) {
    const [id, props] = idAndProps(idOrProps, maybeProps, 'push');
    throwProblems(at(scope, id), pushProblems(props));
    const env: Record<string, EnvValue> = {
      ...credentialsEnv(props.credentials),
      REGISTRY: props.registry,
      REPOSITORY: props.repository,
      ...(props.tag !== undefined ? { IMAGE_TAG: props.tag } : {}),
      ...(isBuiltImage(props.source)
        ? { IMAGE_TARBALL: props.source.results.tarball, IMAGE_DIGEST: props.source.results.digest }
        : { IMAGE_TARBALL: props.source }),
    };
    super(scope, id, recipeJob(props, {
      image: IMAGES.crane,
      tools: { crane: TOOLS.crane },
      results: ['digest', 'ref'],
      env,
      run: script(
        credentialsScript(props.credentials, '"$REGISTRY"'),
        '[ -f "$IMAGE_TARBALL" ] || { echo "kayci: the image tarball $IMAGE_TARBALL does not exist in $PWD" >&2; exit 1; }',
        'target="$REGISTRY/$REPOSITORY:${IMAGE_TAG:-${KAYCI_COMMIT_SHA:-latest}}"',
        `ref=$(crane push${props.insecure ? ' --insecure' : ''} "$IMAGE_TARBALL" "$target")`,
        'digest=${ref##*@}',
        'case "$digest" in sha256:*) ;; *) echo "kayci: crane push printed no reference by digest: $ref" >&2; exit 1 ;; esac',
        'if [ -n "${IMAGE_DIGEST:-}" ] && [ "$digest" != "$IMAGE_DIGEST" ]; then',
        '  echo "kayci: the registry reports $digest for $target, but the image built is $IMAGE_DIGEST" >&2',
        '  exit 1',
        'fi',
        'echo "pushed $target: $ref"',
        'echo "digest=$digest" >> "$KAYCI_RESULTS_FILE"',
        'echo "ref=$ref" >> "$KAYCI_RESULTS_FILE"',
      ),
    }));
    needsWorkspace(this, 'push reads the image tarball from the workspace');
  }
}

function pushProblems(props: PushProps): Problem[] {
  const problems: Problem[] = [];
  if (props.registry === undefined || props.registry === '') {
    problems.push(['registry', "is required: the registry host to push to, e.g. 'ghcr.io' or '127.0.0.1:5000'"]);
  } else if (typeof props.registry !== 'string' || !REGISTRY_HOST.test(props.registry)) {
    const [host, ...path] = String(props.registry).replace(/^[a-z]+:\/\//, '').split('/');
    const hint = path.length > 0 ? `: put the host in registry (${JSON.stringify(host)}) and the path in repository (${JSON.stringify(path.join('/'))})` : ', e.g. ghcr.io or 127.0.0.1:5000';
    problems.push(['registry', `${JSON.stringify(props.registry)} is not a registry host${hint}`]);
  }
  if (props.repository === undefined || props.repository === '') {
    problems.push(['repository', "is required: the repository in the registry, e.g. 'acme/server'"]);
  } else if (typeof props.repository !== 'string' || !REPOSITORY.test(props.repository)) {
    const hint = /[:@]/.test(String(props.repository)) ? ': put the tag in `tag`; the digest is what the push reports' : ': lowercase letters, digits, and . _ - separators, e.g. acme/server';
    problems.push(['repository', `${JSON.stringify(props.repository)} is not a repository${hint}`]);
  }
  if (props.tag !== undefined && !props.tag.includes('$(') && !TAG.test(props.tag)) {
    problems.push(['tag', `${JSON.stringify(props.tag)} is not a tag: up to 128 letters, digits, _ . -, not starting with . or -`]);
  }
  if (props.source === undefined || (typeof props.source === 'string' ? props.source.trim() === '' : !isBuiltImage(props.source))) {
    problems.push(['source', 'is required: a GoImage or CImage job, or the path of an image tarball in the workspace']);
  }
  problems.push(...credentialsProblems(props.credentials));
  return problems;
}
