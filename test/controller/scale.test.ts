// 1,000 generated pipelines at the sizes people reach: every Job the controller would create for
// them passes the real Kubernetes schema (kubernetes-models) and the rules the API server adds
// (the fake API server's validation), names are DNS labels of at most 63 characters and never
// collide across all Runs of all pipelines in a namespace, label values are valid, and a Run —
// snapshot plus a final status for every job — and its ConfigMap fit in etcd. A pipeline too big
// for that is reported by validation, and the Run reconciler fails its Run with a clear reason.
import { describe, expect, it } from 'vitest';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { paramEnv, resultEnv } from '../../src/api/v1alpha1/env.ts';
import type { NotifyJob, ParamSpec, PipelineJob, PipelineSpec } from '../../src/api/v1alpha1/pipeline.ts';
import type { RunMetadata, RunPhase, RunStatus } from '../../src/api/v1alpha1/run.ts';
import { MAX_OBJECT_BYTES, projectedRunBytes, validatePipeline, validateRun } from '../../src/api/v1alpha1/validate/index.ts';
import type { PipelineObject, RunObject } from '../../src/controller/context.ts';
import { runObject as newRun } from '../../src/controller/runs.ts';
import { PlanEngine } from '../../src/plan/engine.ts';
import { joinName } from '../../src/plan/names.ts';
import { renderJob, renderNotifyJob, renderRunConfigMap, renderWorkspaceClaim, usesRunConfigMap } from '../../src/plan/render-job.ts';
import { snapshotOf } from '../../src/plan/snapshot.ts';
import { ResourceTypes } from '../harness/fake-apiserver/resources.ts';
import type { KubeObject } from '../harness/fake-apiserver/types.ts';
import { Issues, validateKind, validateMetadata } from '../harness/fake-apiserver/validation.ts';
import { environment, NS, pipelineObject, runObject } from './setup.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
/** The real API server's limit on a ConfigMap's data. */
const MAX_CONFIGMAP_DATA = 1024 * 1024;
const PIPELINES = 1000;
const SEED = 0x6b617963; // "kayc"

// ---------------------------------------------------------------- a seeded generator

class Gen {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** mulberry32 */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)]!;
  }
  hex(n: number): string {
    let out = '';
    while (out.length < n) out += Math.floor(this.next() * 16).toString(16);
    return out;
  }
  /** A DNS label of exactly `len` characters, made of words so that names read like names. */
  label(len: number): string {
    const words = ['build', 'test', 'lint', 'unit', 'e2e', 'integration', 'deploy', 'image', 'push', 'sign', 'sbom', 'scan', 'go', 'c', 'api', 'web', 'worker', 'db', 'migrate', 'release', 'docs', 'k8s', 'arm64', 'amd64', 'v2', 'x'];
    let s = this.pick(words);
    while (s.length < len) s += (this.chance(0.8) ? '-' : '') + this.pick(words);
    s = s.slice(0, len).replace(/-+$/, '');
    while (s.length < len) s += String(this.int(0, 9));
    return s;
  }
  /** A name length: many short, many near the 63-character limit. */
  nameLength(): number {
    const r = this.next();
    if (r < 0.15) return this.int(1, 4);
    if (r < 0.4) return this.int(55, 63);
    return this.int(5, 30);
  }
  text(len: number): string {
    const words = ['go', 'test', './...', '-race', '-count=1', 'make', '-j8', 'echo', '$HOME', '&&', 'cd', 'src', 'cmake', '--build', 'build', 'ctest', '--output-on-failure', '|', 'tee', 'log.txt'];
    let s = '';
    while (s.length < len) s += `${this.pick(words)} `;
    return s.slice(0, len);
  }
}

/** Edge cases a user may write, which validation must reject unless the rendered Job is accepted. */
type Edge = 'failure-rules' | 'workspace-mount' | 'workspace-volume' | 'label-value';
const EDGE_PATHS: Record<Edge, RegExp> = {
  'failure-rules': /\.podFailurePolicy\.rules$/,
  'workspace-mount': /\.volumeMounts\[\d+\]\.mountPath$/,
  'workspace-volume': /\.volumes\[\d+\]\.name$/,
  'label-value': /\.template\.metadata\.labels\[team\]$/,
};

interface Generated {
  readonly pipeline: PipelineObject;
  readonly runParams: { name: string; value: string }[];
  readonly edges: Edge[];
}

function image(g: Gen): string {
  return g.chance(0.3) ? `registry.example.com/ci/${g.pick(['go', 'gcc', 'node', 'tools'])}@sha256:${g.hex(64)}` : g.pick(['golang:1.23', 'gcc:14', 'alpine:3.20', 'busybox:1.37', 'ghcr.io/acme/builder:v1.2.3']);
}

