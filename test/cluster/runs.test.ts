// Runs executed by `kayci controller` (as the ServiceAccount `kayci install` creates) with a real
// API server, Job controller, scheduler and garbage collector; kwok plays the kubelet. The Go
// example succeeds with results passed through termination messages; a failing job fails its
// Run; an evicted pod is retried without spending retries; deleting a Run deletes what it owns;
// retention deletes old Runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { admin, Controller, EXAMPLES, install, serviceAccountKubeconfig, synthExample } from './kayci.ts';
import { waitFor, type KubeObject } from './kube.ts';
import { goServicePipeline, jobStatus, pipeline, release, runningPod, runObject, runObjects, testNamespace, waitForRun, withBehaviour, type JobStatus } from './runs.ts';

const kube = admin();
const NS = 'runs';
const SHA = '3f786850e387550fdab836ed7e6dc881de23001b';
const RUNS = `/apis/kayci.dev/v1alpha1/namespaces/${NS}/runs`;
let controller: Controller;

const GO_RESULTS = {
  checkout: { results: `commit=${SHA}` },
  test: { results: 'coverage=81.3%\njunit=.kayci/out/test/junit.xml' },
  'build-linux-amd64': { results: `binary=bin/server-linux-amd64\nsha256=${'a'.repeat(64)}` },
  'build-linux-arm64': { results: `binary=bin/server-linux-arm64\nsha256=${'b'.repeat(64)}` },
};
const PUSH = {
  provider: 'github',
  event: 'push',
  repoUrl: 'https://github.com/acme/go-service.git',
  repo: 'acme/go-service',
  commitSha: SHA,
  ref: 'refs/heads/main',
  branch: 'main',
  actor: 'octocat',
};

beforeAll(async () => {
  await install(kube);
  await testNamespace(kube, NS);
  controller = await Controller.start(await serviceAccountKubeconfig(kube));
});
afterAll(async () => {
  await controller?.stop();
  await kube.close();
});

