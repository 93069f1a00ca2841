// Retention: which finished Runs of a Pipeline to delete — beyond the newest N succeeded and N
// failed (cancelled counts as failed), and any finished longer ago than the TTL — and when to
// look again. Pure.
import type { Retention } from '../api/v1alpha1/pipeline.ts';
import type { RunPhase } from '../api/v1alpha1/run.ts';

export const DEFAULT_RETENTION = { succeeded: 10, failed: 20 } as const;

export interface FinishedRun {
  readonly name: string;
  readonly phase: RunPhase;
  readonly completionTime: string;
}

export interface RetentionPlan {
  readonly delete: string[];
  /** Milliseconds until the next Run's TTL expires, if any. */
  readonly recheckInMs?: number;
}

export function retentionPlan(runs: readonly FinishedRun[], retention: Retention | undefined, nowMs: number): RetentionPlan {
  const keepSucceeded = retention?.succeeded ?? DEFAULT_RETENTION.succeeded;
  const keepFailed = retention?.failed ?? DEFAULT_RETENTION.failed;
  const ttlMs = retention?.ttlSecondsAfterFinished === undefined ? undefined : retention.ttlSecondsAfterFinished * 1000;
  // By instant, not by text: `…:05Z` and `…:05.500Z` are both RFC 3339 and sort the wrong way round as strings.
  const at = new Map(runs.map((r) => [r.name, Date.parse(r.completionTime)]));
  const newestFirst = [...runs].sort((a, b) => at.get(b.name)! - at.get(a.name)! || a.name.localeCompare(b.name));
  const toDelete = new Set<string>();
  newestFirst.filter((r) => r.phase === 'Succeeded').slice(keepSucceeded).forEach((r) => toDelete.add(r.name));
  newestFirst.filter((r) => r.phase === 'Failed' || r.phase === 'Cancelled').slice(keepFailed).forEach((r) => toDelete.add(r.name));
  let recheckInMs: number | undefined;
  if (ttlMs !== undefined) {
    for (const r of newestFirst) {
      if (toDelete.has(r.name)) continue;
      const left = at.get(r.name)! + ttlMs - nowMs;
      if (Number.isNaN(left)) continue; // no readable completion time: the TTL cannot say
      if (left <= 0) toDelete.add(r.name);
      else recheckInMs = Math.min(recheckInMs ?? left, left);
    }
  }
  return { delete: newestFirst.filter((r) => toDelete.has(r.name)).map((r) => r.name), recheckInMs };
}
