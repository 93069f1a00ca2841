// GitLab deliveries (X-Gitlab-Event): Push Hook, Tag Push Hook, Merge Request Hook (open,
// reopen, and update with new commits) and Note Hook on merge requests (commands).
import { arr, capMetadata, changedFiles, isNumber, isSha, splitRef, str, type Delivery } from './delivery.ts';

const ZERO = /^0+$/;

export function gitlabDelivery(event: string | undefined, payload: unknown): Delivery {
  const repo = {
    repoUrl: str(payload, 'project', 'git_http_url'),
    repo: str(payload, 'project', 'path_with_namespace'),
  };
  switch (event) {
    case 'Push Hook':
    case 'Tag Push Hook': {
      const after = str(payload, 'checkout_sha') ?? str(payload, 'after');
      if (!after || ZERO.test(after)) return { kind: 'ignore', reason: 'push deleted a ref: nothing to build' };
      if (!isSha(after)) return { kind: 'ignore', reason: 'push without a commit SHA (checkout_sha)' };
      const ref = str(payload, 'ref');
      const { branch, tag } = splitRef(ref);
      if (!branch && !tag) return { kind: 'ignore', reason: `push to ${ref ?? 'an unknown ref'}, neither a branch nor a tag` };
      // GitLab lists the newest 20 commits at most (total_commits_count has them all): the files
      // of a push listed in part are unknown, so that path filters never skip it wrongly.
      const commits = arr(payload, 'commits');
      const total = Number(str(payload, 'total_commits_count') ?? commits.length);
      const files = tag || !(total <= commits.length) ? undefined : changedFiles(commits);
      const metadata = capMetadata({ ...repo, provider: 'gitlab', event: tag ? 'tag' : 'push', ref, branch, tag, commitSha: after, actor: str(payload, 'user_username'), changedFiles: files });
      return { kind: 'build', event: tag ? 'tag' : 'push', metadata };
    }
    case 'Merge Request Hook': {
      const action = str(payload, 'object_attributes', 'action');
      const newCommits = action === 'update' && str(payload, 'object_attributes', 'oldrev') !== undefined;
      if (action !== 'open' && action !== 'reopen' && !newCommits) return { kind: 'ignore', reason: `merge request ${action ?? '(no action)'}: only open, reopen and new commits run` };
      const number = str(payload, 'object_attributes', 'iid');
      const headSha = str(payload, 'object_attributes', 'last_commit', 'id');
      if (!isNumber(number) || !isSha(headSha)) return { kind: 'ignore', reason: 'merge request without an iid or last commit SHA' };
      const source = str(payload, 'object_attributes', 'source_project_id');
      const target = str(payload, 'object_attributes', 'target_project_id');
      // Trust is about whose code it is: the merge request's author, not the event's user (a
      // Maintainer who rebases a fork's merge request from the UI has not vouched for its code).
      // The payload names the author only by id; the username is known when they are the user.
      const user = str(payload, 'user', 'username');
      const authorId = str(payload, 'object_attributes', 'author_id');
      const pr = {
        number,
        headSha,
        headRef: str(payload, 'object_attributes', 'source_branch') ?? '',
        baseRef: str(payload, 'object_attributes', 'target_branch') ?? '',
        fromFork: source === undefined || source !== target,
        author: authorId !== undefined && authorId === str(payload, 'user', 'id') ? (user ?? '') : '',
        authorId,
      };
      const metadata = capMetadata({ ...repo, provider: 'gitlab', event: 'pull_request', ref: `refs/merge-requests/${number}/head`, branch: pr.headRef, commitSha: headSha, prNumber: number, prBaseRef: pr.baseRef, actor: user });
      return { kind: 'build', event: 'pull_request', metadata, pr };
    }
    case 'Note Hook': {
      if (str(payload, 'object_attributes', 'noteable_type') !== 'MergeRequest') return { kind: 'ignore', reason: 'a note on something other than a merge request' };
      const prNumber = str(payload, 'merge_request', 'iid');
      if (!isNumber(prNumber)) return { kind: 'ignore', reason: 'a note without a merge request iid' };
      const author = str(payload, 'user', 'username') ?? '';
      return {
        kind: 'comment',
        body: (str(payload, 'object_attributes', 'note') ?? '').slice(0, 65_536),
        author,
        authorId: str(payload, 'user', 'id'),
        prNumber,
        metadata: capMetadata({ ...repo, provider: 'gitlab', event: 'comment', prNumber, actor: author }),
      };
    }
    default:
      return { kind: 'ignore', reason: `event ${event ?? '(none)'} is not one kayci runs on (Push Hook, Tag Push Hook, Merge Request Hook, Note Hook)` };
  }
}
