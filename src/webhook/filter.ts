// A Trigger's own filters, applied to a delivery before any Run exists: which events it takes,
// which branches (a pull request's base branch), which changed paths. Pure.
import type { RunMetadata } from '../api/v1alpha1/run.ts';
import type { Webhook } from '../api/v1alpha1/trigger.ts';
import { globToRegExp } from '../plan/glob.ts';

const ALL_EVENTS: NonNullable<Webhook['events']> = ['push', 'tag', 'pull_request', 'comment'];

/** Why the Trigger does not take this delivery, or undefined when it does. */
export function webhookFilterMiss(webhook: Webhook, event: 'push' | 'tag' | 'pull_request' | 'comment', metadata: RunMetadata): string | undefined {
  const events = webhook.events && webhook.events.length > 0 ? webhook.events : ALL_EVENTS;
  if (!events.includes(event)) return `the Trigger takes ${events.join(', ')} events, not ${event}`;
  // Branch filters are about branches: a tag passes them.
  const branch = event === 'pull_request' ? metadata.prBaseRef : metadata.branch;
  if (event !== 'tag' && webhook.branches && webhook.branches.length > 0) {
    if (branch === undefined || !webhook.branches.some((b) => globToRegExp(b).test(branch))) {
      return `branch ${branch ?? '(none)'} matches none of the Trigger's branches (${webhook.branches.join(', ')})`;
    }
  }
  // Unknown changed files (a pull request, or a push too large to list) never skip.
  if (webhook.paths && webhook.paths.length > 0 && metadata.changedFiles !== undefined) {
    const patterns = webhook.paths.map(globToRegExp);
    if (!metadata.changedFiles.some((f) => patterns.some((p) => p.test(f)))) return `no changed file matches the Trigger's paths (${webhook.paths.join(', ')})`;
  }
  return undefined;
}
