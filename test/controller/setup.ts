// A controller running against the fake API server, for integration tests: pipelines and runs
// go in through the store, the controller works through the real REST + watch protocol.
import { afterEach } from 'vitest';
import crds from '../../src/api/v1alpha1/crds.gen.json' with { type: 'json' };
import type { PipelineSpec } from '../../src/api/v1alpha1/pipeline.ts';
import { silentLogger, jsonLogger, type Logger } from '../../src/controller/log.ts';
import { Manager, type ManagerOptions } from '../../src/controller/manager.ts';
import { startFakeApiServer, type FakeApiServer, type FakeApiServerOptions, type KubeObject } from '../harness/fake-apiserver/index.ts';

export const NS = 'ci';

export interface Env {
  readonly server: FakeApiServer;
  readonly managers: Manager[];
  start(options?: Partial<ManagerOptions>): Promise<Manager>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

export async function environment(options: FakeApiServerOptions = {}): Promise<Env> {
  const server = await startFakeApiServer({ crds, namespaces: ['default', NS, 'kayci-system'], ...options });
  const managers: Manager[] = [];
  cleanups.push(async () => {
    for (const m of managers) await m.stop().catch(() => undefined);
    await server.close();
  });
  const log: Logger = process.env.KAYCI_TEST_LOG ? jsonLogger((l) => process.stderr.write(l), 'debug') : silentLogger;
  return {
    server,
    managers,
    async start(extra = {}) {
      const m = new Manager({
        kubeConfig: server.kubeConfig(),
        leaseNamespace: 'kayci-system',
        log,
        qps: 500,
        burst: 500,
        settings: { deferRunningMs: 0 },
        leader: { leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 200 },
        informers: { idleTimeoutMs: 5000, backoff: { baseMs: 20, maxMs: 500 } },
        ...extra,
      });
      managers.push(m);
      await m.start();
      return m;
    },
  };
}

export function pipelineObject(name: string, spec: PipelineSpec): KubeObject {
  return { apiVersion: 'kayci.dev/v1alpha1', kind: 'Pipeline', metadata: { name, namespace: NS }, spec } as unknown as KubeObject;
}

export function runObject(name: string, pipeline: string, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'kayci.dev/v1alpha1', kind: 'Run', metadata: { name, namespace: NS }, spec: { pipelineRef: { name: pipeline }, ...extra } } as unknown as KubeObject;
}

/** Jobs of the DAG `layers × width`, each needing every job of the layer before. */
export function layered(layers: number, width: number, results = false): PipelineSpec {
  const jobs = [];
  for (let l = 0; l < layers; l++) {
    for (let w = 0; w < width; w++) {
      const needs = l === 0 ? undefined : Array.from({ length: width }, (_, i) => `l${l - 1}-${i}`);
      const reads = results && l > 0 ? ` $(KAYCI_RESULT_L${l - 1}_0_OUT)` : '';
      jobs.push({
        name: `l${l}-${w}`,
        needs,
        results: results ? [{ name: 'out' }] : undefined,
        template: { template: { spec: { restartPolicy: 'Never' as const, containers: [{ name: 'main', image: 'busybox:1.37', command: ['sh', '-c', `echo l${l}-${w}${reads}`] }] } } },
      });
    }
  }
  return { jobs } as PipelineSpec;
}

export async function phaseOf(server: FakeApiServer, run: string, timeoutMs = 20_000): Promise<string> {
  await server.waitFor(() => ['Succeeded', 'Failed', 'Cancelled'].includes(String((server.store.get('runs', NS, run)?.status as { phase?: string } | undefined)?.phase)), timeoutMs, `run ${run} to finish`);
  return String((server.store.get('runs', NS, run)!.status as { phase: string }).phase);
}
