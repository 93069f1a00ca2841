// Section 3: controller memory with finished Runs cached. The fake API server (here) holds a
// Pipeline (the go-service example, 10 jobs, large retention so nothing is deleted) and N
// finished Runs of it, each with its snapshot and final status. A controller in a child process
// (memory-child.ts, --expose-gc) measures itself before starting and after its caches synced
// and the Runs were reconciled once. The same child against the server without Runs gives the
// fixed cost, subtracted before dividing by N.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '../../harness/fake-apiserver/index.ts';
import { fakeServer, goServicePipelineSpec, NO_RETENTION, NS, pipelineObject } from './common.ts';
import { finishedRun } from './status-size.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));

interface ChildReport {
  before: NodeJS.MemoryUsage;
  after: NodeJS.MemoryUsage;
  withoutSnapshot: NodeJS.MemoryUsage;
  cached: number;
  syncedMs: number;
  peakRss: number;
}

export interface MemoryResult {
  readonly runs: number;
  /** JSON bytes of one seeded Run (snapshot + status), as the API server serves it. */
  readonly runJsonBytes: number;
  readonly seedSeconds: number;
  readonly empty: ChildReport;
  readonly full: ChildReport;
  /** Per cached Run, bytes: the differences of the two children's deltas, divided by N. */
  readonly perRun: { heapUsed: number; rss: number; external: number; heapWithoutSnapshot: number };
  /** Whole controller with N Runs cached, bytes (after − before, plus its baseline). */
  readonly total: { heapUsed: number; rss: number };
}

function child(port: number): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--expose-gc', path.join(HERE, 'memory-child.ts'), String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(line) as ChildReport);
      } catch {
        reject(new Error(`memory child exited ${code}: ${out.slice(-500)}`));
      }
    });
  });
}

export async function measureMemory(n: number): Promise<MemoryResult> {
  const server = await fakeServer({ historyLimit: 100 });
  try {
    const spec = { ...goServicePipelineSpec(), retention: NO_RETENTION };
    const pipeline = server.store.create(pipelineObject('go-service', spec));
    const empty = await child(server.port);

    const t0 = performance.now();
    let runJsonBytes = 0;
    for (let i = 0; i < n; i++) {
      const name = `go-service-github-${i.toString(16).padStart(8, '0')}`;
      const run = finishedRun(spec, name, 'go-service');
      const object = { ...run, metadata: { ...run.metadata, ownerReferences: [{ apiVersion: 'kayci.dev/v1alpha1', kind: 'Pipeline', name: 'go-service', uid: pipeline.metadata.uid!, blockOwnerDeletion: true }] } } as unknown as KubeObject;
      server.store.create(object);
      const stored = server.store.mutate('runs', NS, name, (draft) => {
        draft.status = run.status;
      }, 'status');
      if (i === 0) runJsonBytes = Buffer.byteLength(JSON.stringify(stored));
    }
    const seedSeconds = (performance.now() - t0) / 1000;
    const full = await child(server.port);
    const d = (r: ChildReport, k: 'heapUsed' | 'rss' | 'external') => r.after[k] - r.before[k];
    return {
      runs: n,
      runJsonBytes,
      seedSeconds,
      empty,
      full,
      perRun: { heapUsed: (d(full, 'heapUsed') - d(empty, 'heapUsed')) / n, rss: (d(full, 'rss') - d(empty, 'rss')) / n, external: (d(full, 'external') - d(empty, 'external')) / n, heapWithoutSnapshot: (full.withoutSnapshot.heapUsed - full.before.heapUsed - (empty.withoutSnapshot.heapUsed - empty.before.heapUsed)) / n },
      total: { heapUsed: full.after.heapUsed, rss: full.after.rss },
    };
  } finally {
    await server.close();
  }
}