function container(g: Gen, name: string, refs: string[], volumes: string[]): Record<string, unknown> {
  const script = `${g.text(g.int(10, g.chance(0.1) ? 3000 : 300))} ${refs.join(' ')}`.trim();
  const c: Record<string, unknown> = { name, image: image(g), command: ['sh', '-c', script] };
  if (g.chance(0.6)) {
    const env: Record<string, unknown>[] = [{ name: 'GOFLAGS', value: '-mod=mod' }, { name: 'CI', value: 'true' }].slice(0, g.int(1, 2));
    if (g.chance(0.3)) env.push({ name: 'GIT_TOKEN', valueFrom: { secretKeyRef: { name: 'git-credentials', key: 'token' } } });
    if (g.chance(0.2)) env.push({ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
    if (refs.length > 0 && g.chance(0.5)) env.push({ name: 'UPSTREAM', value: refs[0] });
    c.env = env;
  }
  if (g.chance(0.2)) c.envFrom = [{ secretRef: { name: 'ci-env' } }];
  if (g.chance(0.7)) c.resources = { requests: { cpu: g.pick(['100m', '500m', '1', '2']), memory: g.pick(['128Mi', '1Gi', '4Gi']) }, limits: { memory: g.pick(['1Gi', '8Gi']) } };
  const mounts = volumes.filter(() => g.chance(0.6)).map((v) => ({ name: v, mountPath: `/mnt/${v}` }));
  if (mounts.length > 0) c.volumeMounts = mounts;
  if (g.chance(0.1)) c.securityContext = { runAsNonRoot: true, allowPrivilegeEscalation: false };
  return c;
}

function template(g: Gen, refs: string[], edges: Edge[], workspace: boolean): PipelineJob['template'] {
  const volumes: Record<string, unknown>[] = [];
  const pool = [
    () => ({ name: 'cache', emptyDir: {} }),
    () => ({ name: 'go-mod', emptyDir: { sizeLimit: '2Gi' } }),
    () => ({ name: 'config', configMap: { name: 'ci-config' } }),
    () => ({ name: 'registry-auth', secret: { secretName: 'regcred' } }),
  ];
  for (const make of pool) if (g.chance(0.25)) volumes.push(make());
  const names = volumes.map((v) => String(v.name));
  const containers = [container(g, g.chance(0.5) ? 'main' : g.label(g.int(1, 63)), refs, names)];
  if (g.chance(0.15)) containers.push(container(g, 'sidecar', [], names));
  const initContainers = g.chance(0.3) ? [container(g, 'checkout', [], names), ...(g.chance(0.3) ? [container(g, 'deps', [], names)] : [])] : undefined;
  const pod: Record<string, unknown> = { containers };
  if (initContainers) pod.initContainers = initContainers;
  if (volumes.length > 0) pod.volumes = volumes;
  if (g.chance(0.1)) pod.serviceAccountName = 'ci-deployer';
  if (g.chance(0.1)) pod.nodeSelector = { 'kubernetes.io/arch': g.pick(['amd64', 'arm64']) };
  if (g.chance(0.05)) pod.tolerations = [{ key: 'ci', operator: 'Exists', effect: 'NoSchedule' }];
  if (g.chance(0.3)) pod.restartPolicy = 'Never';
  const metadata: Record<string, unknown> = {};
  if (g.chance(0.3)) metadata.labels = { 'app.kubernetes.io/part-of': 'ci', team: g.label(g.int(1, 20)) };
  if (g.chance(0.05)) metadata.annotations = { 'kayci.dev/inject-env': 'false' };
  const spec: Record<string, unknown> = { template: { ...(Object.keys(metadata).length > 0 ? { metadata } : {}), spec: pod } };
  if (g.chance(0.15)) spec.podFailurePolicy = { rules: [{ action: 'FailJob', onExitCodes: { containerName: String(containers[0]!.name), operator: 'In', values: [42] } }] };
  // Edge cases, each in about one pipeline in a hundred or two.
  if (g.chance(0.0006)) {
    edges.push('failure-rules');
    spec.podFailurePolicy = { rules: Array.from({ length: 20 }, (_, i) => ({ action: 'FailJob', onExitCodes: { operator: 'In', values: [i + 1] } })) };
  }
  if (workspace && g.chance(0.002)) {
    edges.push('workspace-mount');
    containers[0]!.volumeMounts = [...((containers[0]!.volumeMounts as unknown[]) ?? []), { name: 'cache', mountPath: '/workspace' }];
    if (!names.includes('cache')) pod.volumes = [...((pod.volumes as unknown[]) ?? []), { name: 'cache', emptyDir: {} }];
  }
  if (workspace && g.chance(0.0015)) {
    edges.push('workspace-volume');
    pod.volumes = [...((pod.volumes as unknown[]) ?? []), { name: 'kayci-workspace', emptyDir: {} }];
  }
  if (g.chance(0.0006)) {
    edges.push('label-value');
    metadata.labels = { ...(metadata.labels as object), team: `${g.label(63)}x` };
    (spec.template as Record<string, unknown>).metadata = metadata;
  }
  return spec as unknown as PipelineJob['template'];
}

function generate(g: Gen, name: string): Generated {
  const edges: Edge[] = [];
  const r = g.next();
  const count = r < 0.2 ? g.int(1, 3) : r < 0.9 ? g.int(4, 30) : g.int(31, 60);
  const shape = g.pick(['chain', 'fan', 'layers', 'random'] as const);
  const params: ParamSpec[] = [];
  for (let i = g.int(0, 5); i > 0; i--) {
    const p = `${g.pick(['version', 'target', 'go-version', 'registry', 'env', 'debug'])}${params.length}`;
    params.push({ name: p, ...(g.chance(0.7) ? { default: g.pick(['1.2.3', 'linux/amd64', 'ghcr.io/acme', '']) } : {}), ...(g.chance(0.3) ? { description: 'what it sets' } : {}) });
  }
  const workspace = g.chance(0.25);
  const variables = new Set(params.map((p) => paramEnv(p.name)));
  const jobs: PipelineJob[] = [];
  const used = new Set<string>();
  const width = g.int(2, 8);
  for (let i = 0; i < count; i++) {
    let jobName = g.label(g.nameLength());
    while (used.has(jobName)) jobName = g.label(g.int(5, 63));
    used.add(jobName);
    let needs: string[] = [];
    if (i > 0) {
      if (shape === 'chain') needs = [jobs[i - 1]!.name];
      else if (shape === 'fan') needs = i === count - 1 ? jobs.slice(1).map((j) => j.name) : [jobs[0]!.name];
      else if (shape === 'layers') needs = jobs.slice(Math.max(0, (Math.floor(i / width) - 1) * width), Math.floor(i / width) * width).map((j) => j.name);
      else for (let k = g.int(0, Math.min(4, i)); k > 0; k--) needs.push(jobs[g.int(0, i - 1)]!.name);
    }
    needs = [...new Set(needs)];
    const refs: string[] = [];
    for (const need of needs) {
      for (const res of jobs.find((j) => j.name === need)!.results ?? []) if (g.chance(0.5)) refs.push(`$(${resultEnv(need, res.name)})`);
    }
    for (const p of params) if (g.chance(0.3)) refs.push(`$(${paramEnv(p.name)})`);
    if (g.chance(0.2)) refs.push('$(KAYCI_COMMIT_SHA)', '$(KAYCI_BRANCH)');
    const job: PipelineJob = { name: jobName, template: template(g, refs, edges, workspace) };
    if (needs.length > 0) job.needs = needs;
    if (g.chance(0.3)) {
      job.results = [];
      for (let k = g.int(1, 3); k > 0; k--) {
        const res = g.pick(['digest', 'version', 'image', 'coverage', 'report-url', 'tag']) + (g.chance(0.3) ? `-${k}` : '');
        const variable = resultEnv(jobName, res);
        if (variable.length > 200 || variables.has(variable) || job.results.some((x) => x.name === res)) continue;
        variables.add(variable);
        job.results.push({ name: res, ...(g.chance(0.2) ? { description: 'for the next jobs' } : {}) });
      }
    }
    if (g.chance(0.25)) job.retries = g.int(0, 3);
    if (g.chance(0.3)) job.timeoutSeconds = g.int(60, 7200);
    if (g.chance(0.08)) job.when = { status: g.pick(['always', 'failure'] as const) };
    else if (g.chance(0.08)) job.when = { branches: ['main', 'release/**'], events: ['push', 'tag'] };
    jobs.push(job);
  }
  const notify: NotifyJob[] = [];
  for (let i = g.chance(0.3) ? g.int(1, 3) : 0; i > 0; i--) {
    let n = `notify-${g.label(g.int(1, 50))}`.slice(0, 63).replace(/-+$/, '');
    while (used.has(n)) n = g.label(g.int(5, 63));
    used.add(n);
    notify.push({ name: n, on: g.pick([['Failed'], ['Succeeded', 'Failed'], ['Running', 'Succeeded', 'Failed', 'Cancelled']] as NotifyJob['on'][]), template: template(g, ['$(KAYCI_RUN_PHASE)'], edges, workspace) });
  }
  const spec: PipelineSpec = { jobs };
  if (params.length > 0) spec.params = params;
  if (notify.length > 0) spec.notify = notify;
  if (workspace) spec.workspace = { size: g.pick(['1Gi', '10Gi', '500Mi']), ...(g.chance(0.5) ? { storageClassName: 'fast-ssd' } : {}), ...(g.chance(0.3) ? { accessMode: 'ReadWriteMany' as const } : {}) };
  if (g.chance(0.2)) spec.concurrency = { group: 'deploy-$(KAYCI_BRANCH)', max: 1 };
  if (g.chance(0.2)) spec.retention = { succeeded: 5, failed: 5, ttlSecondsAfterFinished: 86_400 };
  const runParams = params.filter((p) => p.default === undefined || g.chance(0.3)).map((p) => ({ name: p.name, value: g.chance(0.1) ? g.text(2000) : g.pick(['1.2.4', 'linux/arm64', 'staging']) }));
  const pipeline = { apiVersion: 'kayci.dev/v1alpha1', kind: 'Pipeline', metadata: { name, namespace: NS, uid: `uid-${name}` }, spec } as PipelineObject;
  return { pipeline, runParams, edges };
}

// ---------------------------------------------------------------- what the API server checks

const types = new ResourceTypes();
const RT = { Job: types.resolve('jobs'), ConfigMap: types.resolve('configmaps'), PersistentVolumeClaim: types.resolve('persistentvolumeclaims') };

/** The API server's own checks beyond the schema (names, labels, owner references, pod rules). */
function apiServerProblems(obj: { kind?: string }): string[] {
  const issues = new Issues();
  const rt = RT[obj.kind as keyof typeof RT];
  validateMetadata(rt, obj as KubeObject, undefined, issues);
  validateKind(rt, obj as KubeObject, undefined, issues);
  return issues.causes.map((c) => `${c.field}: ${c.message}`);
}

function schemaProblems(obj: { kind?: string }): string[] {
  try {
    if (obj.kind === 'Job') new Job(obj as never).validate();
    else if (obj.kind === 'ConfigMap') new ConfigMap(obj as never).validate();
    else new PersistentVolumeClaim(obj as never).validate();
    return [];
  } catch (e) {
    return [String((e as Error).message).slice(0, 500)];
  }
}

function labelProblems(labels: Record<string, string> | undefined): string[] {
  return Object.entries(labels ?? {}).filter(([, v]) => v.length > 63 || !LABEL_VALUE.test(v)).map(([k, v]) => `label ${k}=${v}`);
}

// ---------------------------------------------------------------- Runs as the controller makes them

/** Run names as they occur: a webhook's `<pipeline>-<8 hex>`, a cron tick's, a long PR one, a dotted release. */
function runNames(g: Gen, pipeline: string): string[] {
  const tick = 1_900_000_000 + g.int(0, 1_000_000);
  return [
    `${pipeline}-${g.hex(8)}`,
    joinName(`${pipeline}-nightly`, String(tick)),
    `${pipeline}-pr-${g.int(1, 99999)}-${g.hex(40)}`,
    `${pipeline}.release-${g.int(0, 9)}.${g.int(0, 99)}.${g.int(0, 999)}`,
  ];
}

const METADATA: RunMetadata = {
  trigger: 'github-push',
  provider: 'github',
  event: 'push',
  repoUrl: 'https://github.com/acme/a-service-with-a-rather-long-name.git',
  repo: 'acme/a-service-with-a-rather-long-name',
  commitSha: 'c0ffee'.padEnd(40, '0'),
  ref: 'refs/heads/feature/a-branch-with-a-long-name-for-testing',
  branch: 'feature/a-branch-with-a-long-name-for-testing',
  actor: 'someone',
};

interface Rendered {
  readonly run: RunObject;
  readonly objects: { kind: string; metadata?: { name?: string; labels?: Record<string, string> } }[];
}

/** Everything the controller creates for one Run, after every job ran and wrote results. */
function renderRun(pipeline: PipelineObject, name: string, params: { name: string; value: string }[], g: Gen): Rendered {
  const created = newRun({ pipeline, name, metadata: METADATA, params, trigger: 'github-push', now: new Date('2030-01-01T00:00:00.123Z') });
  const run = { ...created, metadata: { ...created.metadata, uid: `uid-${name}`, creationTimestamp: '2030-01-01T00:00:00Z', resourceVersion: '123456789', generation: 1 } } as RunObject;
  const snapshot = snapshotOf(run);
  const engine = new PlanEngine(snapshot);
  const objects: Rendered['objects'] = [];
  const inline = !usesRunConfigMap(snapshot);
  const rendered = new Set<string>();
  const at = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s)).toISOString().replace('.000Z', 'Z');
  let clock = 1;
  for (let ready = engine.readyJobs(); ready.length > 0; ready = engine.readyJobs()) {
    for (const job of ready) {
      const obj = renderJob(engine, job, { inlineRunEnv: inline });
      objects.push(obj);
      rendered.add(job);
      const declared = snapshot.jobs.find((j) => j.name === job)!.results ?? [];
      // Result values as jobs write them: digests, versions, URLs.
      const results = Object.fromEntries(declared.map((r) => [r.name, g.chance(0.5) ? `sha256:${g.hex(64)}` : `https://artifacts.example.com/${g.hex(32)}/report.html`]));
      engine.observe(job, { phase: 'Running', attempts: 1, jobName: obj.metadata!.name, startTime: at(clock) });
      engine.observe(job, { phase: 'Succeeded', attempts: 1 + g.int(0, 2), jobName: obj.metadata!.name, startTime: at(clock), completionTime: at(clock + 30), results });
      clock += 1;
    }
  }
  // Jobs the outcome skipped (failure-only, filtered) would run in another Run: render them too.
  for (const job of snapshot.jobs) if (!rendered.has(job.name)) objects.push(renderJob(engine, job.name, { inlineRunEnv: inline }));
  const phases: RunPhase[] = ['Running', 'Succeeded', 'Failed', 'Cancelled'];
  for (const n of snapshot.spec.notify ?? []) for (const phase of phases) if (n.on.includes(phase as never)) objects.push(renderNotifyJob(snapshot, n, phase));
  if (usesRunConfigMap(snapshot)) objects.push(renderRunConfigMap(snapshot));
  const claim = renderWorkspaceClaim(snapshot);
  if (claim) objects.push(claim);
  const status: RunStatus = { ...engine.runStatus(at(clock + 60)), observedGeneration: 1 };
  return { run: { ...run, status } as RunObject, objects };
}

