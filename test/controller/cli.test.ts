// The controller's command line: `kayci install` prints YAML in which every object passes its
// Kubernetes schema; `kayci controller`, started as the real binary against the fake API server,
// runs a Run to Succeeded, serves /healthz, /readyz (503 until its caches synced, then 200) and
// /metrics (Prometheus text), logs JSON lines with run fields, and exits 0 on SIGTERM within a
// few seconds — also while it still waits for an API server it cannot reach. Bad flags, a
// missing kubeconfig and a taken port are reported, not thrown.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { main } from '../../src/cli/main.ts';
import { captureIo, scratchDir } from '../helpers/project.ts';
import { environment, layered, NS, phaseOf, pipelineObject, runObject } from './setup.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/kayci.js');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'apiextensions.k8s.io/v1/CustomResourceDefinition': CustomResourceDefinition,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'v1/Namespace': Namespace,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
};

describe('kayci install', () => {
  it.each([
    ['cluster-wide', ['install', '--image', `ghcr.io/acme/kayci@sha256:${'a'.repeat(64)}`]],
    ['one namespace, three replicas', ['install', '-n', 'ci-system', '--image', 'ghcr.io/acme/kayci:1.0.0', '--replicas', '3', '--watch-namespace', 'team-a']],
  ])('%s: the YAML parses and every object passes its Kubernetes schema', async (_name, argv) => {
    const io = captureIo(process.cwd());
    expect(await main(argv, io)).toBe(0);
    expect(io.stderr).toBe('');
    const docs = parseAllDocuments(io.stdout);
    for (const d of docs) expect(d.errors).toEqual([]);
    const objects = docs.map((d) => d.toJS() as { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }).filter(Boolean);
    const kinds = objects.map((o) => o.kind);
    expect(kinds.filter((k) => k === 'CustomResourceDefinition')).toHaveLength(3);
    expect(kinds).toEqual(expect.arrayContaining(['Namespace', 'ServiceAccount', 'Deployment', 'PodDisruptionBudget', 'Service', 'Role', 'RoleBinding']));
    for (const o of objects) {
      const Model = MODELS[`${o.apiVersion}/${o.kind}`];
      expect(Model, `${o.apiVersion} ${o.kind}`).toBeDefined();
      expect(() => new Model!(o).validate(), `${o.kind} ${o.metadata.name}`).not.toThrow();
    }
    const deployment = objects.find((o) => o.kind === 'Deployment') as unknown as { spec: { replicas: number; template: { spec: { containers: { args: string[] }[] } } } };
    const watch = argv.includes('--watch-namespace');
    expect(deployment.spec.replicas).toBe(watch ? 3 : 2);
    expect(deployment.spec.template.spec.containers[0]!.args).toEqual(expect.arrayContaining(['controller', '--port=8080', ...(watch ? ['--namespace=team-a', '--lease-namespace=ci-system'] : ['--lease-namespace=kayci-system'])]));
  });
});

