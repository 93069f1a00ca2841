// `when` filters evaluated against a Run's metadata. A job that does not pass is skipped with
// the reason, before anything runs.
import type { When } from '../api/v1alpha1/pipeline.ts';
import type { RunMetadata } from '../api/v1alpha1/run.ts';
import { matchesAny } from './glob.ts';

export interface FilterMiss {
  readonly reason: 'FilteredOut';
  readonly message: string;
}

export function filterMiss(when: When | undefined, metadata: RunMetadata): FilterMiss | undefined {
  if (!when) return undefined;
  if (when.branches && when.branches.length > 0) {
    const branch = metadata.branch;
    if (branch === undefined || !matchesAny(branch, when.branches)) {
      return { reason: 'FilteredOut', message: `branch ${branch === undefined ? '(none)' : JSON.stringify(branch)} matches none of ${when.branches.join(', ')}` };
    }
  }
  if (when.events && when.events.length > 0) {
    const event = metadata.event;
    if (event === undefined || !when.events.includes(event)) {
      return { reason: 'FilteredOut', message: `event ${event === undefined ? '(none)' : JSON.stringify(event)} is not one of ${when.events.join(', ')}` };
    }
  }
  if (when.paths && when.paths.length > 0 && metadata.changedFiles !== undefined) {
    if (!metadata.changedFiles.some((f) => matchesAny(f, when.paths!))) {
      return { reason: 'FilteredOut', message: `no changed file matches ${when.paths.join(', ')}` };
    }
  }
  return undefined;
}
