// Shared pieces of the controller benchmark: the fake API server with the CRDs, Pipelines of
// realistic jobs (the go-service golden for ~10-job snapshots), a logger that costs what
// production logging costs but writes nowhere, request classification, percentiles, and a
// high-resolution arrival time for every request the fake server records.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import crds from '../../../src/api/v1alpha1/crds.gen.json' with { type: 'json' };
import type { PipelineJob, PipelineSpec } from '../../../src/api/v1alpha1/pipeline.ts';
import type { RunMetadata } from '../../../src/api/v1alpha1/run.ts';
import { jsonLogger, type Logger } from '../../../src/controller/log.ts';
import { startFakeApiServer, type FakeApiServer, type FakeApiServerOptions, type KubeObject, type RequestRecord } from '../../harness/fake-apiserver/index.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '../../..');
export const NS = 'ci';
export const LEASE_NS = 'kayci-system';
/** fieldManager of the benchmark's own writes, so they are told apart from the controller's. */
export const BENCH_MANAGER = 'kayci-bench';
export const TERMINAL = new Set(['Succeeded', 'Failed', 'Cancelled']);

export async function fakeServer(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
  return startFakeApiServer({ crds, namespaces: ['default', NS, LEASE_NS], ...options });
}

/** A KubeConfig for the fake server on this port (from another process too). */
export function kubeConfigFor(port: number): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'fake-user', token: 'fake-token' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'fake-user' }],
    currentContext: 'fake',
  });
  return kc;
}

/**
 * A JSON logger at info level, as in production, whose lines go nowhere (their cost is paid);
 * warnings and errors are counted and the first few kept, to explain a bad figure.
 */
export function benchLogger(): { log: Logger; problems: { count: number; first: string[] } } {
  const problems = { count: 0, first: [] as string[] };
  const log = jsonLogger((line) => {
    if (line.includes('"level":"warn"') || line.includes('"level":"error"')) {
      problems.count++;
      if (problems.first.length < 5) problems.first.push(line.trim().slice(0, 300));
    }
  }, 'info');
  return { log, problems };
}

/** The go-service example's Pipeline as synthesized (10 jobs, ~21 KB of spec). */
export function goServicePipelineSpec(): PipelineSpec {
  const text = readFileSync(path.join(ROOT, 'test/golden/go-service/go-service.k8s.yaml'), 'utf8');
  const docs = parseAllDocuments(text).map((d) => d.toJSON() as { kind?: string; spec?: PipelineSpec } | null);
  const pipeline = docs.find((d) => d?.kind === 'Pipeline');
  if (!pipeline?.spec) throw new Error('no Pipeline in the go-service golden');
  return pipeline.spec;
}

/** A typical CI step's Job template: one container, a short script, a cache mount. */
export function jobTemplate(name: string): PipelineJob['template'] {
  return {
    template: {
      metadata: { annotations: { 'kayci.dev/tools': '{"go":"https://go.dev/doc/install"}' } },
      spec: {
        restartPolicy: 'Never',
        containers: [{
          name: 'main',
          image: 'golang:1.25-bookworm@sha256:3b4a11519ad929d1e1d261a12cff056f0c85b735253d7d861346b9c6f8b36437',
          command: ['sh', '-ec', `go test -race -count=1 ./internal/${name}/...\necho "ok=${name}" >> "$KAYCI_RESULTS_FILE"`],
          env: [{ name: 'GOCACHE', value: '/cache/go/build' }, { name: 'GOMODCACHE', value: '/cache/go/mod' }],
          volumeMounts: [{ name: 'cache-go', mountPath: '/cache/go' }],
        }],
        volumes: [{ name: 'cache-go', persistentVolumeClaim: { claimName: 'kayci-cache-go' } }],
      },
    },
  } as PipelineJob['template'];
}

/** A chain of `n` jobs (each needs the one before). */
export function chainSpec(n: number, prefix = 'step'): PipelineSpec {
  const jobs: PipelineJob[] = [];
  for (let i = 0; i < n; i++) {
    const name = `${prefix}-${String(i).padStart(3, '0')}`;
    jobs.push({ name, ...(i > 0 ? { needs: [`${prefix}-${String(i - 1).padStart(3, '0')}`] } : {}), template: jobTemplate(name) } as PipelineJob);
  }
  return { jobs } as PipelineSpec;
}

/** Retention that never deletes during a benchmark (so no DELETE is counted against a Run). */
export const NO_RETENTION = { succeeded: 1_000_000, failed: 1_000_000 } as const;

export function pipelineObject(name: string, spec: PipelineSpec): KubeObject {
  return { apiVersion: 'kayci.dev/v1alpha1', kind: 'Pipeline', metadata: { name, namespace: NS }, spec } as unknown as KubeObject;
}

/** Trigger metadata as a GitHub push webhook produces it. */
export function pushMetadata(i: number): RunMetadata {
  const sha = (BigInt(i + 1) * 0x9e3779b97f4a7c15n).toString(16).padStart(40, '0').slice(-40);
  return {
    trigger: 'go-service-github',
    provider: 'github',
    event: 'push',
    repoUrl: 'https://github.com/acme/go-service.git',
    repo: 'acme/go-service',
    commitSha: sha,
    ref: 'refs/heads/main',
    branch: 'main',
    actor: 'octocat',
  };
}

/** Percentile (nearest rank) of unsorted numbers. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const median = (values: readonly number[]) => percentile(values, 50);

/**
 * Stamps every request the fake server records with performance.now() at arrival (its own
 * `time` is Date.now(), whole milliseconds). Returns the lookup.
 */
export function stampArrivals(server: FakeApiServer): (r: RequestRecord) => number | undefined {
  const arrivals = new WeakMap<RequestRecord, number>();
  const records = server.requests as RequestRecord[];
  records.push = (...items: RequestRecord[]) => {
    const t = performance.now();
    for (const r of items) arrivals.set(r, t);
    return Array.prototype.push.apply(records, items);
  };
  return (r) => arrivals.get(r);
}

/** The controller's own requests: not watches, not the benchmark's creates. */
export function isControllerRequest(r: RequestRecord): boolean {
  return r.verb !== 'watch' && r.query.fieldManager !== BENCH_MANAGER;
}

/** `create jobs.batch`, `update runs.kayci.dev/status`, with `→409` appended for non-2xx answers. */
export function requestKind(r: RequestRecord): string {
  const sub = r.subresource ? `/${r.subresource}` : '';
  const code = r.status >= 200 && r.status < 300 ? '' : ` →${r.status}`;
  return `${r.verb ?? r.method} ${r.resource ?? r.path}${sub}${code}`;
}

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
export const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A plain-text table: the first row is the header. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
