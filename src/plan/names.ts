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

/** Name of the Kubernetes Job that executes `job` of `run`. */
export function jobObjectName(run: string, job: string): string {
  return joinName(run, job);
}

/** Name of the per-run ConfigMap holding the run-wide KAYCI_* variables. */
export function runConfigMapName(run: string): string {
  return joinName(run, 'env');
}

/** Name of the per-run workspace PersistentVolumeClaim. */
export function workspaceClaimName(run: string): string {
  return joinName(run, 'workspace');
}
