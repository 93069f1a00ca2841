// What a verified webhook delivery asks for, independent of who sent it: build a commit (push,
// tag, pull request), act on a comment, or nothing (with the reason). Metadata comes from a fixed
// list of payload fields, each capped to the Run schema's limits; nothing else of the payload is
// kept, and no URL in it is ever requested.
import type { RunMetadata } from '../api/v1alpha1/run.ts';

export interface PullRequest {
  readonly number: string;
  readonly headSha: string;
  readonly headRef: string;
  readonly baseRef: string;
  /** The head branch lives in another repository. */
  readonly fromFork: boolean;
  readonly author: string;
  /** GitLab's numeric user id of the author (for the access-level lookup). */
  readonly authorId?: string;
  /** GitHub's author_association of the pull request's author. */
  readonly association?: string;
}

export type Delivery =
  | { readonly kind: 'ignore'; readonly reason: string }
  | { readonly kind: 'build'; readonly event: 'push' | 'tag' | 'pull_request'; readonly metadata: RunMetadata; readonly pr?: PullRequest }
  | { readonly kind: 'comment'; readonly body: string; readonly author: string; readonly authorId?: string; readonly association?: string; readonly prNumber: string; readonly metadata: RunMetadata };

/** Reads a string at `path` from untrusted JSON; undefined for anything else. */
export function str(obj: unknown, ...path: string[]): string | undefined {
  let at: unknown = obj;
  for (const p of path) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, p)) return undefined;
    at = (at as Record<string, unknown>)[p];
  }
  if (typeof at === 'string') return at;
  if (typeof at === 'number' && Number.isFinite(at)) return String(at);
  return undefined;
}

export function arr(obj: unknown, ...path: string[]): unknown[] {
  let at: unknown = obj;
  for (const p of path) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, p)) return [];
    at = (at as Record<string, unknown>)[p];
  }
  return Array.isArray(at) ? at : [];
}

const LIMITS: Record<string, number> = { trigger: 253, event: 64, repoUrl: 2048, repo: 512, ref: 1024, branch: 1024, tag: 1024, prBaseRef: 1024, actor: 256 };
const SHA = /^[0-9a-f]{7,64}$/;
const NUMBER = /^[0-9]{1,12}$/;
export const MAX_CHANGED_FILES = 3000;
/** The changed files' share of a Run: beyond it, they are unknown (a Run must fit in 1.5 MiB with its snapshot). */
export const MAX_CHANGED_FILES_BYTES = 256 * 1024;

/** A commit SHA as the Run schema takes it: what is built must be named exactly. */
export function isSha(v: string | undefined): v is string {
  return v !== undefined && SHA.test(v);
}

/** A pull or merge request number as the Run schema (and a label value) takes it. */
export function isNumber(v: string | undefined): v is string {
  return v !== undefined && NUMBER.test(v);
}

/** Drops what does not fit the Run schema: too long, not a SHA, not a number, control characters. */
export function capMetadata(m: RunMetadata): RunMetadata {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m)) {
    if (v === undefined) continue;
    if (k === 'changedFiles') {
      const files = [...new Set((v as string[]).filter((f) => typeof f === 'string' && f.length > 0 && f.length <= 1024))];
      // Too many to list: unknown, so path filters do not wrongly skip the Run.
      if (files.length <= MAX_CHANGED_FILES && Buffer.byteLength(JSON.stringify(files)) <= MAX_CHANGED_FILES_BYTES) out.changedFiles = files;
      continue;
    }
    if (typeof v !== 'string' || v === '' || /[\u0000-\u001f\u007f]/.test(v)) continue;
    if (k === 'commitSha' && !SHA.test(v)) continue;
    if (k === 'prNumber' && !NUMBER.test(v)) continue;
    const limit = LIMITS[k];
    out[k] = limit !== undefined && v.length > limit ? v.slice(0, limit) : v;
  }
  return out as RunMetadata;
}

/** Files added, modified or removed by the pushed commits. */
export function changedFiles(commits: unknown[]): string[] {
  const files: string[] = [];
  for (const c of commits) for (const kind of ['added', 'modified', 'removed']) for (const f of arr(c, kind)) if (typeof f === 'string') files.push(f);
  return files;
}

/** `refs/heads/main` → { branch: 'main' }; `refs/tags/v1` → { tag: 'v1' }. */
export function splitRef(ref: string | undefined): { branch?: string; tag?: string } {
  if (ref?.startsWith('refs/heads/')) return { branch: ref.slice('refs/heads/'.length) };
  if (ref?.startsWith('refs/tags/')) return { tag: ref.slice('refs/tags/'.length) };
  return {};
}
