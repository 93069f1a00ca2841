// Checkout: the source a Run is about, in the workspace. In the cluster the workspace starts
// empty, so the job fetches exactly the commit the trigger named (shallow, detached); locally
// the project directory already is the checkout, so the job only reports what it holds.
import { Job } from '../../constructs/job.ts';
import type { Pipeline } from '../../constructs/pipeline.ts';
import type { SecretKey } from '../../constructs/secret.ts';
import { at, idAndProps, needsWorkspace, recipeJob, script, throwProblems, type Problem, type RecipeProps } from '../common.ts';
import { IMAGES } from '../images.ts';
import { TOOLS } from './shared.ts';

/** Props of Checkout. */
export interface CheckoutProps extends RecipeProps {
  /**
   * Also check out the repository's submodules (recursively, shallow).
   * @default false
   */
  readonly submodules?: boolean;
  /**
   * A token for a private repository over HTTPS, sent as HTTP basic auth (`tokenUser:token`) to
   * the repository's host only, never written into `.git/config`.
   * @default none: the repository is public, or the image's own git configuration reaches it
   */
  readonly token?: SecretKey;
  /**
   * The user name sent with `token`: `x-access-token` suits GitHub, `oauth2` GitLab.
   * @default 'x-access-token'
   */
  readonly tokenUser?: string;
  /**
   * How many commits of history to fetch, ending at the commit: 1 is just the commit.
   * @default 1
   */
  readonly depth?: number;
}

/**
 * Clones `$KAYCI_REPO_URL` at `$KAYCI_COMMIT_SHA` into the workspace, detached. In a local run
 * (`KAYCI_PROVIDER=local`) the working tree is used as it is. Result `commit`: the commit
 * checked out (`git rev-parse HEAD`).
 */
export class Checkout extends Job<'commit'> {
  constructor(scope: Pipeline, props?: CheckoutProps);
  constructor(scope: Pipeline, id: string, props?: CheckoutProps);
  constructor(scope: Pipeline, idOrProps?: string | CheckoutProps, maybeProps?: CheckoutProps) {
    const [id, props] = idAndProps(idOrProps, maybeProps, 'checkout');
    throwProblems(at(scope, id), checkoutProblems(props));
    super(scope, id, recipeJob(props, {
      image: IMAGES.git,
      tools: { git: TOOLS.git },
      results: ['commit'],
      env: props.token ? { GIT_TOKEN: props.token, GIT_TOKEN_USER: props.tokenUser ?? 'x-access-token' } : {},
      run: checkoutScript(props),
    }));
    needsWorkspace(this, 'checkout clones into the workspace for the jobs after it');
  }
}

function checkoutProblems(props: CheckoutProps): Problem[] {
  const problems: Problem[] = [];
  if (props.depth !== undefined && !(Number.isInteger(props.depth) && props.depth >= 1)) {
    problems.push(['depth', `must be a whole number of 1 or more (1 fetches just the commit), got ${props.depth}`]);
  }
  if (props.tokenUser !== undefined && !props.token) problems.push(['tokenUser', 'goes with token: set token too, or leave tokenUser out']);
  if (props.tokenUser !== undefined && !/^[^\s:]+$/.test(props.tokenUser)) problems.push(['tokenUser', `${JSON.stringify(props.tokenUser)} must be one word without ':'`]);
  return problems;
}

function checkoutScript(props: CheckoutProps): string {
  const depth = props.depth ?? 1;
  // Git reads GIT_CONFIG_COUNT/KEY_n/VALUE_n as command-line configuration: it applies to every
  // git command here (submodules too) and is never written to .git/config. safe.directory is
  // honoured from there, which a workspace owned by another user needs.
  const config: [string, string][] = [
    ['safe.directory', '"$PWD"'],
    ['advice.detachedHead', 'false'],
    ['init.defaultBranch', 'kayci'],
  ];
  // Scoped to the repository's origin, so a submodule on another host never sees the token.
  if (props.token) config.push(['"http.$origin.extraHeader"', '"Authorization: Basic $basic"']);
  return script(
    'if [ "${KAYCI_PROVIDER:-}" = local ]; then',
    '  if ! commit=$(git rev-parse HEAD 2>/dev/null); then',
    '    echo "kayci: $PWD is not a git checkout with a commit; a local run uses the working tree as it is" >&2',
    '    exit 1',
    '  fi',
    '  echo "local run: using the working tree in $PWD as it is, at $commit (uncommitted changes included)"',
    '  echo "commit=$commit" >> "$KAYCI_RESULTS_FILE"',
    '  exit 0',
    'fi',
    ': "${KAYCI_REPO_URL:?the Run names no repository (KAYCI_REPO_URL); was it created by a trigger?}"',
    ': "${KAYCI_COMMIT_SHA:?the Run names no commit (KAYCI_COMMIT_SHA); was it created by a trigger?}"',
    'export GIT_TERMINAL_PROMPT=0',
    props.token && [
      `origin=$(printf '%s\\n' "$KAYCI_REPO_URL" | sed -n 's#^\\(https\\{0,1\\}://[^/]*/\\).*#\\1#p')`,
      '[ -n "$origin" ] || { echo "kayci: token needs an http(s) repository URL, got $KAYCI_REPO_URL" >&2; exit 1; }',
      `basic=$(printf '%s:%s' "$GIT_TOKEN_USER" "$GIT_TOKEN" | base64 | tr -d '\\n')`,
    ],
    `export GIT_CONFIG_COUNT=${config.length}`,
    config.map(([key, value], i) => `export GIT_CONFIG_KEY_${i}=${key} GIT_CONFIG_VALUE_${i}=${value}`),
    'git init -q .',
    'git remote remove origin 2>/dev/null || true',
    'git remote add origin "$KAYCI_REPO_URL"',
    'echo "fetching $KAYCI_COMMIT_SHA from $KAYCI_REPO_URL"',
    // Servers that refuse a bare commit id (allowReachableSHA1InWant off) get a full fetch instead.
    `git fetch -q --no-tags --depth=${depth} origin "$KAYCI_COMMIT_SHA" || git fetch -q --no-tags origin`,
    'git checkout -q -f --detach "$KAYCI_COMMIT_SHA"',
    props.submodules && `git submodule update -q --init --recursive --depth=${depth}`,
    'commit=$(git rev-parse HEAD)',
    'echo "checked out $commit"',
    'echo "commit=$commit" >> "$KAYCI_RESULTS_FILE"',
  );
}

