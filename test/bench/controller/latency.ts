// Section 2: from a Job succeeding (its Complete condition stored by the fake server's Job
// controller) to its dependent's Job create arriving at the server, along a chain of jobs, with
// an unthrottled budget; compared with one loopback round trip measured in the same process
// (sequential GETs of one Job through the controller's client path, and through bare node:http).
//
// Where the time goes, from timestamps taken on the way (no change to the controller: the bench
// wraps instance methods and adds informer handlers):
//   watch     Complete stored → the controller's Job informer emits the update
//   queue     → the Run's reconcile starts
//   plan      → the reconciler calls client.create for the dependent
//   send      → the create request arrives at the server, in two parts:
//     client  → undici hands the request's headers to the socket (diagnostics channel)
//     wire    → the server's request handler starts
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { request, Agent } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../../src/controller/kube/client.ts';
import { TokenBucket } from '../../../src/controller/kube/rate-limit.ts';
import { RESOURCES, resourcePath, type Resource } from '../../../src/controller/kube/resources.ts';
import { Manager } from '../../../src/controller/manager.ts';
import { createRun } from '../../../src/controller/runs.ts';
import type { JobObject, PipelineObject } from '../../../src/controller/context.ts';
import type { PipelineSpec } from '../../../src/api/v1alpha1/pipeline.ts';
import { LABELS } from '../../../src/plan/render-job.ts';
import { childProcessServer, hrNow, inProcessServer } from './chain-server.ts';
import { benchLogger, BENCH_MANAGER, chainSpec, LEASE_NS, median, NO_RETENTION, NS, percentile, pipelineObject, pushMetadata, sleep } from './common.ts';

export interface LatencyOptions {
  /** Jobs per chain, and chains (Runs, one after another). */
  readonly chain: number;
  readonly runs: number;
  readonly podStartMs: number;
  readonly podRunMs: number;
  readonly rtts: number;
  /** The fake API server in a child process (its own core, as a real one) or in this one. */
  readonly server: 'child' | 'inproc';
}

export interface Stages {
  readonly watch: number[];
  readonly queue: number[];
  readonly plan: number[];
  readonly send: number[];
  readonly client: number[];
  readonly wire: number[];
}

export interface LatencyResult {
  readonly options: LatencyOptions;
  /** ms, one per dependent job. */
  readonly latencies: number[];
  readonly stages: Stages;
  /** How many completions found the Run's reconcile already running (the key waits for it). */
  readonly busyAtEvent: number;
  /** Reconciles of the Run and status writes (and conflicts) during the chain. */
  readonly reconciles: number;
  readonly statusWrites: number;
  readonly conflicts: number;
  /** Connections the controller's process opened while the chains ran. */
  readonly connections: number;
  /**
   * ms: median GET through the controller's client, and through bare node:http, back to back
   * (the target's yardstick) and paced like the chain's creates (one per podStartMs + podRunMs).
   */
  readonly rtt: { client: number; clientP90: number; bare: number; bareP90: number; clientPaced: number; barePaced: number };
  readonly phase: string;
  readonly seconds: number;
}

type Stamp = Map<string, number>;

