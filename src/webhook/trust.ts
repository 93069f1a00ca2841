// Who is trusted to run comment commands, and whose fork pull requests run without approval:
// a user on the allow list, a GitHub author association in the list, or (GitLab) an access
// level at or above the minimum — looked up by the caller, never read from the payload.
import type { Trust } from '../api/v1alpha1/trigger.ts';

export const DEFAULT_ASSOCIATIONS: readonly string[] = ['OWNER', 'MEMBER', 'COLLABORATOR'];
export const DEFAULT_MIN_ACCESS_LEVEL = 30;

export interface Person {
  readonly login: string;
  /** GitHub's author_association for this comment or pull request. */
  readonly association?: string;
  /** GitLab access level in the project, when it was looked up. */
  readonly accessLevel?: number;
}

export function isTrusted(trust: Trust | undefined, person: Person): boolean {
  if (person.login !== '' && (trust?.users ?? []).includes(person.login)) return true;
  if (person.association !== undefined && (trust?.associations ?? DEFAULT_ASSOCIATIONS).includes(person.association)) return true;
  if (person.accessLevel !== undefined && person.accessLevel >= (trust?.minAccessLevel ?? DEFAULT_MIN_ACCESS_LEVEL)) return true;
  return false;
}
