// GitLab notes and merge requests do not say what access the author has: ask the project's API
// (the Trigger's feedback URL and token, never the payload's) for the member's access level.
import { FeedbackError, sendOk, type Send } from '../../feedback/http.ts';
import type { TriggerObject } from '../context.ts';
import type { SecretReader } from './secrets.ts';

export const GITLAB_API = 'https://gitlab.com/api/v4';

export function gitlabAccessLevel(secrets: SecretReader, send: Send) {
  return async (trigger: TriggerObject, repo: string | undefined, userId: string | undefined): Promise<number | undefined> => {
    const feedback = trigger.spec.feedback;
    if (!feedback || !repo || !userId || !/^\d{1,12}$/.test(userId)) return undefined;
    const token = await secrets.value(trigger.metadata!.namespace!, feedback.tokenSecretRef);
    if (!token) return undefined;
    const base = (feedback.apiUrl ?? GITLAB_API).replace(/\/+$/, '');
    try {
      const body = await sendOk(send, { method: 'GET', url: `${base}/projects/${encodeURIComponent(repo)}/members/all/${userId}`, headers: { 'PRIVATE-TOKEN': token, 'User-Agent': 'kayci' } });
      const level = (JSON.parse(body) as { access_level?: unknown }).access_level;
      return typeof level === 'number' ? level : undefined;
    } catch (e) {
      // Not a member: no access at all.
      if (e instanceof FeedbackError && e.status === 404) return undefined;
      throw e;
    }
  };
}
