// renderJob()/renderRunConfigMap(): everything DESIGN.md says the controller adds to every Job.
// Every rendered object is also checked against the Kubernetes schema.
import { jobObjectName } from '../../src/plan/names.ts';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { describe, expect, it } from 'vitest';
import type { PipelineJob } from '../../src/api/v1alpha1/pipeline.ts';
import type { PlanEngine } from '../../src/plan/engine.ts';
import { INJECT_ENV_ANNOTATION, LABELS, renderJob, renderRunConfigMap, WORKSPACE_VOLUME } from '../../src/plan/render-job.ts';
import { snapshotOf } from '../../src/plan/snapshot.ts';
import { job } from '../helpers/objects.ts';
import { engineOf, runOf, type RunOptions } from './fixtures.ts';

function render(engine: PlanEngine, name: string) {
  const obj = renderJob(engine, name);
  new Job(obj).validate();
  return obj;
}

function one(j: PipelineJob, o: RunOptions = {}) {
  const engine = engineOf([j], o);
  return { engine, job: render(engine, j.name) };
}

const pod = (j: ReturnType<typeof renderJob>) => j.spec!.template.spec!;

/** A job template with a bit of everything a template may hold. */
function rich(name: string, extra: Partial<PipelineJob> = {}): PipelineJob {
  return {
    name,
    ...extra,
    template: {
      podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }, { action: 'Count', onPodConditions: [{ type: 'ConfigIssue', status: 'True' }] }] },
      ttlSecondsAfterFinished: 300,
      template: {
        metadata: { labels: { team: 'infra' }, annotations: { note: 'kept' } },
        spec: {
          restartPolicy: 'OnFailure',
          initContainers: [{ name: 'fetch', image: 'alpine:3.20', command: ['true'] }],
          containers: [
            { name: 'main', image: 'golang:1.24', env: [{ name: 'MSG', value: '$(KAYCI_RESULT_BUILD_DIGEST)' }], envFrom: [{ secretRef: { name: 'creds' } }] },
            { name: 'sidecar', image: 'alpine:3.20', workingDir: '/tmp', volumeMounts: [{ name: 'cache', mountPath: '/cache' }] },
          ],
          volumes: [{ name: 'cache', emptyDir: {} }],
        },
      },
    },
  };
}