const bytes = (o: unknown) => Buffer.byteLength(JSON.stringify(o));

describe('1,000 generated pipelines', () => {
  it('every Job passes the Kubernetes schema; names are DNS labels ≤ 63 and collision-free; Runs and ConfigMaps fit in etcd', () => {
    const started = Date.now();
    const g = new Gen(SEED);
    const names = { Job: new Set<string>(), ConfigMap: new Set<string>(), PersistentVolumeClaim: new Set<string>(), Run: new Set<string>(), Pipeline: new Set<string>() };
    const counts = { pipelines: 0, jobs: 0, notify: 0, runs: 0, jobObjects: 0, configMaps: 0, claims: 0, rejectedUpFront: 0, collisions: 0 };
    const problems: string[] = [];
    const rejected = new Set<Edge>();
    let largest = { bytes: 0, jobs: 0, run: '' };
    let largestPerJob = { bytes: 0, perJob: 0, run: '' };
    let largestConfigMap = 0;

    for (let i = 0; i < PIPELINES; i++) {
      let name = g.label(g.nameLength());
      while (names.Pipeline.has(name)) name = g.label(g.int(5, 63));
      names.Pipeline.add(name);
      const { pipeline, runParams, edges } = generate(g, name);
      counts.pipelines++;
      const invalid = validatePipeline(pipeline);
      if (invalid.length > 0) {
        // Only the deliberate edge cases may be rejected, each for what it is.
        const explained = invalid.every((e) => edges.some((edge) => EDGE_PATHS[edge].test(e.path)));
        if (edges.length === 0 || !explained) problems.push(`pipeline ${name}: ${invalid.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
        for (const edge of edges) rejected.add(edge);
        counts.rejectedUpFront++;
        continue;
      }
      // An edge case that validation lets through must render Jobs the API server accepts (checked below).
      counts.jobs += pipeline.spec.jobs.length;
      counts.notify += pipeline.spec.notify?.length ?? 0;
      for (const runName of runNames(g, name)) {
        const { run, objects } = renderRun(pipeline, runName, runParams, g);
        counts.runs++;
        if (names.Run.has(runName)) counts.collisions++;
        names.Run.add(runName);
        const runErrors = validateRun(run);
        if (runErrors.length > 0) problems.push(`run ${runName}: ${runErrors.slice(0, 3).map((e) => `${e.path}: ${e.message}`).join('; ')}`);
        const size = bytes(run);
        if (size > largest.bytes) largest = { bytes: size, jobs: run.spec.pipelineSpec!.jobs.length, run: runName };
        const perJob = size / run.spec.pipelineSpec!.jobs.length;
        if (perJob > largestPerJob.perJob) largestPerJob = { bytes: size, perJob, run: runName };
        if (size > MAX_OBJECT_BYTES) problems.push(`run ${runName}: ${size} bytes`);
        for (const obj of objects) {
          const kind = obj.kind as keyof typeof RT;
          const objName = obj.metadata!.name!;
          if (kind === 'Job') counts.jobObjects++;
          if (kind === 'ConfigMap') counts.configMaps++;
          if (kind === 'PersistentVolumeClaim') counts.claims++;
          if (names[kind].has(objName)) {
            counts.collisions++;
            problems.push(`${kind} ${objName} twice (run ${runName})`);
          }
          names[kind].add(objName);
          if (objName.length > 63 || !DNS_LABEL.test(objName)) {
            // ConfigMaps and claims need only be DNS subdomains; Jobs name their pods' hostnames.
            if (kind === 'Job' || objName.length > 63 || !DNS_SUBDOMAIN.test(objName)) problems.push(`${kind} ${objName}: not a DNS label of at most 63 characters`);
          }
          const podLabels = kind === 'Job' ? (obj as unknown as { spec: { template: { metadata?: { labels?: Record<string, string> } } } }).spec.template.metadata?.labels : undefined;
          const found = [...schemaProblems(obj), ...apiServerProblems(obj), ...labelProblems(obj.metadata?.labels), ...labelProblems(podLabels)];
          if (kind === 'ConfigMap') {
            const data = (obj as unknown as { data: Record<string, string> }).data;
            const dataBytes = Object.entries(data).reduce((n, [k, v]) => n + k.length + Buffer.byteLength(v), 0);
            largestConfigMap = Math.max(largestConfigMap, bytes(obj));
            if (dataBytes > MAX_CONFIGMAP_DATA) found.push(`data is ${dataBytes} bytes`);
          }
          if (bytes(obj) > MAX_OBJECT_BYTES) found.push(`${bytes(obj)} bytes`);
          if (found.length > 0) problems.push(`${kind} ${objName} (pipeline ${name}, run ${runName}${edges.length > 0 ? `, edge cases ${edges.join(', ')}` : ''}): ${found.join('; ')}`);
        }
      }
    }
    const seconds = (Date.now() - started) / 1000;
    console.log([
      `${counts.pipelines} pipelines (${counts.rejectedUpFront} edge cases rejected by validatePipeline), ${counts.jobs} jobs, ${counts.notify} notify jobs`,
      `${counts.runs} Runs → ${counts.jobObjects} Jobs, ${counts.configMaps} ConfigMaps, ${counts.claims} claims; ${counts.collisions} name collisions`,
      `largest Run ${(largest.bytes / 1024).toFixed(1)} KiB (${largest.jobs} jobs, ${(largest.bytes / largest.jobs / 1024).toFixed(2)} KiB per job); largest per job ${(largestPerJob.perJob / 1024).toFixed(2)} KiB (${(largestPerJob.bytes / 1024).toFixed(1)} KiB in all)`,
      `largest ConfigMap ${(largestConfigMap / 1024).toFixed(1)} KiB; limit ${MAX_OBJECT_BYTES / 1024} KiB; ${seconds.toFixed(1)} s`,
    ].join('\n'));
    expect(problems.slice(0, 20)).toEqual([]);
    expect(counts.collisions).toBe(0);
    expect(counts.pipelines).toBe(PIPELINES);
    // Each edge case occurred, and validation turned it away before it reached the API server.
    expect([...rejected].sort()).toEqual(['failure-rules', 'label-value', 'workspace-mount', 'workspace-volume']);
  }, 60_000);
});

// ---------------------------------------------------------------- too large for etcd

/** `count` independent jobs whose templates carry a script of `scriptBytes`. */
function wide(count: number, scriptBytes: number, results = false): PipelineSpec {
  const script = 'echo building && '.repeat(Math.ceil(scriptBytes / 17)).slice(0, scriptBytes);
  return {
    jobs: Array.from({ length: count }, (_, i) => ({
      name: `job-${String(i).padStart(4, '0')}`,
      ...(results ? { results: [{ name: 'out' }] } : {}),
      template: { template: { spec: { containers: [{ name: 'main', image: 'busybox:1.37', command: ['sh', '-c', script] }] } } },
    })),
  } as PipelineSpec;
}

const errorsOf = (errors: { path: string; message: string }[]) => errors.map((e) => `${e.path}: ${e.message}`);

describe('a pipeline too large for etcd', () => {
  // 5,000 jobs (the most a Pipeline may have) with 400-byte scripts: the Pipeline alone is over 1.5 MiB.
  const huge = pipelineObject('huge', wide(5000, 400)) as unknown as PipelineObject;
  // 5,000 jobs with 100-byte scripts: the Pipeline fits, a Run of it with a status per job does not.
  const tight = pipelineObject('tight', wide(5000, 100)) as unknown as PipelineObject;
  // Two jobs (so a per-run ConfigMap) and parameter defaults beyond what a ConfigMap holds (1 MiB);
  // Run parameters cannot get there (64 of at most 4 KiB each).
  const BLOB = pipelineObject('blob', { ...wide(2, 10), params: [{ name: 'blob', default: 'b'.repeat(1_100_000) }] }) as unknown as PipelineObject;

  it('validatePipeline and validateRun say so, with the size and the limit (Run object and per-run ConfigMap)', () => {
    expect(bytes(huge)).toBeGreaterThan(MAX_OBJECT_BYTES);
    expect(errorsOf(validatePipeline(huge))).toEqual([expect.stringMatching(/^: Too large: \d+ bytes; the API server stores at most 1572864 bytes per object\. Split the Pipeline\.$/)]);
    const hugeRun = { ...newRun({ pipeline: { ...huge, metadata: { ...huge.metadata, uid: 'u1' } }, name: 'huge-1', metadata: {} }), spec: { pipelineRef: { name: 'huge' }, pipelineSpec: huge.spec } };
    expect(errorsOf(validateRun(hugeRun))).toEqual([expect.stringMatching(/^: Too large: \d+ bytes; the API server stores at most 1572864 bytes per object\. Split the Run\.$/)]);

    expect(bytes(tight)).toBeLessThan(MAX_OBJECT_BYTES);
    const [pipelineError] = validatePipeline(tight);
    expect(validatePipeline(tight)).toHaveLength(1);
    expect(pipelineError).toMatchObject({ path: 'spec.jobs', message: expect.stringMatching(/^Too large: a Run of this pipeline, with a status entry for each of its 5000 jobs, would take about \d+ bytes; the API server stores at most 1572864 bytes per object\. Split the pipeline/) });
    const tightRun = { apiVersion: 'kayci.dev/v1alpha1', kind: 'Run', metadata: { name: 'tight-1', namespace: NS }, spec: { pipelineRef: { name: 'tight' }, pipelineSpec: tight.spec } };
    expect(errorsOf(validateRun(tightRun))).toEqual([expect.stringMatching(/^spec\.pipelineSpec: Too large: a Run of this pipeline, with a status entry for each of its 5000 jobs/)]);
    // Running a few of its jobs fits.
    expect(validateRun({ ...tightRun, spec: { ...tightRun.spec, jobs: ['job-0001', 'job-4999'] } })).toEqual([]);
    // The Run the controller would create carries no snapshot it could not hold.
    expect(newRun({ pipeline: { ...tight, metadata: { ...tight.metadata, uid: 'u2' } }, name: 'tight-2', metadata: {} }).spec.pipelineSpec).toBeUndefined();
    // Parameters beyond what the per-run ConfigMap holds (1 MiB), though the Run itself would fit.
    const blobError = /^spec\.params: Too large: the Run's parameters and metadata take about \d+ bytes as variables; the per-run ConfigMap holds at most 1048576\./;
    expect(bytes(BLOB)).toBeLessThan(MAX_OBJECT_BYTES);
    expect(errorsOf(validatePipeline(BLOB))).toEqual([expect.stringMatching(blobError)]);
    const blobRun = { apiVersion: 'kayci.dev/v1alpha1', kind: 'Run', metadata: { name: 'blob-1', namespace: NS }, spec: { pipelineRef: { name: 'blob' }, pipelineSpec: BLOB.spec } };
    expect(errorsOf(validateRun(blobRun))).toEqual([expect.stringMatching(blobError)]);
    expect(validateRun({ ...blobRun, spec: { ...blobRun.spec, params: [{ name: 'blob', value: 'small' }] } })).toEqual([]);
  });

  it('the Run reconciler fails such Runs as TooLarge: no snapshot write, no Jobs, no retry loop', async () => {
    const env = await environment();
    env.server.store.create(huge as unknown as KubeObject);
    env.server.store.create(tight as unknown as KubeObject);
    // 90 jobs with 14 KB scripts, each writing 4 KiB of results: the snapshot fits, the finished status would not.
    env.server.store.create(pipelineObject('chatty', wide(90, 14_000, true)));
    env.server.jobs.behave(() => ({ messages: { main: `out=${'r'.repeat(4000)}\n` } }));
    // Phases from the store's change feed: polling a 1 MiB Run (a copy per look) would swamp the CPU.
    const phases = new Map<string, string>();
    env.server.onChange((e) => {
      if (e.resource === 'runs.kayci.dev') phases.set(e.object.metadata!.name!, String((e.object.status as RunStatus | undefined)?.phase ?? ''));
    });
    const finished = (run: string, timeoutMs = 20_000) => env.server.waitFor(() => ['Succeeded', 'Failed', 'Cancelled'].includes(phases.get(run) ?? '') && phases.get(run), timeoutMs, `${run} to finish`);
    const manager = await env.start();
    env.server.store.create(runObject('huge-1', 'huge'));
    env.server.store.create(runObject('tight-1', 'tight'));
    env.server.store.create(runObject('tight-few', 'tight', { jobs: ['job-0007'] }));
    env.server.store.create(runObject('chatty-1', 'chatty'));
    env.server.store.create(BLOB as unknown as KubeObject);
    env.server.store.create(runObject('blob-1', 'blob'));
    for (const run of ['huge-1', 'tight-1']) {
      expect(await finished(run)).toBe('Failed');
      const stored = env.server.store.get('runs', NS, run)!;
      expect(stored.status).toMatchObject({ reason: 'TooLarge', message: expect.stringMatching(/^Too large: a Run of this pipeline, with a status entry for each of its 5000 jobs, would take about \d+ bytes/) });
      // Still owned by its Pipeline (deleting the Pipeline deletes it), but without the snapshot.
      expect(stored.metadata!.ownerReferences).toEqual([expect.objectContaining({ kind: 'Pipeline', name: run.split('-')[0] })]);
      expect((stored.spec as { pipelineSpec?: unknown }).pipelineSpec).toBeUndefined();
    }
    expect(await finished('tight-few')).toBe('Succeeded');
    expect(await finished('blob-1')).toBe('Failed');
    expect(env.server.store.get('runs', NS, 'blob-1')!.status).toMatchObject({ reason: 'TooLarge', message: expect.stringContaining('the per-run ConfigMap holds at most 1048576') });
    expect(env.server.store.get('configmaps', NS, 'blob-1-env')).toBeUndefined();
    expect(await finished('chatty-1', 30_000)).toBe('Failed');
    const chatty = env.server.store.get('runs', NS, 'chatty-1')!;
    expect(chatty.status).toMatchObject({ reason: 'TooLarge', message: expect.stringContaining('large results are the usual cause') });
    expect(bytes(chatty)).toBeLessThan(MAX_OBJECT_BYTES);
    const jobs = env.server.store.list('jobs', NS);
    expect(jobs.filter((j) => ['huge-1', 'tight-1', 'blob-1'].includes(String(j.metadata?.labels?.['kayci.dev/run'])))).toEqual([]);
    // Once failed, nothing more: a write or two each (and a Conflict retried), then quiet.
    await new Promise((r) => setTimeout(r, 300));
    const writes = (run: string) => env.server.requestsMatching({ verb: ['update', 'patch'], resource: 'runs', name: run }).length;
    const errors = () => manager.metrics.reconciles.get({ kind: 'Run', result: 'error' });
    const before = { huge: writes('huge-1'), tight: writes('tight-1'), chatty: writes('chatty-1'), blob: writes('blob-1'), errors: errors() };
    expect(before.huge).toBeLessThanOrEqual(4);
    expect(before.tight).toBeLessThanOrEqual(4);
    await new Promise((r) => setTimeout(r, 1000));
    expect({ huge: writes('huge-1'), tight: writes('tight-1'), chatty: writes('chatty-1'), blob: writes('blob-1'), errors: errors() }).toEqual(before);
    const wouldBe = (chatty.status as RunStatus | undefined)?.message?.match(/take (\d+) bytes/)?.[1];
    console.log(`too large: Pipeline huge ${(bytes(huge) / 1024).toFixed(0)} KiB, Pipeline tight ${(bytes(tight) / 1024).toFixed(0)} KiB (a Run of it ~${(projectedRunBytes(tight.spec) / 1024).toFixed(0)} KiB); chatty-1 failed when its status would have made it ${(Number(wouldBe) / 1024).toFixed(0)} KiB, after ${jobs.filter((j) => j.metadata?.labels?.['kayci.dev/run'] === 'chatty-1').length} Jobs`);
  }, 45_000);
});
