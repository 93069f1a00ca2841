// GitHub deliveries (X-GitHub-Event): push (branches and tags), pull_request (opened,
// synchronize, reopened) and issue_comment on pull requests (commands). Everything else is
// answered and ignored, with the reason.
import { arr, capMetadata, changedFiles, isNumber, isSha, splitRef, str, type Delivery } from './delivery.ts';

const PR_ACTIONS = new Set(['opened', 'synchronize', 'reopened']);
const GITHUB_MAX_COMMITS = 2048;

export function githubDelivery(event: string | undefined, payload: unknown): Delivery {
  const repo = {
    repoUrl: str(payload, 'repository', 'clone_url'),
    repo: str(payload, 'repository', 'full_name'),
    actor: str(payload, 'sender', 'login'),
  };
  switch (event) {
    case 'ping':
      return { kind: 'ignore', reason: 'ping: the webhook reaches kayci' };
    case 'push': {
      if ((payload as { deleted?: unknown })?.deleted === true) return { kind: 'ignore', reason: 'push deleted a ref: nothing to build' };
      const ref = str(payload, 'ref');
      const { branch, tag } = splitRef(ref);
      if (!branch && !tag) return { kind: 'ignore', reason: `push to ${ref ?? 'an unknown ref'}, neither a branch nor a tag` };
      // GitHub lists at most 2048 commits: at the cap, the push's changed files are not all known.
      const commits = arr(payload, 'commits');
      const files = tag || commits.length >= GITHUB_MAX_COMMITS ? undefined : changedFiles(commits);
      const after = str(payload, 'after');
      if (!isSha(after)) return { kind: 'ignore', reason: 'push without a commit SHA (after)' };
      const metadata = capMetadata({ ...repo, provider: 'github', event: tag ? 'tag' : 'push', ref, branch, tag, commitSha: after, changedFiles: files });
      return { kind: 'build', event: tag ? 'tag' : 'push', metadata };
    }
    case 'pull_request': {
      const action = str(payload, 'action');
      if (!action || !PR_ACTIONS.has(action)) return { kind: 'ignore', reason: `pull_request ${action ?? '(no action)'}: only opened, synchronize and reopened run` };
      const number = str(payload, 'pull_request', 'number') ?? str(payload, 'number');
      const headSha = str(payload, 'pull_request', 'head', 'sha');
      if (!isNumber(number) || !isSha(headSha)) return { kind: 'ignore', reason: 'pull_request without a number or head commit SHA' };
      const headRepo = str(payload, 'pull_request', 'head', 'repo', 'full_name');
      const baseRepo = str(payload, 'pull_request', 'base', 'repo', 'full_name') ?? repo.repo;
      const pr = {
        number,
        headSha,
        headRef: str(payload, 'pull_request', 'head', 'ref') ?? '',
        baseRef: str(payload, 'pull_request', 'base', 'ref') ?? '',
        fromFork: headRepo === undefined || headRepo !== baseRepo,
        author: str(payload, 'pull_request', 'user', 'login') ?? '',
        association: str(payload, 'pull_request', 'author_association'),
      };
      const metadata = capMetadata({ ...repo, provider: 'github', event: 'pull_request', ref: `refs/pull/${number}/head`, branch: pr.headRef, commitSha: headSha, prNumber: number, prBaseRef: pr.baseRef });
      return { kind: 'build', event: 'pull_request', metadata, pr };
    }
    case 'issue_comment': {
      if (str(payload, 'action') !== 'created') return { kind: 'ignore', reason: `issue_comment ${str(payload, 'action') ?? ''}: only new comments are read` };
      if (typeof (payload as { issue?: { pull_request?: unknown } })?.issue?.pull_request !== 'object') return { kind: 'ignore', reason: 'a comment on an issue, not a pull request' };
      const prNumber = str(payload, 'issue', 'number');
      if (!isNumber(prNumber)) return { kind: 'ignore', reason: 'a comment without a pull request number' };
      return {
        kind: 'comment',
        body: (str(payload, 'comment', 'body') ?? '').slice(0, 65_536),
        author: str(payload, 'comment', 'user', 'login') ?? '',
        association: str(payload, 'comment', 'author_association'),
        prNumber,
        metadata: capMetadata({ ...repo, provider: 'github', event: 'comment', prNumber }),
      };
    }
    default:
      return { kind: 'ignore', reason: `event ${event ?? '(none)'} is not one kayci runs on (push, pull_request, issue_comment)` };
  }
}