export async function measureLatency(o: LatencyOptions): Promise<LatencyResult> {
  const jobController = { startMs: o.podStartMs, runMs: o.podRunMs };
  const server = o.server === 'child' ? await childProcessServer(jobController) : await inProcessServer(jobController);
  const { log } = benchLogger();
  const manager = new Manager({ kubeConfig: server.kubeConfig(), leaseNamespace: LEASE_NS, log, qps: 1e6, burst: 1e6 });
  try {
    const spec = { ...chainSpec(o.chain), retention: NO_RETENTION } as PipelineSpec;
    const pipeline = (await server.create(pipelineObject('chain', spec))) as unknown as PipelineObject;

    // Controller side, by wrapping instance methods (nothing in src/ changes).
    const ctx = manager.context;
    const emittedAt: Stamp = new Map();
    const reconcileStarts: number[] = [];
    const createCalledAt: Stamp = new Map();
    let active = 0;
    let busyAtEvent = 0;
    let statusWrites = 0;
    let conflicts = 0;
    ctx.jobs.on('update', (obj, old) => {
      const job = keyOf(obj);
      if (job && complete(obj) && !complete(old)) {
        emittedAt.set(job, hrNow());
        if (active > 0) busyAtEvent++;
      }
    });
    const internals = manager as unknown as { reconcilers: { kind: string; reconcile: (key: string) => Promise<unknown> }[] };
    const runReconciler = internals.reconcilers.find((r) => r.kind === 'Run')!;
    const reconcile = runReconciler.reconcile;
    runReconciler.reconcile = async (key) => {
      reconcileStarts.push(hrNow());
      active++;
      try {
        return await reconcile(key);
      } finally {
        active--;
      }
    };
    const client = ctx.client;
    const create = client.create.bind(client);
    client.create = ((resource, namespace, body) => {
      const job = keyOf(body as JobObject);
      if (resource === RESOURCES.jobs && job) createCalledAt.set(job, hrNow());
      return create(resource, namespace, body);
    }) as typeof client.create;
    // Run status writes, whichever the verb (PUT or merge patch of /status).
    const counted = async <T>(resource: Resource, write: () => Promise<T>): Promise<T> => {
      if (resource !== RESOURCES.runs) return write();
      statusWrites++;
      try {
        return await write();
      } catch (e) {
        if ((e as { status?: number }).status === 409) conflicts++;
        throw e;
      }
    };
    const replaceStatus = client.replaceStatus.bind(client);
    client.replaceStatus = ((resource, namespace, name, body) => counted(resource, () => replaceStatus(resource, namespace, name, body))) as typeof client.replaceStatus;
    const mergePatch = client.mergePatch.bind(client);
    client.mergePatch = ((resource, namespace, name, patch, subresource) =>
      subresource === 'status' ? counted(resource, () => mergePatch(resource, namespace, name, patch, subresource)) : mergePatch(resource, namespace, name, patch, subresource)) as typeof client.mergePatch;

    await manager.start();
    for (const t0 = Date.now(); !manager.leader.isLeader(); await sleep(10)) if (Date.now() - t0 > 10_000) throw new Error('no leadership');
    const bench = new KubeClient(server.kubeConfig(), { limiter: new TokenBucket(1e6, 1e6), fieldManager: BENCH_MANAGER });
    // Round trips before the chain too (a shared machine's load drifts): GET a Job-sized object.
    const probe = await bench.create(RESOURCES.configmaps, NS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'rtt-probe', namespace: NS }, data: { script: 'x'.repeat(1500) } });
    const rttBefore = await roundTrips(server.kubeConfig(), server.port, probe.metadata!.name!, o.rtts, RESOURCES.configmaps);
    // When undici hands each Job create's headers to a socket, and how many connections it opens.
    const headersSent: number[] = [];
    let connections = 0;
    const onHeaders = (m: unknown) => {
      const r = (m as { request?: { method?: string; path?: string } }).request;
      if (r?.method === 'POST' && /\/jobs(\?|$)/.test(r.path ?? '')) headersSent.push(hrNow());
    };
    const onConnected = () => void connections++;
    subscribe('undici:client:sendHeaders', onHeaders);
    subscribe('undici:client:connected', onConnected);
    const started = performance.now();
    let phase = '';
    const runNames: string[] = [];
    for (let i = 0; i < o.runs; i++) {
      const runName = `chain-${i + 1}`;
      runNames.push(runName);
      await createRun(bench, { pipeline, name: runName, metadata: pushMetadata(i) });
      const p = await server.finished(runName);
      if (phase === '' || p !== 'Succeeded') phase = p;
    }
    const seconds = (performance.now() - started) / 1000;
    unsubscribe('undici:client:sendHeaders', onHeaders);
    unsubscribe('undici:client:connected', onConnected);
    const { completeAt, createArrivedAt } = await server.stamps();

    const latencies: number[] = [];
    const stages: Stages = { watch: [], queue: [], plan: [], send: [], client: [], wire: [] };
    // Each job and the one that needs it, as `<run>/<job>` keys.
    const pairs = runNames.flatMap((run) => spec.jobs.slice(1).map((j, i) => [`${run}/${spec.jobs[i]!.name}`, `${run}/${j.name}`] as const));
    for (const [before, after] of pairs) {
      const t0 = completeAt[before];
      const t4 = createArrivedAt[after];
      if (t0 === undefined || t4 === undefined) continue;
      latencies.push(t4 - t0);
      const t1 = emittedAt.get(before);
      const t3 = createCalledAt.get(after);
      if (t1 === undefined || t3 === undefined) continue;
      const t2 = reconcileStarts.find((t) => t >= t1 && t <= t3) ?? Number.NaN;
      stages.watch.push(t1 - t0);
      stages.queue.push(t2 - t1);
      stages.plan.push(t3 - t2);
      stages.send.push(t4 - t3);
      // Creates go one at a time along a chain: the first headers sent after the call are its.
      const sent = headersSent.find((t) => t >= t3 && t <= t4);
      if (sent !== undefined) {
        stages.client.push(sent - t3);
        stages.wire.push(t4 - sent);
      }
    }

    // One loopback round trip, the same processes, the controller idle: GET one Job.
    const rttAfter = await roundTrips(server.kubeConfig(), server.port, await server.someJob(NS), o.rtts);
    // The same GETs at the chain's pace (one per pod lifetime, the process idle in between), as
    // the creates along a chain are made: an idle process answers slower than a hot loop does.
    const paced = await roundTrips(server.kubeConfig(), server.port, await server.someJob(NS), 60, RESOURCES.jobs, o.podStartMs + o.podRunMs);
    const viaClient = [...rttBefore.viaClient, ...rttAfter.viaClient];
    const bare = [...rttBefore.bare, ...rttAfter.bare];

    return {
      options: o,
      latencies,
      stages,
      busyAtEvent,
      reconciles: reconcileStarts.length,
      statusWrites,
      conflicts,
      rtt: { client: median(viaClient), clientP90: percentile(viaClient, 90), bare: median(bare), bareP90: percentile(bare, 90), clientPaced: median(paced.viaClient), barePaced: median(paced.bare) },
      phase,
      seconds,
      connections,
    };
  } finally {
    await manager.stop().catch(() => undefined);
    await server.close();
  }
}

