// Commit statuses on GitHub (REST statuses API) and GitLab (commit status API): one per job,
// `kayci/<pipeline>/<job>`, and one for the Run, `kayci/<pipeline>`. A skipped job reports
// success ("skipped") on GitHub and `skipped` on GitLab, so no status stays pending.
import type { JobPhase, RunPhase } from '../api/v1alpha1/run.ts';
import { sendOk, type Send } from './http.ts';

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

/** Posts one status; throws FeedbackError with the provider's answer when refused. */
export async function postStatus(sendFn: Send, target: StatusTarget, status: CommitStatus): Promise<void> {
  const description = status.description.slice(0, 140);
  if (target.provider === 'github') {
    const [owner, name] = target.repo.split('/');
    await sendOk(sendFn, {
      method: 'POST',
      url: `${apiBase(target.apiUrl)}/repos/${encodeURIComponent(owner ?? '')}/${encodeURIComponent(name ?? '')}/statuses/${target.sha}`,
      headers: { Authorization: `Bearer ${target.token}`, Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28', 'User-Agent': 'kayci' },
      body: { state: githubState(status.phase), context: status.context, description, ...(status.targetUrl ? { target_url: status.targetUrl } : {}) },
    });
    return;
  }
  await sendOk(sendFn, {
    method: 'POST',
    url: `${apiBase(target.apiUrl)}/projects/${encodeURIComponent(target.repo)}/statuses/${target.sha}`,
    headers: { 'PRIVATE-TOKEN': target.token, 'User-Agent': 'kayci' },
    body: { state: gitlabState(status.phase), name: status.context, description, ...(target.ref ? { ref: target.ref } : {}), ...(status.targetUrl ? { target_url: status.targetUrl } : {}) },
  });
}
