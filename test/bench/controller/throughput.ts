// Section 1: Runs per minute and controller API requests per one-job Run under a 20 requests/s
// budget (Manager qps 20, burst 20, production settings: deferRunningMs 1000, default leader
// election). Runs are created with their Pipeline snapshot through createRun, as webhooks create
// them, at a rate above what the budget allows; after a warm-up, finished Runs and the
// controller's own requests (everything but watches and the benchmark's creates, lists and lease
// renewals included) are counted over the measurement window.
import { KubeClient } from '../../../src/controller/kube/client.ts';
import { TokenBucket } from '../../../src/controller/kube/rate-limit.ts';
import { Manager } from '../../../src/controller/manager.ts';
import { createRun } from '../../../src/controller/runs.ts';
import type { PipelineObject } from '../../../src/controller/context.ts';
import type { PipelineSpec } from '../../../src/api/v1alpha1/pipeline.ts';
import { benchLogger, BENCH_MANAGER, fakeServer, isControllerRequest, jobTemplate, LEASE_NS, NO_RETENTION, NS, percentile, pipelineObject, pushMetadata, requestKind, sleep, TERMINAL } from './common.ts';

export interface ThroughputOptions {
  /** Runs created per second (above capacity). */
  readonly rate: number;
  readonly warmupS: number;
  readonly measureS: number;
  readonly qps: number;
  readonly burst: number;
  /** Fake pod phases: Pending → Running, Running → Succeeded. */
  readonly podStartMs: number;
  readonly podRunMs: number;
  readonly drainTimeoutS: number;
}

export interface ThroughputResult {
  readonly options: ThroughputOptions;
  readonly created: number;
  readonly finished: number;
  readonly runsPerMinute: number;
  readonly requests: number;
  readonly requestsPerRun: number;
  readonly requestsPerSecond: number;
  /** Requests per finished Run by `verb resource[/sub][ →code]`, largest first. */
  readonly breakdown: [string, number][];
  readonly phases: Record<string, number>;
  readonly backlog: number;
  /** Created → finished, seconds, of Runs finished in the window. */
  readonly latency: { p50: number; p90: number };
  readonly runningWrites: number;
  /** Controller DELETEs over the whole experiment (retention must add none). */
  readonly deletes: number;
  readonly problems: { count: number; first: string[] };
  /** After creation stopped: every Run finished, all controller requests from start to then / all Runs. */
  readonly drained: { runs: number; requests: number; requestsPerRun: number; seconds: number; complete: boolean };
}

export async function measureThroughput(o: ThroughputOptions): Promise<ThroughputResult> {
  const server = await fakeServer({ jobController: { startMs: o.podStartMs, runMs: o.podRunMs } });
  const { log, problems } = benchLogger();
  const manager = new Manager({ kubeConfig: server.kubeConfig(), leaseNamespace: LEASE_NS, log, qps: o.qps, burst: o.burst });
  try {
    const spec = { jobs: [{ name: 'test', template: jobTemplate('test') }], retention: NO_RETENTION } as PipelineSpec;
    const pipeline = server.store.create(pipelineObject('svc', spec)) as unknown as PipelineObject;
    await manager.start();
    await server.waitFor(() => manager.leader.isLeader(), 10_000, 'leadership');

    // Finished Runs, by the time their terminal status was stored.
    const createdAt = new Map<string, number>();
    const finishedAt = new Map<string, number>();
    let runningWrites = 0;
    const unsubscribe = server.onChange((e) => {
      if (e.resource !== 'runs.kayci.dev' || e.type !== 'MODIFIED') return;
      const phase = (e.object.status as { phase?: string } | undefined)?.phase;
      const before = (e.previous?.status as { phase?: string } | undefined)?.phase;
      if (phase === 'Running' && before !== 'Running') runningWrites++;
      if (phase && TERMINAL.has(phase) && !(before && TERMINAL.has(before))) finishedAt.set(e.object.metadata.name!, Date.now());
    });

    // The benchmark's client: unthrottled, its writes marked with their own fieldManager.
    const bench = new KubeClient(server.kubeConfig(), { limiter: new TokenBucket(1e6, 1e6), fieldManager: BENCH_MANAGER });
    const t0 = Date.now();
    const total = o.warmupS + o.measureS;
    let created = 0;
    let failedCreates = 0;
    const inflight = new Set<Promise<unknown>>();
    while (Date.now() - t0 < total * 1000) {
      const due = Math.floor(((Date.now() - t0) / 1000) * o.rate);
      while (created < due) {
        const i = created++;
        const name = `push-${String(i).padStart(6, '0')}`;
        createdAt.set(name, Date.now());
        const p = createRun(bench, { pipeline, name, metadata: pushMetadata(i) })
          .catch(() => void failedCreates++)
          .finally(() => inflight.delete(p));
        inflight.add(p);
      }
      await sleep(20);
    }
    const windowStart = t0 + o.warmupS * 1000;
    const windowEnd = Date.now();
    // The backlog when creation stops: Runs not finished yet.
    const phases: Record<string, number> = {};
    let backlog = 0;
    for (const r of server.store.list('runs', NS)) {
      const phase = (r.status as { phase?: string } | undefined)?.phase ?? '(none)';
      phases[phase] = (phases[phase] ?? 0) + 1;
      if (!TERMINAL.has(phase)) backlog++;
    }
    await Promise.all(inflight);
    // Drain: let the controller finish every Run, for the whole-experiment cost per Run.
    const drainStart = Date.now();
    const runCount = created - failedCreates;
    const complete = await server.waitFor(() => finishedAt.size >= runCount, o.drainTimeoutS * 1000, 'every Run to finish').then(() => true, () => false);
    const drainEnd = Date.now();
    unsubscribe();
    const allRequests = server.requests.filter((r) => isControllerRequest(r) && r.time >= t0 && r.time <= drainEnd).length;

    const finishedInWindow = [...finishedAt].filter(([, t]) => t >= windowStart && t < windowEnd);
    const minutes = (windowEnd - windowStart) / 60_000;
    const requests = server.requests.filter((r) => isControllerRequest(r) && r.time >= windowStart && r.time < windowEnd);
    const byKind = new Map<string, number>();
    for (const r of requests) byKind.set(requestKind(r), (byKind.get(requestKind(r)) ?? 0) + 1);
    const n = finishedInWindow.length;
    const lat = finishedInWindow.map(([name, t]) => (t - createdAt.get(name)!) / 1000);
    return {
      options: o,
      created: created - failedCreates,
      finished: n,
      runsPerMinute: n / minutes,
      requests: requests.length,
      requestsPerRun: requests.length / n,
      requestsPerSecond: requests.length / ((windowEnd - windowStart) / 1000),
      breakdown: [...byKind].map(([k, c]) => [k, c / n] as [string, number]).sort((a, b) => b[1] - a[1]),
      phases,
      backlog,
      latency: { p50: percentile(lat, 50), p90: percentile(lat, 90) },
      runningWrites,
      deletes: server.requests.filter((r) => isControllerRequest(r) && r.verb === 'delete').length,
      problems,
      drained: { runs: finishedAt.size, requests: allRequests, requestsPerRun: allRequests / finishedAt.size, seconds: (drainEnd - drainStart) / 1000, complete },
    };
  } finally {
    await manager.stop().catch(() => undefined);
    await server.close();
  }
}