/** Sequential GETs of one object: through a KubeClient (the controller's path) and bare node:http keep-alive. */
async function roundTrips(kubeConfig: KubeConfig, port: number, name: string, n: number, resource: Resource = RESOURCES.jobs, gapMs = 0): Promise<{ viaClient: number[]; bare: number[] }> {
  const client = new KubeClient(kubeConfig, { limiter: new TokenBucket(1e6, 1e6) });
  const viaClient: number[] = [];
  for (let i = 0; i < n + 20; i++) {
    if (gapMs > 0) await sleep(gapMs);
    const t = performance.now();
    await client.get(resource, NS, name);
    if (i >= 20) viaClient.push(performance.now() - t);
  }
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const bare: number[] = [];
  const path = resourcePath(resource, NS, name);
  for (let i = 0; i < n + 20; i++) {
    if (gapMs > 0) await sleep(gapMs);
    const t = performance.now();
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, agent, headers: { authorization: 'Bearer fake-token', accept: 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', reject);
      req.end();
    });
    if (i >= 20) bare.push(performance.now() - t);
  }
  agent.destroy();
  return { viaClient, bare };
}

/** `<run>/<job>` from a Job's labels. */
function keyOf(job: JobObject): string | undefined {
  const labels = job.metadata?.labels;
  return labels?.[LABELS.job] ? `${labels[LABELS.run]}/${labels[LABELS.job]}` : undefined;
}

function complete(job: JobObject | undefined): boolean {
  return job?.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') ?? false;
}