describe('renderJob()', () => {
  it('adds name, labels, owner, restart policy, retries, disruption rule, env and no token', () => {
    const { job: j } = one(job('build'));
    const labels = { [LABELS.run]: 'r1', [LABELS.pipeline]: 'demo', [LABELS.job]: 'build' };
    expect(j).toEqual({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: jobObjectName('r1', 'build'),
        namespace: 'ci',
        labels,
        ownerReferences: [{ apiVersion: 'kayci.dev/v1alpha1', kind: 'Run', name: 'r1', uid: 'uid-1', controller: true, blockOwnerDeletion: true }],
      },
      spec: {
        backoffLimit: 0,
        podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] },
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: 'Never',
            automountServiceAccountToken: false,
            containers: [
              {
                name: 'main',
                image: 'alpine:3.20',
                command: ['sh', '-ec', 'true'],
                envFrom: [{ configMapRef: { name: 'r1-env' } }],
                env: [
                  { name: 'KAYCI_JOB', value: 'build' },
                  { name: 'KAYCI_RESULTS_FILE', value: '/dev/termination-log' },
                ],
                terminationMessagePath: '/dev/termination-log',
              },
            ],
          },
        },
      },
    });
  });

  it('backoffLimit = retries, activeDeadlineSeconds = timeoutSeconds', () => {
    const { job: j } = one(job('build', { retries: 3, timeoutSeconds: 600 }));
    expect(j.spec).toMatchObject({ backoffLimit: 3, activeDeadlineSeconds: 600 });
    expect(one(job('b', { retries: 0 })).job.spec).not.toHaveProperty('activeDeadlineSeconds');
  });

  it("keeps the template's pod failure rules first and appends the DisruptionTarget → Ignore rule", () => {
    const { job: j } = one(rich('build'));
    expect(j.spec!.podFailurePolicy!.rules).toEqual([
      { action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } },
      { action: 'Count', onPodConditions: [{ type: 'ConfigIssue', status: 'True' }] },
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
    ]);
    expect(j.spec!.ttlSecondsAfterFinished).toBe(300);
    expect(pod(j).restartPolicy).toBe('Never');
  });

  it('labels and annotations of the template are kept next to kayci labels', () => {
    const { job: j } = one(rich('build'));
    expect(j.spec!.template.metadata).toEqual({
      labels: { team: 'infra', [LABELS.run]: 'r1', [LABELS.pipeline]: 'demo', [LABELS.job]: 'build' },
      annotations: { note: 'kept' },
    });
  });

  it('per-job variables come first, before the containers own env; the run ConfigMap before their envFrom; init containers too', () => {
    const jobs = [job('build', { results: [{ name: 'digest' }, { name: 'tag' }] }), job('lint'), rich('push', { needs: ['build', 'lint'] })];
    const engine = engineOf(jobs);
    engine.observe('build', { phase: 'Succeeded', results: { digest: 'sha256:1' } });
    engine.observe('lint', { phase: 'Succeeded' });
    const j = render(engine, 'push');
    const perJob = [
      { name: 'KAYCI_JOB', value: 'push' },
      { name: 'KAYCI_RESULT_BUILD_DIGEST', value: 'sha256:1' },
      { name: 'KAYCI_RESULT_BUILD_TAG', value: '' },
      { name: 'KAYCI_RESULTS_FILE', value: '/dev/termination-log' },
    ];
    const [main, sidecar] = pod(j).containers;
    expect(main!.env).toEqual([...perJob, { name: 'MSG', value: '$(KAYCI_RESULT_BUILD_DIGEST)' }]);
    expect(main!.envFrom).toEqual([{ configMapRef: { name: 'r1-env' } }, { secretRef: { name: 'creds' } }]);
    expect(sidecar!.env).toEqual(perJob);
    expect(pod(j).initContainers![0]!.env).toEqual(perJob);
    expect(pod(j).initContainers![0]!.envFrom).toEqual([{ configMapRef: { name: 'r1-env' } }]);
    for (const c of [...pod(j).containers, ...pod(j).initContainers!]) expect(c.terminationMessagePath).toBe('/dev/termination-log');
  });

  it('no service-account token unless the template names a service account', () => {
    expect(pod(one(job('a')).job).automountServiceAccountToken).toBe(false);
    const withAccount = job('a');
    withAccount.template.template!.spec!.serviceAccountName = 'deployer';
    const p = pod(one(withAccount).job);
    expect(p.serviceAccountName).toBe('deployer');
    expect(p).not.toHaveProperty('automountServiceAccountToken');
  });

  it(`${INJECT_ENV_ANNOTATION}: "false" turns variable injection off, nothing else`, () => {
    const j = rich('build');
    j.template.template!.metadata!.annotations![INJECT_ENV_ANNOTATION] = 'false';
    const { job: out } = one(j, { spec: { workspace: { size: '1Gi' } } });
    const [main, sidecar] = pod(out).containers;
    expect(main!.env).toEqual([{ name: 'MSG', value: '$(KAYCI_RESULT_BUILD_DIGEST)' }]);
    expect(main!.envFrom).toEqual([{ secretRef: { name: 'creds' } }]);
    expect(main).not.toHaveProperty('terminationMessagePath');
    expect(sidecar).not.toHaveProperty('env');
    expect(sidecar).not.toHaveProperty('envFrom');
    expect(out.metadata!.labels).toEqual({ [LABELS.run]: 'r1', [LABELS.pipeline]: 'demo', [LABELS.job]: 'build' });
    expect(pod(out)).toMatchObject({ restartPolicy: 'Never', automountServiceAccountToken: false });
    expect(main!.volumeMounts).toEqual([{ name: WORKSPACE_VOLUME, mountPath: '/workspace' }]);
    // Any other value leaves injection on.
    const on = rich('build');
    on.template.template!.metadata!.annotations![INJECT_ENV_ANNOTATION] = 'true';
    expect(pod(one(on).job).containers[0]!.env![0]).toEqual({ name: 'KAYCI_JOB', value: 'build' });
  });

  it('with a workspace: the PVC volume, a mount in every container, workingDir unless set', () => {
    const { job: j } = one(rich('build'), { spec: { workspace: { size: '1Gi' } } });
    const p = pod(j);
    expect(p.volumes).toEqual([{ name: 'cache', emptyDir: {} }, { name: WORKSPACE_VOLUME, persistentVolumeClaim: { claimName: 'r1-workspace' } }]);
    const [main, sidecar] = p.containers;
    expect(main).toMatchObject({ workingDir: '/workspace', volumeMounts: [{ name: WORKSPACE_VOLUME, mountPath: '/workspace' }] });
    expect(sidecar).toMatchObject({ workingDir: '/tmp', volumeMounts: [{ name: 'cache', mountPath: '/cache' }, { name: WORKSPACE_VOLUME, mountPath: '/workspace' }] });
    expect(p.initContainers![0]).toMatchObject({ workingDir: '/workspace', volumeMounts: [{ name: WORKSPACE_VOLUME, mountPath: '/workspace' }] });
    const custom = one(job('a'), { spec: { workspace: { size: '1Gi', mountPath: '/src' } } }).job;
    expect(pod(custom).containers[0]).toMatchObject({ workingDir: '/src', volumeMounts: [{ name: WORKSPACE_VOLUME, mountPath: '/src' }] });
  });

  it('without a workspace: no volume, mount or workingDir is added', () => {
    const p = pod(one(rich('build')).job);
    expect(p.volumes).toEqual([{ name: 'cache', emptyDir: {} }]);
    expect(p.containers[0]).not.toHaveProperty('workingDir');
    expect(p.containers[0]).not.toHaveProperty('volumeMounts');
  });

  it('leaves the snapshot untouched and renders the same Job every time', () => {
    const jobs = [rich('build', { retries: 2, timeoutSeconds: 60 })];
    const engine = engineOf(jobs, { spec: { workspace: { size: '1Gi' } } });
    const before = structuredClone(engine.snapshot);
    const first = render(engine, 'build');
    const second = render(engine, 'build');
    expect(engine.snapshot).toEqual(before);
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
    first.spec!.template.spec!.containers[0]!.env!.push({ name: 'X', value: '1' });
    expect(render(engine, 'build')).toEqual(second);
  });

  it('long run and job names: the Job name and the run label are shortened with a hash to 63 characters', () => {
    const run = `nightly-integration-${'x'.repeat(60)}`;
    const jobName = `end-to-end-${'y'.repeat(50)}`;
    const engine = engineOf([job(jobName), job(`${jobName}-2`)], { name: run });
    const a = render(engine, jobName);
    const b = render(engine, `${jobName}-2`);
    for (const j of [a, b]) {
      expect(j.metadata!.name!.length).toBeLessThanOrEqual(63);
      expect(j.metadata!.labels![LABELS.run]!.length).toBeLessThanOrEqual(63);
      expect(j.spec!.template.metadata!.labels![LABELS.run]).toBe(j.metadata!.labels![LABELS.run]);
      expect(j.metadata!.ownerReferences![0]!.name).toBe(run);
    }
    expect(a.metadata!.name).not.toBe(b.metadata!.name);
    expect(renderJob(engineOf([job(jobName)], { name: run }), jobName).metadata!.name).toBe(a.metadata!.name);
  });

  it('an untrusted Run gets no Secret, no Secret volume and no service-account token; everything else stays', () => {
    const secretive: PipelineJob = {
      name: 'build',
      template: {
        template: {
          spec: {
            serviceAccountName: 'deployer',
            automountServiceAccountToken: true,
            imagePullSecrets: [{ name: 'registry' }],
            initContainers: [{ name: 'fetch', image: 'alpine:3.20', env: [{ name: 'DEPLOY_KEY', valueFrom: { secretKeyRef: { name: 'git', key: 'key' } } }] }],
            containers: [{
              name: 'main',
              image: 'golang:1.24',
              env: [{ name: 'PLAIN', value: 'kept' }, { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'registry', key: 'token' } } }, { name: 'FROM_CM', valueFrom: { configMapKeyRef: { name: 'settings', key: 'x' } } }],
              envFrom: [{ secretRef: { name: 'all-secrets' } }, { configMapRef: { name: 'settings' } }],
              volumeMounts: [{ name: 'creds', mountPath: '/creds' }, { name: 'projected', mountPath: '/p' }, { name: 'vault', mountPath: '/v' }, { name: 'cache', mountPath: '/cache' }],
            }],
            volumes: [
              { name: 'creds', secret: { secretName: 'creds' } },
              { name: 'projected', projected: { sources: [{ configMap: { name: 'settings' } }, { serviceAccountToken: { path: 'token', audience: 'vault' } }] } },
              { name: 'vault', csi: { driver: 'secrets-store.csi.k8s.io' } },
              { name: 'cache', emptyDir: {} },
              { name: 'shared-cache', persistentVolumeClaim: { claimName: 'go-mod-cache' } },
              { name: 'docker', hostPath: { path: '/var/run/docker.sock' } },
              { name: 'azure', azureFile: { secretName: 'azure', shareName: 's' } },
            ],
          },
        },
      },
    };
    const trusted = pod(render(engineOf([secretive]), 'build'));
    expect(trusted.serviceAccountName).toBe('deployer');
    expect(JSON.stringify(trusted)).toContain('secretKeyRef');
    const p = pod(render(engineOf([secretive], { untrusted: true }), 'build'));
    const text = JSON.stringify(p);
    for (const gone of ['secretKeyRef', 'secretRef', 'all-secrets', '"secret"', 'serviceAccountToken', 'csi', 'deployer']) expect(text).not.toContain(gone);
    expect(p.automountServiceAccountToken).toBe(false);
    expect(p.serviceAccountName).toBeUndefined();
    expect(p.imagePullSecrets).toEqual([{ name: 'registry' }]);
    expect(p.volumes).toEqual([{ name: 'cache', emptyDir: {} }]);
    const main = p.containers[0]!;
    expect(main.volumeMounts!.map((m) => m.name)).toEqual(['cache']);
    expect(main.env!.map((e) => e.name)).toEqual(expect.arrayContaining(['PLAIN', 'FROM_CM', 'KAYCI_JOB']));
    expect(main.env!.map((e) => e.name)).not.toContain('TOKEN');
    expect(main.envFrom!.map((e) => e.configMapRef?.name)).toEqual(['r1-env', 'settings']);
    expect(p.initContainers![0]!.env!.map((e) => e.name)).not.toContain('DEPLOY_KEY');
  });

  it('an unknown job is an error', () => {
    expect(() => renderJob(engineOf([job('a')]), 'nope')).toThrow(/no job nope in run r1/);
  });
});

describe('renderRunConfigMap()', () => {
  it('holds the run-wide variables, labelled and owned by the Run', () => {
    const snapshot = snapshotOf(runOf([job('a')], { metadata: { branch: 'main', event: 'push' }, params: { v: '1' }, spec: { params: [{ name: 'v' }] } }));
    const cm = renderRunConfigMap(snapshot);
    new ConfigMap(cm).validate();
    expect(cm).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'r1-env',
        namespace: 'ci',
        labels: { [LABELS.run]: 'r1', [LABELS.pipeline]: 'demo' },
        ownerReferences: [{ apiVersion: 'kayci.dev/v1alpha1', kind: 'Run', name: 'r1', uid: 'uid-1', controller: true, blockOwnerDeletion: true }],
      },
      data: { KAYCI_RUN: 'r1', KAYCI_PIPELINE: 'demo', KAYCI_NAMESPACE: 'ci', KAYCI_BRANCH: 'main', KAYCI_EVENT: 'push', KAYCI_PARAM_V: '1' },
    });
  });
});
