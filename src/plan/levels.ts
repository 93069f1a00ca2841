// DAG levels for display (`kayci run --dry-run`): level 1 needs nothing, level k needs something
// at level k-1. Finally jobs are listed apart by callers.
import type { Graph } from './graph.ts';

/** Level of every job (1-based), by index; finally jobs get the level after all others. */
export function levels(graph: Graph): number[] {
  const level = new Array<number>(graph.jobs.length).fill(0);
  const pending = graph.waitsFor.map((w) => w.length);
  const queue: number[] = [];
  pending.forEach((p, i) => {
    if (p === 0) {
      level[i] = 1;
      queue.push(i);
    }
  });
  for (let q = 0; q < queue.length; q++) {
    const i = queue[q]!;
    for (const d of graph.dependents[i]!) {
      level[d] = Math.max(level[d]!, level[i]! + 1);
      if (--pending[d]! === 0) queue.push(d);
    }
  }
  return level;
}
