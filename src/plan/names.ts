// Deterministic Kubernetes names for what a Run creates: never generateName, so the controller
// finds its objects again after a restart and a retried create is an AlreadyExists, not a twin.
import { createHash } from 'node:crypto';

const MAX = 63;

/** `<a>-<b>-…` as a DNS label; when too long, shortened with a hash of the full name. */
export function joinName(...parts: string[]): string {
  const full = parts.join('-');
  if (full.length <= MAX) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, MAX - hash.length - 1).replace(/[-.]+$/, '')}-${hash}`;
}

/**
 * Name of the Kubernetes Job that executes `job` of `run`: `<run>-<job>-<hash>`. The hash of the
 * pair is always there because the join alone is ambiguous (run `app-1` + job `lint-x` and run
 * `app-1-lint` + job `x`), and a twin name would let one Run adopt another's Job.
 */
export function jobObjectName(run: string, job: string): string {
  return hashedName(`${run}-${job}`, `${run}\n${job}`);
}

/**
 * Name of the Job that runs notify job `notify` of `run` for `phase`: reads
 * `<run>-notify-<notify>-<phase>-<hash>`, but is hashed apart from jobObjectName, since a job may
 * well be called `notify-<notify>-<phase>` itself.
 */
export function notifyJobObjectName(run: string, notify: string, phase: string): string {
  return hashedName(`${run}-notify-${notify}-${phase.toLowerCase()}`, `${run}\n${notify}\n${phase}`);
}

/**
 * A DNS label, not just a subdomain: a Job's name becomes its pods' hostnames, so the dots a Run
 * name may have turn into dashes (the hash of the unchanged key keeps `a.b` and `a-b` apart).
 */
function hashedName(readable: string, key: string): string {
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 8);
  return `${readable.replace(/\./g, '-').slice(0, MAX - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}

/** Name of the per-run ConfigMap holding the run-wide KAYCI_* variables. */
export function runConfigMapName(run: string): string {
  return joinName(run, 'env');
}

/** Name of the per-run workspace PersistentVolumeClaim. */
export function workspaceClaimName(run: string): string {
  return joinName(run, 'workspace');
}