describe('the Go example in a real cluster', () => {
  it('a push Run succeeds: real Jobs and Pods, the KAYCI_* env on the pods, results through termination messages', async () => {
    await kube.apply(withBehaviour(await goServicePipeline(), GO_RESULTS), NS);
    await kube.create(RUNS, runObject('go-1', 'go-service', { metadata: PUSH, params: [{ name: 'version', value: '1.2.3' }] }));
    const run = await waitForRun(kube, NS, 'go-1');
    expect(run.status.phase, JSON.stringify(run.status, null, 2)).toBe('Succeeded');

    // The jobs a push runs, with the results their containers wrote; the publishing jobs are for tags.
    const ran = ['checkout', 'vet', 'test', 'build-linux-amd64', 'build-linux-arm64'];
    for (const name of ran) expect(jobStatus(run, name)?.phase, name).toBe('Succeeded');
    for (const name of ['image', 'push', 'sbom', 'sign', 'scan']) expect(jobStatus(run, name)?.phase, name).toBe('Skipped');
    expect(jobStatus(run, 'checkout')?.results).toEqual({ commit: SHA });
    expect(jobStatus(run, 'test')?.results).toEqual({ coverage: '81.3%', junit: '.kayci/out/test/junit.xml' });
    expect(jobStatus(run, 'build-linux-arm64')?.results).toEqual({ binary: 'bin/server-linux-arm64', sha256: 'b'.repeat(64) });

    const { jobs, pods, configMaps, claims } = await runObjects(kube, NS, 'go-1');
    // One Job per job that ran, completed by the real Job controller, owned by the Run.
    expect(jobs.map((j) => j.metadata.labels!['kayci.dev/job']).sort()).toEqual([...ran].sort());
    for (const job of jobs) {
      const name = job.metadata.labels!['kayci.dev/job']!;
      expect(job.metadata.name).toBe(jobStatus(run, name)?.jobName);
      expect(job.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Run', name: 'go-1', uid: run.metadata.uid, controller: true, blockOwnerDeletion: true })]);
      expect(job.status.conditions.find((c: { type: string }) => c.type === 'Complete')?.status).toBe('True');
      expect(job.spec.backoffLimit).toBe(name === 'test' ? 1 : 0);
      expect(job.spec.podFailurePolicy.rules.at(-1)).toEqual({ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] });
      expect(job.spec.template.spec.restartPolicy).toBe('Never');
      expect(job.spec.template.spec.automountServiceAccountToken).toBe(false);
    }
    // Real pods: created by the Job controller, bound to the fake node by the scheduler.
    const succeeded = pods.filter((p) => p.status.phase === 'Succeeded');
    expect(succeeded.map((p) => p.metadata.labels!['kayci.dev/job']).sort()).toEqual([...ran].sort());
    for (const pod of succeeded) expect(pod.spec.nodeName).toBe('kwok-node-0');

    // The run-wide variables, from the per-run ConfigMap every container reads with envFrom.
    expect(configMaps).toHaveLength(1);
    const configMap = configMaps[0]!;
    expect(configMap.data).toEqual(expect.objectContaining({
      KAYCI_RUN: 'go-1',
      KAYCI_PIPELINE: 'go-service',
      KAYCI_NAMESPACE: NS,
      KAYCI_PROVIDER: 'github',
      KAYCI_EVENT: 'push',
      KAYCI_REPO_URL: PUSH.repoUrl,
      KAYCI_REPO: PUSH.repo,
      KAYCI_COMMIT_SHA: SHA,
      KAYCI_REF: PUSH.ref,
      KAYCI_BRANCH: 'main',
      KAYCI_ACTOR: 'octocat',
      KAYCI_PARAM_VERSION: '1.2.3',
    }));
    expect(Object.values(configMap.data as Record<string, string>)).not.toContain('');
    expect(configMap.data).not.toHaveProperty('KAYCI_TAG');
    const vet = succeeded.find((p) => p.metadata.labels!['kayci.dev/job'] === 'vet')!;
    const container = vet.spec.containers[0];
    expect(container.envFrom).toEqual([{ configMapRef: { name: configMap.metadata.name } }]);
    const env = Object.fromEntries((container.env as { name: string; value: string }[]).map((e) => [e.name, e.value]));
    // Per job: its name, the results of the jobs it needs (read from their termination messages), the results file.
    expect(env.KAYCI_JOB).toBe('vet');
    expect(env.KAYCI_RESULT_CHECKOUT_COMMIT).toBe(SHA);
    expect(env.KAYCI_RESULTS_FILE).toBe(container.terminationMessagePath);
    // The Go cache and the Run's workspace: claims the scheduler waited to be bound.
    expect(vet.spec.volumes.map((v: { persistentVolumeClaim?: { claimName: string } }) => v.persistentVolumeClaim?.claimName)).toEqual(expect.arrayContaining(['kayci-cache-go', claims[0]?.metadata.name]));
    expect(claims).toHaveLength(1);
    expect(claims[0]!.status.phase).toBe('Bound');
    expect(claims[0]!.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Run', name: 'go-1', uid: run.metadata.uid })]);
    // The container's termination message is where the results came from.
    const testPod = succeeded.find((p) => p.metadata.labels!['kayci.dev/job'] === 'test')!;
    expect(testPod.status.containerStatuses[0].state.terminated.message).toBe(GO_RESULTS.test.results);
  });

  it('a failing job fails the Run after its retries; jobs that do not need it still run', async () => {
    const failing = withBehaviour(await goServicePipeline(), { ...GO_RESULTS, test: { exitCode: '3' } });
    failing.metadata.name = 'go-service-failing';
    await kube.apply(failing, NS);
    await kube.create(RUNS, runObject('go-2', 'go-service-failing', { metadata: { ...PUSH, branch: 'fails', ref: 'refs/heads/fails' } }));
    const run = await waitForRun(kube, NS, 'go-2', undefined, 180_000);
    expect(run.status.phase).toBe('Failed');
    const test = jobStatus(run, 'test')!;
    expect(test.phase).toBe('Failed');
    // retries: 1 — the real Job controller ran two pods (backoffLimit 1) before the Job failed.
    expect(test.attempts).toBe(2);
    expect(test.message).toContain('container test exited with code 3');
    for (const name of ['checkout', 'vet', 'build-linux-amd64', 'build-linux-arm64']) expect(jobStatus(run, name)?.phase, name).toBe('Succeeded');
    const { jobs, pods } = await runObjects(kube, NS, 'go-2');
    const job = jobs.find((j) => j.metadata.labels!['kayci.dev/job'] === 'test')!;
    expect(job.status.failed).toBe(2);
    expect(job.status.conditions.find((c: { type: string }) => c.type === 'Failed')).toEqual(expect.objectContaining({ status: 'True', reason: 'BackoffLimitExceeded' }));
    expect(pods.filter((p) => p.metadata.labels!['kayci.dev/job'] === 'test' && p.status.phase === 'Failed')).toHaveLength(2);
  });
});

describe('every example pipeline, run for a tag (its publishing jobs too)', () => {
  it.each(EXAMPLES)('examples/%s: every Job is accepted by the API server and run', async (example) => {
    const object = parseAllDocuments(await synthExample(example)).map((d) => d.toJS() as KubeObject).find((o) => o?.kind === 'Pipeline')!;
    const name = `tag-${object.metadata.name}`;
    object.metadata.name = name;
    await kube.apply(object, NS);
    const tag = { ...PUSH, event: 'tag', ref: 'refs/tags/v1.2.3', tag: 'v1.2.3', branch: undefined };
    await kube.create(RUNS, runObject(`${name}-1`, name, { metadata: tag }));
    const run = await waitForRun(kube, NS, `${name}-1`, undefined, 180_000);
    expect(run.status.phase, JSON.stringify(run.status, null, 2)).toBe('Succeeded');
    const statuses = run.status.jobs as JobStatus[];
    expect(statuses.filter((j) => j.phase !== 'Succeeded' && j.phase !== 'Skipped')).toEqual([]);
    const ran = statuses.filter((j) => j.phase === 'Succeeded').map((j) => j.name);
    const { jobs } = await runObjects(kube, NS, `${name}-1`);
    expect(jobs.map((j) => j.metadata.labels!['kayci.dev/job']).sort()).toEqual([...ran].sort());
    console.log(`examples/${example} for a tag: ${ran.length} of ${statuses.length} jobs ran as real Jobs (${ran.join(', ')})`);
  });
});

describe('pod disruptions', () => {
  it('an evicted pod is retried without spending the job\'s retries (the Job controller applies the pod failure policy)', async () => {
    await kube.apply(pipeline('flaky', [{ name: 'work', results: ['done'], behaviour: { hold: 'true', results: 'done=yes' } }]), NS);
    const watch = await kube.record(`/api/v1/namespaces/${NS}/pods`, 'kayci.dev/run=flaky-1');
    try {
      await kube.create(RUNS, runObject('flaky-1', 'flaky'));
      const first = await runningPod(kube, NS, 'flaky-1', 'work');
      // The Eviction API, as a node drain uses it: the API server marks the pod DisruptionTarget and deletes it.
      await kube.create(`/api/v1/namespaces/${NS}/pods/${first.metadata.name}/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: first.metadata.name, namespace: NS } });
      const second = await runningPod(kube, NS, 'flaky-1', 'work', [first.metadata.uid!]);
      await release(kube, second);
      const run = await waitForRun(kube, NS, 'flaky-1');
      expect(run.status.phase).toBe('Succeeded');
      expect(jobStatus(run, 'work')).toEqual(expect.objectContaining({ phase: 'Succeeded', attempts: 1, results: { done: 'yes' } }));

      // The first pod did fail, as a disruption; with backoffLimit 0 it would have failed the Job had it counted.
      const states = watch.seen.filter((p) => p.metadata.uid === first.metadata.uid);
      const failed = states.find((p) => p.status?.phase === 'Failed');
      expect(failed, 'the evicted pod reached Failed').toBeDefined();
      expect(failed!.status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'DisruptionTarget', status: 'True' })]));
      const job = (await runObjects(kube, NS, 'flaky-1')).jobs[0]!;
      expect(job.spec.backoffLimit).toBe(0);
      expect(job.status.failed ?? 0).toBe(0);
      expect(job.status.succeeded).toBe(1);
    } finally {
      watch.stop();
    }
  });

  it('the same failure without the disruption condition spends the retries: the Run fails', async () => {
    await kube.apply(pipeline('fragile', [{ name: 'work', behaviour: { exitCode: '137' } }]), NS);
    await kube.create(RUNS, runObject('fragile-1', 'fragile'));
    const run = await waitForRun(kube, NS, 'fragile-1');
    expect(run.status.phase).toBe('Failed');
    expect(jobStatus(run, 'work')).toEqual(expect.objectContaining({ phase: 'Failed', attempts: 1 }));
  });
});

describe('retention', () => {
  it('keeps the newest succeeded Run and deletes the older ones', async () => {
    await kube.apply(pipeline('kept', [{ name: 'a' }, { name: 'b', needs: ['a'] }], { retention: { succeeded: 1, failed: 1 } }), NS);
    for (const name of ['kept-1', 'kept-2', 'kept-3']) {
      await kube.create(RUNS, runObject(name, 'kept'));
      expect((await waitForRun(kube, NS, name)).status.phase).toBe('Succeeded');
    }
    const left = await waitFor('retention to delete kept-1 and kept-2', async () => {
      const runs = (await kube.list(RUNS)).filter((r) => r.spec.pipelineRef.name === 'kept');
      return runs.length === 1 ? runs : undefined;
    });
    expect(left.map((r: KubeObject) => r.metadata.name)).toEqual(['kept-3']);
    // And what the deleted Runs owned went with them.
    await waitFor('the objects of deleted Runs to be gone', async () => {
      const all = await Promise.all(['kept-1', 'kept-2'].map((r) => runObjects(kube, NS, r)));
      return all.every((o) => o.jobs.length + o.configMaps.length + o.pods.length === 0);
    });
    const pipelineStatus = (await kube.get(`/apis/kayci.dev/v1alpha1/namespaces/${NS}/pipelines/kept`)).status;
    expect(pipelineStatus.lastRun).toEqual(expect.objectContaining({ name: 'kept-3', phase: 'Succeeded' }));
  });
});

describe('garbage collection', () => {
  it('deleting a Run deletes its Jobs, Pods, ConfigMap and workspace claim (the garbage collector, by owner references)', async () => {
    const before = await runObjects(kube, NS, 'go-1');
    expect(before.jobs.length).toBeGreaterThan(0);
    expect(before.configMaps).toHaveLength(1);
    await kube.delete(`${RUNS}/go-1`);
    // The controller may not delete ConfigMaps or claims (RBAC: create only): only the GC can.
    const after = await waitFor('the Run\'s objects to be gone', async () => {
      const objects = await runObjects(kube, NS, 'go-1');
      return Object.values(objects).every((list) => list.length === 0) ? objects : undefined;
    }, 120_000);
    expect(after).toEqual({ jobs: [], pods: [], configMaps: [], claims: [] });
    expect(await kube.find(`${RUNS}/go-1`)).toBeUndefined();
  });
});

describe('the controller', () => {
  it('was never refused by the API server: the RBAC of kayci install is sufficient', async () => {
    expect(await controller.forbidden()).toEqual([]);
    const requests = await controller.apiRequests();
    const total = [...requests.values()].reduce((a, b) => a + b, 0);
    console.log(`controller API requests: ${total} (${[...requests].map(([k, v]) => `${k}: ${v}`).join(', ')})`);
    expect(total).toBeGreaterThan(0);
    expect(controller.other).toEqual([]);
    // Warnings are transient (a watch on a just-created CRD while the API server's cache fills);
    // nothing was an error.
    const warnings = controller.logs.filter((l) => l.level === 'warn').map((l) => `${l.msg}: ${String(l.error ?? '')}`);
    console.log(`controller logs: ${controller.logs.length} lines, ${warnings.length} warnings${warnings.length ? ` (${[...new Set(warnings)].join('; ')})` : ''}`);
    expect(controller.logs.filter((l) => l.level === 'error')).toEqual([]);
  });
});
