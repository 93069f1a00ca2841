// The measured process of the memory section: a controller Manager against the fake API server
// at the given port. It measures itself after loading its modules (baseline), then starts the
// manager, waits for the caches to sync and every Run's first reconcile to be done, forces GC
// and measures again. Prints one JSON line.
//
//   node --expose-gc memory-child.ts <port>
import { setTimeout as sleep } from 'node:timers/promises';
import { getHeapStatistics } from 'node:v8';
import { Manager } from '../../../src/controller/manager.ts';
import { silentLogger } from '../../../src/controller/log.ts';
import { kubeConfigFor, LEASE_NS } from './common.ts';

async function settle(): Promise<NodeJS.MemoryUsage> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  for (let i = 0; i < 4; i++) {
    gc();
    await sleep(50);
  }
  return process.memoryUsage();
}

const port = Number(process.argv[2]);
const before = await settle();
const manager = new Manager({ kubeConfig: kubeConfigFor(port), leaseNamespace: LEASE_NS, log: silentLogger, qps: 1e6, burst: 1e6, leader: { retryPeriodMs: 200 } });
const t0 = performance.now();
await manager.start();
const syncedMs = performance.now() - t0;
for (const t = Date.now(); !manager.leader.isLeader() && Date.now() - t < 10_000; ) await sleep(20);
// Becoming leader queues every Run once; wait until the Run queue is empty for a while.
const runs = manager.context.queues.runs;
for (let idle = 0; idle < 10; ) {
  await sleep(50);
  idle = runs.depth === 0 ? idle + 1 : 0;
}
const peakRss = process.resourceUsage().maxRSS * 1024;
const after = await settle();
const cached = manager.context.runs.list().length;
const heap = getHeapStatistics();
await manager.stop();
// What-if: the cache keeps finished Runs without their snapshot (what an informer transform
// could drop once a Run is final). Measured by dropping it from the cached objects in place.
for (const run of manager.context.runs.list()) {
  if (run.spec) run.spec = { ...run.spec, pipelineSpec: undefined };
}
const withoutSnapshot = await settle();
process.stdout.write(`${JSON.stringify({ before, after, withoutSnapshot, cached, syncedMs, peakRss, heapLimit: heap.heap_size_limit })}\n`);
process.exit(0);
