// Where a Run's statuses go. The API address comes from the Trigger (or the provider's public
// default), never from the Run's metadata or a webhook payload: the repository and the commit
// taken from a payload are used only as path components, checked for shape and percent-encoded.
import type { Run } from '../api/v1alpha1/run.ts';
import type { Trigger } from '../api/v1alpha1/trigger.ts';

export const DEFAULT_API = { github: 'https://api.github.com', gitlab: 'https://gitlab.com/api/v4' } as const;

/** A StatusTarget without its token, which is read from the Secret when sending. */
export interface Destination {
  readonly provider: 'github' | 'gitlab';
  readonly apiUrl: string;
  readonly repo: string;
  readonly sha: string;
  readonly ref?: string;
}

export type DestinationResult = { readonly ok: true; readonly destination: Destination } | { readonly ok: false; readonly reason: string };

const SEGMENT = /^[A-Za-z0-9_.][A-Za-z0-9_.-]*$/;
const SHA = /^[0-9a-fA-F]{7,64}$/;

function segmentOk(s: string): boolean {
  return SEGMENT.test(s) && s !== '.' && s !== '..' && s.length <= 255;
}

/** `owner/name`, each a plain path segment. */
export function isGithubRepo(repo: string): boolean {
  const parts = repo.split('/');
  return parts.length === 2 && parts.every(segmentOk);
}

/** A GitLab project path (`group/subgroup/project`) or a numeric project ID. */
export function isGitlabProject(repo: string): boolean {
  if (/^\d{1,12}$/.test(repo)) return true;
  const parts = repo.split('/');
  return parts.length >= 2 && parts.length <= 21 && parts.every(segmentOk);
}

function httpUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

/**
 * Where this Run's statuses go; undefined when the Run has none to report (no feedback on its
 * Trigger, or no repository or commit in its metadata), a reason when they cannot be reported.
 */
export function destinationOf(run: Run, trigger: Trigger): DestinationResult | undefined {
  const feedback = trigger.spec.feedback;
  const md = run.spec.metadata;
  if (!feedback || !md?.repo || !md.commitSha) return undefined;
  const webhookProvider = trigger.spec.webhook?.provider;
  const provider = feedback.provider ?? (webhookProvider === 'github' || webhookProvider === 'gitlab' ? webhookProvider : undefined);
  if (!provider) return { ok: false, reason: 'feedback.provider is not set and the webhook is neither github nor gitlab' };
  const apiUrl = feedback.apiUrl ?? DEFAULT_API[provider];
  if (!httpUrl(apiUrl)) return { ok: false, reason: 'feedback.apiUrl is not an http(s) URL' };
  if (!SHA.test(md.commitSha)) return { ok: false, reason: 'the commit SHA is not hexadecimal' };
  if (provider === 'github' && !isGithubRepo(md.repo)) return { ok: false, reason: `the repository ${JSON.stringify(md.repo.slice(0, 100))} is not owner/name` };
  if (provider === 'gitlab' && !isGitlabProject(md.repo)) return { ok: false, reason: `the project ${JSON.stringify(md.repo.slice(0, 100))} is not a project path` };
  // GitLab's `ref` is a branch or tag name.
  const ref = provider === 'gitlab' ? (md.branch ?? md.tag ?? md.ref?.replace(/^refs\/(heads|tags)\//, '')) : undefined;
  return { ok: true, destination: { provider, apiUrl, repo: md.repo, sha: md.commitSha, ...(ref ? { ref } : {}) } };
}
