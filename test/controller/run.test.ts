// The Run reconciler end to end against the fake API server: the Jobs it creates (and what they
// carry), results through termination messages, retries and disruptions, cancellation,
// timeouts, concurrency, workspaces, notify jobs, snapshots.
import { describe, expect, it } from 'vitest';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import { Job } from 'kubernetes-models/batch/v1/Job';
import type { PipelineSpec } from '../../src/api/v1alpha1/pipeline.ts';
import type { RunStatus } from '../../src/api/v1alpha1/run.ts';
import { environment, layered, NS, phaseOf, pipelineObject, runObject } from './setup.ts';

type J = IJob & { metadata: { name: string; labels: Record<string, string>; ownerReferences: { uid: string; kind: string }[] } };
const jobsOf = (env: Awaited<ReturnType<typeof environment>>, run: string) => env.server.store.list('jobs', NS).filter((j) => j.metadata?.labels?.['kayci.dev/run'] === run) as unknown as J[];
const statusOf = (env: Awaited<ReturnType<typeof environment>>, run: string) => env.server.store.get('runs', NS, run)!.status as RunStatus;
const envOf = (job: J) => Object.fromEntries((job.spec!.template.spec!.containers[0]!.env ?? []).map((e) => [e.name, e.value]));

function oneJob(extra: Record<string, unknown> = {}, script = 'true'): PipelineSpec {
  return { jobs: [{ name: 'only', template: { template: { spec: { containers: [{ name: 'main', image: 'busybox:1.37', command: ['sh', '-c', script] }] } } }, ...extra }] } as PipelineSpec;
}