interface Controller {
  readonly child: ChildProcess;
  /** stderr, line by line. */
  readonly lines: string[];
  /** The first log record matching, once it is written. */
  waitForLog(match: (record: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves with the exit code and how long after `since` the process ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

function startController(args: string[]): Controller {
  const child = spawn(process.execPath, [BIN, 'controller', ...args], { env: { ...process.env, POD_NAME: 'kayci-cli-test', POD_NAMESPACE: 'kayci-system' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  const listeners = new Set<() => void>();
  child.stderr!.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    for (const l of listeners) l();
  });
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  const records = () => lines.flatMap((l) => {
    try {
      return [JSON.parse(l) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
  return {
    child,
    lines,
    exited,
    waitForLog(match, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = records().find(match);
          if (found) {
            clearTimeout(timer);
            listeners.delete(check);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no log line matched within ${timeoutMs} ms; stderr:\n${lines.join('\n')}`));
        }, timeoutMs);
        listeners.add(check);
        void exited.then(() => setTimeout(() => {
          listeners.delete(check);
          clearTimeout(timer);
          reject(new Error(`the controller exited; stderr:\n${lines.join('\n')}`));
        }, 50));
        check();
      });
    },
  };
}

async function get(port: number, p: string): Promise<{ status: number; type: string | null; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${p}`);
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?\d+(\.\d+)?(e[+-]?\d+)?|NaN|\+Inf|-Inf)$/;

describe('kayci controller (the binary, against the fake API server)', () => {
  it('runs a Run to Succeeded, serves /healthz, /readyz and /metrics, logs JSON lines, exits 0 on SIGTERM', async () => {
    const env = await environment();
    const kubeconfig = path.join(scratchDir('kayci-cli-'), 'kubeconfig');
    writeFileSync(kubeconfig, env.server.kubeConfig().exportConfig());
    // The first list of Runs is slow: /readyz says 503 until the caches synced.
    env.server.faults.inject({ verb: 'list', resource: 'runs', delayMs: 1500, times: 1 });
    const c = startController(['--kubeconfig', kubeconfig, '--port', '0', '--qps', '200', '--burst', '400', '--log-level', 'info']);
    try {
      const { port } = (await c.waitForLog((r) => r.msg === 'serving http')) as { port: number };
      expect(port).toBeGreaterThan(0);
      expect(await get(port, '/healthz')).toMatchObject({ status: 200, body: 'ok\n' });
      expect(await get(port, '/readyz')).toMatchObject({ status: 503 });
      const started = await c.waitForLog((r) => r.msg === 'controller started');
      expect(started).toMatchObject({ port, namespace: '(all)' });
      expect(await get(port, '/readyz')).toMatchObject({ status: 200, body: 'ok\n' });

      env.server.store.create(pipelineObject('cli', layered(2, 2)));
      env.server.store.create(runObject('cli-1', 'cli', { metadata: { provider: 'manual', event: 'manual' } }));
      expect(await phaseOf(env.server, 'cli-1')).toBe('Succeeded');

      await c.waitForLog((r) => r.msg === 'run phase' && r.phase === 'Succeeded');
      const metrics = await get(port, '/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.type).toMatch(/^text\/plain; version=0\.0\.4/);
      const lines = metrics.body.trimEnd().split('\n');
      const bad = lines.filter((l) => !(l.startsWith('# HELP ') || l.startsWith('# TYPE ') || SAMPLE.test(l)));
      expect(bad).toEqual([]);
      const types = Object.fromEntries(lines.filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ').slice(2)));
      expect(types).toMatchObject({ kayci_api_requests_total: 'counter', kayci_runs: 'gauge', kayci_queue_depth: 'gauge', kayci_run_duration_seconds: 'histogram', kayci_job_duration_seconds: 'histogram', kayci_leader: 'gauge' });
      const sample = (name: string) => lines.filter((l) => l.startsWith(name) && !l.startsWith('#'));
      expect(sample('kayci_api_requests_total{').some((l) => /verb="create"/.test(l) && /code="201"/.test(l))).toBe(true);
      expect(sample('kayci_runs{')).toContain('kayci_runs{phase="Succeeded"} 1');
      expect(sample('kayci_queue_depth{').map((l) => l.replace(/ \d+$/, ''))).toEqual(expect.arrayContaining(['kayci_queue_depth{kind="Run"}', 'kayci_queue_depth{kind="Pipeline"}', 'kayci_queue_depth{kind="Trigger"}']));
      expect(sample('kayci_run_duration_seconds_count{')).toContain('kayci_run_duration_seconds_count{phase="Succeeded"} 1');
      expect(sample('kayci_run_duration_seconds_bucket{').some((l) => l.includes('le="+Inf"'))).toBe(true);
      expect(sample('kayci_leader')).toContain('kayci_leader 1');

      // Logs: every stderr line is a JSON record with time, level and msg; Run work carries run fields.
      const records = c.lines.filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
      for (const r of records) expect(r).toMatchObject({ time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), level: expect.stringMatching(/^(debug|info|warn|error)$/), msg: expect.any(String) });
      expect(records.filter((r) => r.msg === 'job created' && r.run === 'cli-1' && r.namespace === NS && typeof r.job === 'string')).toHaveLength(4);
      expect(records).toContainEqual(expect.objectContaining({ msg: 'run phase', run: 'cli-1', namespace: NS, phase: 'Succeeded' }));

      const stopAt = Date.now();
      c.child.kill('SIGTERM');
      const { code, at } = await c.exited;
      expect(code).toBe(0);
      expect(at - stopAt).toBeLessThan(5000);
      expect(c.lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toContain('stopping');
      // It handed its lease back, so a standby takes over at once.
      expect((env.server.store.get('leases', 'kayci-system', 'kayci-controller')?.spec as { holderIdentity?: string } | undefined)?.holderIdentity ?? '').toBe('');
      console.log(`kayci controller: stopped ${at - stopAt} ms after SIGTERM`);
    } finally {
      if (c.child.exitCode === null) c.child.kill('SIGKILL');
    }
  }, 30_000);

  it('exits 0 on SIGTERM while it still waits for an API server it cannot reach', async () => {
    const env = await environment();
    const kubeconfig = path.join(scratchDir('kayci-cli-'), 'kubeconfig');
    const kc = env.server.kubeConfig();
    await env.server.close(); // nothing listens there any more
    writeFileSync(kubeconfig, kc.exportConfig());
    const c = startController(['--kubeconfig', kubeconfig, '--port', '0']);
    try {
      const { port } = (await c.waitForLog((r) => r.msg === 'serving http')) as { port: number };
      expect(await get(port, '/readyz')).toMatchObject({ status: 503 });
      const stopAt = Date.now();
      c.child.kill('SIGTERM');
      const { code, at } = await c.exited;
      expect(code).toBe(0);
      expect(at - stopAt).toBeLessThan(5000);
    } finally {
      if (c.child.exitCode === null) c.child.kill('SIGKILL');
    }
  }, 20_000);

  it('reports bad flags, a missing kubeconfig and a taken port with exit codes 2 and 1', async () => {
    const usage = captureIo(process.cwd());
    expect(await main(['controller', '--port', '70000', '--workers', '1.5', '--qps', 'x'], usage)).toBe(2);
    expect(usage.stderr).toContain('--port: "70000" is not an integer from 0 to 65535');
    expect(usage.stderr).toContain('--workers: "1.5" is not an integer from 1 to 1000');
    expect(usage.stderr).toContain('--qps: "x" is not a number of at least 0.1');

    const missing = captureIo(process.cwd());
    expect(await main(['controller', '--kubeconfig', '/nonexistent/kubeconfig', '--port', '0'], missing)).toBe(1);
    expect(missing.stderr).toMatch(/^kayci: cannot load the kubeconfig \/nonexistent\/kubeconfig: .*ENOENT/);

    const env = await environment();
    const kubeconfig = path.join(scratchDir('kayci-cli-'), 'kubeconfig');
    writeFileSync(kubeconfig, env.server.kubeConfig().exportConfig());
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '0.0.0.0', resolve));
    try {
      const taken = String((squatter.address() as AddressInfo).port);
      const io = captureIo(process.cwd());
      expect(await main(['controller', '--kubeconfig', kubeconfig, '--port', taken], io)).toBe(1);
      expect(io.stderr).toContain(`kayci: cannot start the controller: listen EADDRINUSE`);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
