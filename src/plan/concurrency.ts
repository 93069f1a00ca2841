// Concurrency groups: Runs whose `concurrency.group` (expanded with their run-wide variables)
// is the same share its limits. Pure: the controller passes the group's unfinished Runs.
//   cancelInProgress: a newer Run supersedes every older one still going.
//   max: Runs are admitted in creation order; the rest wait, keeping their place.
import type { Concurrency } from '../api/v1alpha1/pipeline.ts';

export interface GroupMember {
  readonly name: string;
  /** RFC 3339, as the API server set it. */
  readonly creationTimestamp: string;
}

export type Admission =
  | { readonly kind: 'admit' }
  | { readonly kind: 'queue'; readonly ahead: number }
  | { readonly kind: 'supersede'; readonly by: string };

const byAge = (a: GroupMember, b: GroupMember) => a.creationTimestamp.localeCompare(b.creationTimestamp) || a.name.localeCompare(b.name);

/** What happens to `self` given every unfinished Run of its group (self included). */
export function admission(self: GroupMember, concurrency: Concurrency | undefined, group: readonly GroupMember[]): Admission {
  if (!concurrency) return { kind: 'admit' };
  const ordered = [...group].sort(byAge);
  if (!ordered.some((m) => m.name === self.name)) ordered.push(self);
  ordered.sort(byAge);
  const index = ordered.findIndex((m) => m.name === self.name);
  if (concurrency.cancelInProgress && index < ordered.length - 1) return { kind: 'supersede', by: ordered.at(-1)!.name };
  if (concurrency.max !== undefined && index >= concurrency.max) return { kind: 'queue', ahead: index - concurrency.max + 1 };
  return { kind: 'admit' };
}