describe('Run reconciler', () => {
  it('runs a 50-job DAG (10 layers × 5) with the right Jobs, env and results', async () => {
    const env = await environment();
    env.server.jobs.behave((job) => ({ messages: { main: `out=${String(job.metadata?.labels?.['kayci.dev/job'])}\n` } }));
    env.server.store.create(pipelineObject('dag', layered(10, 5, true)));
    await env.start();
    env.server.store.create(runObject('r50', 'dag', { metadata: { provider: 'github', event: 'push', branch: 'main', commitSha: 'abcdef1234567', repo: 'acme/svc' } }));
    const started = Date.now();
    expect(await phaseOf(env.server, 'r50', 60_000)).toBe('Succeeded');
    const seconds = (Date.now() - started) / 1000;
    const jobs = jobsOf(env, 'r50');
    expect(jobs).toHaveLength(50);
    expect(new Set(jobs.map((j) => j.metadata.name)).size).toBe(50);
    const run = env.server.store.get('runs', NS, 'r50')!;
    for (const job of jobs) {
      // Everything DESIGN.md says the controller adds, on what the API server stored.
      expect(job.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Run', uid: run.metadata!.uid, controller: true, blockOwnerDeletion: true })]);
      expect(job.metadata.name.length).toBeLessThanOrEqual(63);
      expect(job.spec!.backoffLimit).toBe(0);
      expect(job.spec!.template.spec!.restartPolicy).toBe('Never');
      expect(job.spec!.template.spec!.automountServiceAccountToken).toBe(false);
      expect(job.spec!.podFailurePolicy!.rules.at(-1)).toEqual({ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] });
      expect(job.spec!.template.spec!.containers[0]!.envFrom).toEqual([{ configMapRef: { name: 'r50-env' } }]);
      expect(() => new Job(job as never).validate()).not.toThrow();
    }
    // Layer 3 reads layer 2's results: the values the pods wrote as termination messages.
    const l3 = jobs.find((j) => j.metadata.labels['kayci.dev/job'] === 'l3-1')!;
    expect(envOf(l3)).toMatchObject({ KAYCI_JOB: 'l3-1', KAYCI_RESULT_L2_0_OUT: 'l2-0', KAYCI_RESULT_L2_4_OUT: 'l2-4', KAYCI_RESULTS_FILE: '/dev/termination-log' });
    const cm = env.server.store.get('configmaps', NS, 'r50-env')!;
    expect(cm.data).toEqual({ KAYCI_RUN: 'r50', KAYCI_PIPELINE: 'dag', KAYCI_NAMESPACE: NS, KAYCI_PROVIDER: 'github', KAYCI_EVENT: 'push', KAYCI_BRANCH: 'main', KAYCI_COMMIT_SHA: 'abcdef1234567', KAYCI_REPO: 'acme/svc' });
    expect(cm.metadata!.ownerReferences).toEqual([expect.objectContaining({ kind: 'Run', uid: run.metadata!.uid })]);
    const status = statusOf(env, 'r50');
    expect(status.jobs).toHaveLength(50);
    expect(status.jobs!.every((j) => j.phase === 'Succeeded' && j.attempts === 1)).toBe(true);
    expect(status.jobs!.find((j) => j.name === 'l9-4')!.results).toEqual({ out: 'l9-4' });
    expect(run.spec).toHaveProperty('pipelineSpec.jobs.length', 50);
    console.log(`50-job DAG: ${seconds.toFixed(2)} s, ${env.server.requests.filter((r) => r.verb !== 'watch' && r.verb !== 'list').length} API writes/reads`);
  }, 90_000);

  it('retries a disrupted pod without spending retries; an application failure spends them', async () => {
    const env = await environment();
    env.server.jobs.behave((job, attempt) => {
      const name = job.metadata?.labels?.['kayci.dev/job'];
      if (name === 'evicted') return { outcome: attempt === 0 ? 'disrupt' : 'succeed' };
      if (name === 'flaky') return { outcome: attempt < 2 ? 'fail' : 'succeed' };
      if (name === 'broken') return { outcome: 'fail', exitCode: 3 };
      return undefined;
    });
    const job = (name: string, retries: number) => ({ name, retries, template: { template: { spec: { containers: [{ name: 'main', image: 'busybox:1.37', command: ['true'] }] } } } });
    env.server.store.create(pipelineObject('retries', { jobs: [job('evicted', 0), job('flaky', 2), job('broken', 1)] } as PipelineSpec));
    await env.start();
    env.server.store.create(runObject('rr', 'retries'));
    expect(await phaseOf(env.server, 'rr')).toBe('Failed');
    const jobs = Object.fromEntries(statusOf(env, 'rr').jobs!.map((j) => [j.name, j]));
    expect(jobs.evicted).toMatchObject({ phase: 'Succeeded', attempts: 1 });
    expect(jobs.flaky).toMatchObject({ phase: 'Succeeded', attempts: 3 });
    expect(jobs.broken).toMatchObject({ phase: 'Failed', attempts: 2, reason: 'BackoffLimitExceeded' });
    expect(jobs.broken!.message).toMatch(/exited with code 3/);
    // The disrupted pod was replaced by the Job controller, under the same Job.
    const evicted = jobsOf(env, 'rr').find((j) => j.metadata.labels['kayci.dev/job'] === 'evicted')!;
    expect(env.server.store.list('pods', NS).filter((p) => p.metadata?.labels?.['job-name'] === evicted.metadata.name)).toHaveLength(2);
  });

  it('cancels: running Jobs are deleted and the Run ends Cancelled', async () => {
    const env = await environment();
    env.server.jobs.behave(() => ({ outcome: 'hang' }));
    env.server.store.create(pipelineObject('slow', layered(2, 2)));
    await env.start();
    env.server.store.create(runObject('rc', 'slow'));
    await env.server.waitFor(() => jobsOf(env, 'rc').length === 2, 10_000, 'first layer');
    env.server.store.mutate('runs', NS, 'rc', (r) => {
      (r.spec as { cancel?: boolean }).cancel = true;
    });
    expect(await phaseOf(env.server, 'rc')).toBe('Cancelled');
    await env.server.waitFor(() => jobsOf(env, 'rc').length === 0, 10_000, 'jobs deleted');
    expect(statusOf(env, 'rc').jobs!.map((j) => j.phase).sort()).toEqual(['Cancelled', 'Cancelled', 'Cancelled', 'Cancelled']);
  });

  it('times a job out by its activeDeadlineSeconds', async () => {
    const env = await environment({ jobController: { secondsMs: 20 } });
    env.server.jobs.behave(() => ({ outcome: 'hang' }));
    env.server.store.create(pipelineObject('t', oneJob({ timeoutSeconds: 5 })));
    await env.start();
    env.server.store.create(runObject('rt', 't'));
    expect(await phaseOf(env.server, 'rt')).toBe('Failed');
    expect(statusOf(env, 'rt').jobs![0]).toMatchObject({ phase: 'Failed', reason: 'DeadlineExceeded' });
    expect(statusOf(env, 'rt').reason).toBe('JobTimedOut');
  });

  it('a single-job Run gets its run-wide variables inline: no ConfigMap', async () => {
    const env = await environment();
    env.server.store.create(pipelineObject('one', oneJob()));
    await env.start();
    env.server.store.create(runObject('r1', 'one', { params: [] }));
    expect(await phaseOf(env.server, 'r1')).toBe('Succeeded');
    const [job] = jobsOf(env, 'r1');
    expect(job!.spec!.template.spec!.containers[0]!.envFrom).toBeUndefined();
    expect(envOf(job!)).toMatchObject({ KAYCI_RUN: 'r1', KAYCI_PIPELINE: 'one', KAYCI_JOB: 'only' });
    expect(env.server.store.list('configmaps', NS).filter((c) => c.metadata?.name === 'r1-env')).toEqual([]);
  });

  it('snapshots the Pipeline: a later edit does not change a Run in flight', async () => {
    const env = await environment();
    env.server.jobs.behave((job) => ({ afterMs: job.metadata?.labels?.['kayci.dev/job'] === 'l0-0' ? 300 : 5 }));
    env.server.store.create(pipelineObject('edit', layered(2, 1)));
    await env.start();
    env.server.store.create(runObject('rs', 'edit'));
    await env.server.waitFor(() => jobsOf(env, 'rs').length === 1, 10_000, 'first job');
    env.server.store.mutate('pipelines', NS, 'edit', (p) => {
      (p.spec as PipelineSpec).jobs.push({ name: 'added-later', template: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } } });
    });
    expect(await phaseOf(env.server, 'rs')).toBe('Succeeded');
    expect(statusOf(env, 'rs').jobs!.map((j) => j.name)).toEqual(['l0-0', 'l1-0']);
    const owner = env.server.store.get('runs', NS, 'rs')!.metadata!.ownerReferences!;
    expect(owner).toEqual([expect.objectContaining({ kind: 'Pipeline', name: 'edit' })]);
  });

  it('waits for a missing Pipeline, then runs', async () => {
    const env = await environment();
    await env.start();
    env.server.store.create(runObject('early', 'later'));
    await env.server.waitFor(() => (env.server.store.get('runs', NS, 'early')?.status as RunStatus | undefined)?.reason === 'PipelineNotFound', 10_000, 'PipelineNotFound');
    env.server.store.create(pipelineObject('later', oneJob()));
    // The Run is requeued every 30 s; a Pipeline event does not name it, so nudge it.
    env.server.store.mutate('runs', NS, 'early', (r) => {
      r.metadata!.labels = { nudge: '1' };
    });
    expect(await phaseOf(env.server, 'early')).toBe('Succeeded');
  });

  it('claims a per-run workspace owned by the Run, and mounts it in every job', async () => {
    const env = await environment();
    env.server.store.create(pipelineObject('ws', { ...layered(1, 2), workspace: { size: '1Gi', storageClassName: 'fast' } } as PipelineSpec));
    await env.start();
    env.server.store.create(runObject('rw', 'ws'));
    expect(await phaseOf(env.server, 'rw')).toBe('Succeeded');
    const pvc = env.server.store.get('persistentvolumeclaims', NS, 'rw-workspace')!;
    expect(pvc.spec).toMatchObject({ accessModes: ['ReadWriteOnce'], storageClassName: 'fast', resources: { requests: { storage: '1Gi' } } });
    expect(pvc.metadata!.ownerReferences).toEqual([expect.objectContaining({ kind: 'Run', name: 'rw' })]);
    for (const job of jobsOf(env, 'rw')) {
      const pod = job.spec!.template.spec!;
      expect(pod.volumes).toEqual([{ name: 'kayci-workspace', persistentVolumeClaim: { claimName: 'rw-workspace' } }]);
      expect(pod.containers[0]!.volumeMounts).toEqual([{ name: 'kayci-workspace', mountPath: '/workspace' }]);
      expect(pod.containers[0]!.workingDir).toBe('/workspace');
    }
  });

  it('starts notify jobs when the Run enters their phase, once each', async () => {
    const env = await environment();
    env.server.jobs.behave((job) => (job.metadata?.labels?.['kayci.dev/job'] === 'l0-1' ? { outcome: 'fail' } : undefined));
    const notify = (name: string, on: string[]) => ({ name, on, template: { template: { spec: { containers: [{ name: 'main', image: 'curl', command: ['true'] }] } } } });
    env.server.store.create(pipelineObject('n', { ...layered(1, 2), notify: [notify('chat', ['Failed']), notify('page', ['Succeeded'])] } as PipelineSpec));
    await env.start();
    env.server.store.create(runObject('rn', 'n'));
    expect(await phaseOf(env.server, 'rn')).toBe('Failed');
    await env.server.waitFor(() => jobsOf(env, 'rn').some((j) => j.metadata.labels['kayci.dev/notify']), 10_000, 'notify job');
    const notified = jobsOf(env, 'rn').filter((j) => j.metadata.labels['kayci.dev/notify']);
    expect(notified.map((j) => j.metadata.labels['kayci.dev/notify'])).toEqual(['chat']);
    expect(envOf(notified[0]!)).toMatchObject({ KAYCI_JOB: 'chat', KAYCI_RUN_PHASE: 'Failed' });
  });

  it('concurrency: max 1 queues Runs in creation order; cancelInProgress supersedes older Runs', async () => {
    const env = await environment();
    env.server.jobs.behave(() => ({ afterMs: 150 }));
    env.server.store.create(pipelineObject('serial', { ...oneJob(), concurrency: { group: 'deploy-$(KAYCI_BRANCH)', max: 1 } } as PipelineSpec));
    env.server.store.create(pipelineObject('latest', { ...oneJob(), concurrency: { cancelInProgress: true } } as PipelineSpec));
    await env.start();
    for (const n of ['a', 'b', 'c']) env.server.store.create(runObject(`s-${n}`, 'serial', { metadata: { branch: 'main' } }));
    await env.server.waitFor(() => (env.server.store.get('runs', NS, 's-c')?.status as RunStatus | undefined)?.reason === 'Queued', 10_000, 's-c queued');
    for (const n of ['a', 'b', 'c']) expect(await phaseOf(env.server, `s-${n}`)).toBe('Succeeded');
    const windows = ['a', 'b', 'c'].map((n) => statusOf(env, `s-${n}`)).map((s) => [Date.parse(s.startTime!), Date.parse(s.completionTime!)]);
    // One at a time, in order.
    expect(windows[1]![0]).toBeGreaterThanOrEqual(windows[0]![1]! - 1000);
    env.server.jobs.behave(() => ({ outcome: 'hang' }));
    // Created in the same second: the created-at annotation (set by kayci's own Run creators) orders them.
    const created = (name: string) => ({ ...runObject(name, 'latest'), metadata: { name, namespace: NS, annotations: { 'kayci.dev/created-at': new Date().toISOString() } } });
    env.server.store.create(created('l-old'));
    await env.server.waitFor(() => jobsOf(env, 'l-old').length === 1, 10_000, 'old run started');
    env.server.store.create(created('l-new'));
    expect(await phaseOf(env.server, 'l-old')).toBe('Cancelled');
    expect(statusOf(env, 'l-old')).toMatchObject({ reason: 'Superseded', message: expect.stringContaining('l-new') });
    await env.server.waitFor(() => jobsOf(env, 'l-old').length === 0, 10_000, 'old job deleted');
  });
});
