// Commit statuses on GitHub (REST statuses API) and GitLab (commit status API): one per job,
// `kayci/<pipeline>/<job>`, and one for the Run, `kayci/<pipeline>`. A skipped job reports
// success ("skipped") on GitHub and `skipped` on GitLab, so no status stays pending.
import type { JobPhase, RunPhase } from '../api/v1alpha1/run.ts';
import { sendOk, type OutgoingRequest, type Send } from './http.ts';

export interface CommitStatus {
  /** `kayci/<pipeline>` or `kayci/<pipeline>/<job>`. */
  readonly context: string;
  readonly phase: JobPhase | RunPhase;
  readonly description: string;
  readonly targetUrl?: string;
}

export interface StatusTarget {
  readonly provider: 'github' | 'gitlab';
  /** API base URL from the Trigger, e.g. https://api.github.com or https://gitlab.example.com/api/v4. */
  readonly apiUrl: string;
  readonly token: string;
  /** `owner/name` (GitHub) or the project path (GitLab). */
  readonly repo: string;
  readonly sha: string;
  /** GitLab: the ref the pipeline ran for. */
  readonly ref?: string;
}

const GITHUB: Record<string, 'pending' | 'success' | 'failure' | 'error'> = {
  Pending: 'pending', Running: 'pending', Succeeded: 'success', Failed: 'failure', Cancelled: 'error', Skipped: 'success',
};
const GITLAB: Record<string, 'pending' | 'running' | 'success' | 'failed' | 'canceled' | 'skipped'> = {
  Pending: 'pending', Running: 'running', Succeeded: 'success', Failed: 'failed', Cancelled: 'canceled', Skipped: 'skipped',
};

export function githubState(phase: string): string {
  return GITHUB[phase] ?? 'pending';
}

export function gitlabState(phase: string): string {
  return GITLAB[phase] ?? 'pending';
}

function apiBase(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Cut to `max` characters, marking the cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

// GitHub refuses descriptions over 140 characters; GitLab documents 255 for description,
// target_url and ref.
const GITHUB_DESCRIPTION = 140;
const GITLAB_FIELD = 255;

/** The request that sets one status. `repo` and `sha` must have been checked (see target.ts). */
export function statusRequest(target: StatusTarget, status: CommitStatus): OutgoingRequest {
  if (target.provider === 'github') {
    const [owner, name] = target.repo.split('/');
    return {
      method: 'POST',
      url: `${apiBase(target.apiUrl)}/repos/${encodeURIComponent(owner ?? '')}/${encodeURIComponent(name ?? '')}/statuses/${encodeURIComponent(target.sha)}`,
      headers: { Authorization: `Bearer ${target.token}`, Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28', 'User-Agent': 'kayci' },
      body: { state: githubState(status.phase), context: status.context, description: clip(status.description, GITHUB_DESCRIPTION), ...(status.targetUrl ? { target_url: status.targetUrl } : {}) },
    };
  }
  // A link or ref GitLab would refuse is left out rather than losing the whole status.
  const targetUrl = status.targetUrl && status.targetUrl.length <= GITLAB_FIELD ? status.targetUrl : undefined;
  const ref = target.ref && target.ref.length <= GITLAB_FIELD ? target.ref : undefined;
  return {
    method: 'POST',
    url: `${apiBase(target.apiUrl)}/projects/${encodeURIComponent(target.repo)}/statuses/${encodeURIComponent(target.sha)}`,
    headers: { 'PRIVATE-TOKEN': target.token, 'User-Agent': 'kayci' },
    body: { state: gitlabState(status.phase), name: status.context, description: clip(status.description, GITLAB_FIELD), ...(ref ? { ref } : {}), ...(targetUrl ? { target_url: targetUrl } : {}) },
  };
}

/** Posts one status; throws FeedbackError with the provider's answer when refused. */
export async function postStatus(sendFn: Send, target: StatusTarget, status: CommitStatus): Promise<void> {
  await sendOk(sendFn, statusRequest(target, status));
}
