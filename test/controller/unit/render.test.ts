// What the controller renders besides ordinary jobs: notify Jobs, the workspace claim, Jobs
// with the run-wide variables inlined (Runs of one job need no ConfigMap), and when a Run
// gets a ConfigMap at all. Every rendered object passes the Kubernetes schema.
import { describe, expect, it } from 'vitest';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { NotifyJob, PipelineJob, PipelineSpec } from '../../../src/api/v1alpha1/pipeline.ts';
import type { RunPhase } from '../../../src/api/v1alpha1/run.ts';
import { jobObjectName, notifyJobObjectName, runConfigMapName, workspaceClaimName } from '../../../src/plan/names.ts';
import { LABELS, renderJob, renderNotifyJob, renderRunConfigMap, renderWorkspaceClaim, RUN_PHASE_ENV, usesRunConfigMap, WORKSPACE_VOLUME, INJECT_ENV_ANNOTATION, type RenderedJob } from '../../../src/plan/render-job.ts';
import { snapshotOf } from '../../../src/plan/snapshot.ts';
import { job } from '../../helpers/objects.ts';
import { engineOf, runOf, type RunOptions } from '../../plan/fixtures.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const OWNER = { apiVersion: 'kayci.dev/v1alpha1', kind: 'Run', name: 'r1', uid: 'uid-1', controller: true, blockOwnerDeletion: true };

function notifyJob(name: string, on: NotifyJob['on'] = ['Failed', 'Succeeded']): NotifyJob {
  return {
    name,
    on,
    template: {
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'post', image: 'curlimages/curl:8.8.0', command: ['sh', '-c', 'curl -d "$KAYCI_RUN $KAYCI_RUN_PHASE" https://chat.example/hook'], env: [{ name: 'TEXT', value: '$(KAYCI_RUN_PHASE)' }] }],
        },
      },
    },
  };
}

function snapshot(jobs: PipelineJob[], spec: Omit<PipelineSpec, 'jobs'> = {}, o: RunOptions = {}) {
  return snapshotOf(runOf(jobs, { ...o, spec }));
}

const validJob = (j: RenderedJob) => {
  new Job(j).validate();
  return j;
};
const pod = (j: RenderedJob) => j.spec!.template.spec!;
const names = (env: { name: string }[] | undefined) => (env ?? []).map((e) => e.name);

describe('renderNotifyJob()', () => {
  const slack = notifyJob('slack');
  const snap = snapshot([job('build'), job('test')], { notify: [slack, notifyJob('mail')] });

  it('is named for the run, the notify job and the phase — the same every time', () => {
    const a = validJob(renderNotifyJob(snap, slack, 'Failed'));
    const b = validJob(renderNotifyJob(snap, slack, 'Failed'));
    expect(a.metadata!.name).toBe(b.metadata!.name);
    expect(a.metadata!.name).toBe(notifyJobObjectName('r1', 'slack', 'Failed'));
    expect(a.metadata!.name).toMatch(/^r1-notify-slack-failed-[0-9a-f]{8}$/);
  });

  it('gives every (notify job, phase) its own name', () => {
    const phases: RunPhase[] = ['Running', 'Succeeded', 'Failed', 'Cancelled'];
    const all = ['slack', 'mail'].flatMap((n) => phases.map((p) => renderNotifyJob(snap, notifyJob(n), p).metadata!.name!));
    expect(new Set(all).size).toBe(all.length);
  });

  it('never takes the name of a job that happens to be called notify-<name>-<phase>', () => {
    const twin = snapshot([job('notify-slack-failed')], { notify: [slack] });
    const notifyName = renderNotifyJob(twin, slack, 'Failed').metadata!.name;
    const jobName = renderJob(engineOf([job('notify-slack-failed')], { spec: { notify: [slack] } }), 'notify-slack-failed').metadata!.name;
    expect(jobName).toBe(jobObjectName('r1', 'notify-slack-failed'));
    expect(notifyName).not.toBe(jobName);
  });

  it('stays a valid DNS label for long names', () => {
    const long = snapshot([job('build')], { notify: [notifyJob('n'.repeat(63))] }, { name: 'r'.repeat(63) });
    const name = renderNotifyJob(long, notifyJob('n'.repeat(63)), 'Cancelled').metadata!.name!;
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(DNS_LABEL);
  });

  it('labels it kayci.dev/notify (not kayci.dev/job) and makes the Run its controlling owner', () => {
    const j = renderNotifyJob(snap, slack, 'Succeeded');
    const labels = { [LABELS.run]: 'r1', [LABELS.pipeline]: 'demo', [LABELS.notify]: 'slack' };
    expect(j.metadata).toEqual({ name: notifyJobObjectName('r1', 'slack', 'Succeeded'), namespace: 'ci', labels, ownerReferences: [OWNER] });
    expect(j.spec!.template.metadata!.labels).toEqual(labels);
    expect(j.metadata!.labels).not.toHaveProperty(LABELS.job);
  });

  it('sets the run-wide variables inline (a Run cancelled early has no ConfigMap), then KAYCI_JOB and KAYCI_RUN_PHASE, before the container\'s own env', () => {
    const j = validJob(renderNotifyJob(snap, slack, 'Failed'));
    const c = pod(j).containers[0]!;
    const names = c.env!.map((e) => e.name);
    expect(names.slice(0, 3)).toEqual(['KAYCI_RUN', 'KAYCI_PIPELINE', 'KAYCI_NAMESPACE']);
    expect(c.env!.slice(-4)).toEqual([
      { name: 'KAYCI_JOB', value: 'slack' },
      { name: RUN_PHASE_ENV, value: 'Failed' },
      { name: 'KAYCI_RESULTS_FILE', value: '/dev/termination-log' },
      { name: 'TEXT', value: '$(KAYCI_RUN_PHASE)' },
    ]);
    expect(RUN_PHASE_ENV).toBe('KAYCI_RUN_PHASE');
    expect(c.envFrom).toBeUndefined();
  });

  it('gets what every Job gets: restartPolicy Never, no retries, the disruption rule, no token', () => {
    const j = renderNotifyJob(snap, slack, 'Failed');
    expect(j.spec!.backoffLimit).toBe(0);
    expect(j.spec!.podFailurePolicy).toEqual({ rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] });
    expect(pod(j).restartPolicy).toBe('Never');
    expect(pod(j).automountServiceAccountToken).toBe(false);
  });

  it('does not change the notify job it renders', () => {
    const n = notifyJob('slack');
    const before = JSON.stringify(n);
    renderNotifyJob(snapshot([job('a')], { notify: [n] }), n, 'Failed');
    expect(JSON.stringify(n)).toBe(before);
  });
});

describe('renderWorkspaceClaim()', () => {
  const table: [string, NonNullable<PipelineSpec['workspace']>, object][] = [
    ['size only: ReadWriteOnce, the default class', { size: '1Gi' }, { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } }],
    ['a storage class', { size: '500Mi', storageClassName: 'fast-ssd' }, { accessModes: ['ReadWriteOnce'], storageClassName: 'fast-ssd', resources: { requests: { storage: '500Mi' } } }],
    ['ReadWriteMany', { size: '10Gi', accessMode: 'ReadWriteMany', storageClassName: 'nfs' }, { accessModes: ['ReadWriteMany'], storageClassName: 'nfs', resources: { requests: { storage: '10Gi' } } }],
    ['ReadWriteOncePod', { size: '2G', accessMode: 'ReadWriteOncePod' }, { accessModes: ['ReadWriteOncePod'], resources: { requests: { storage: '2G' } } }],
  ];

  it.each(table)('%s', (_name, workspace, spec) => {
    const claim = renderWorkspaceClaim(snapshot([job('build')], { workspace }))!;
    new PersistentVolumeClaim(claim).validate();
    // A JSON round trip, as the claim goes over the wire: an unset class is no key at all.
    expect(JSON.parse(JSON.stringify(claim))).toEqual({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: workspaceClaimName('r1'), namespace: 'ci', labels: { [LABELS.run]: 'r1', [LABELS.pipeline]: 'demo' }, ownerReferences: [OWNER] },
      spec,
    });
  });

  it('is undefined without a workspace', () => {
    expect(renderWorkspaceClaim(snapshot([job('build')]))).toBeUndefined();
  });

  it('is the claim every job mounts', () => {
    const engine = engineOf([job('build')], { spec: { workspace: { size: '1Gi', mountPath: '/src' } } });
    const j = validJob(renderJob(engine, 'build'));
    expect(pod(j).volumes).toEqual([{ name: WORKSPACE_VOLUME, persistentVolumeClaim: { claimName: renderWorkspaceClaim(engine.snapshot)!.metadata!.name } }]);
    expect(pod(j).containers[0]!.volumeMounts).toEqual([{ name: WORKSPACE_VOLUME, mountPath: '/src' }]);
  });
});

describe('renderJob(…, { inlineRunEnv })', () => {
  const metadata = { provider: 'github' as const, event: 'push', repo: 'acme/app', commitSha: 'a'.repeat(40), branch: 'main', ref: 'refs/heads/main' };
  const RUN_WIDE = ['KAYCI_RUN', 'KAYCI_PIPELINE', 'KAYCI_NAMESPACE', 'KAYCI_PROVIDER', 'KAYCI_EVENT', 'KAYCI_REPO', 'KAYCI_COMMIT_SHA', 'KAYCI_REF', 'KAYCI_BRANCH', 'KAYCI_PARAM_GO_VERSION'];
  const rich: PipelineJob = {
    name: 'build',
    template: {
      template: {
        spec: {
          restartPolicy: 'Never',
          initContainers: [{ name: 'fetch', image: 'alpine/git:2.45.2', env: [{ name: 'DEPTH', value: '1' }] }],
          containers: [
            { name: 'main', image: 'golang:1.24', env: [{ name: 'REF', value: '$(KAYCI_COMMIT_SHA)' }], envFrom: [{ secretRef: { name: 'creds' } }] },
            { name: 'side', image: 'alpine:3.20' },
          ],
        },
      },
    },
  };
  const options: RunOptions = { metadata, spec: { params: [{ name: 'go-version', default: '1.24' }] } };

  it('puts the run-wide variables first in every container, then the job\'s, then the container\'s own', () => {
    const engine = engineOf([rich], options);
    const j = validJob(renderJob(engine, 'build', { inlineRunEnv: true }));
    const own: Record<string, string[]> = { fetch: ['DEPTH'], main: ['REF'], side: [] };
    for (const c of [...pod(j).initContainers!, ...pod(j).containers]) {
      expect(names(c.env)).toEqual([...RUN_WIDE, 'KAYCI_JOB', 'KAYCI_RESULTS_FILE', ...own[c.name]!]);
    }
    const env = Object.fromEntries(pod(j).containers[0]!.env!.map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ KAYCI_RUN: 'r1', KAYCI_PIPELINE: 'demo', KAYCI_NAMESPACE: 'ci', KAYCI_BRANCH: 'main', KAYCI_COMMIT_SHA: 'a'.repeat(40), KAYCI_PARAM_GO_VERSION: '1.24', KAYCI_JOB: 'build' });
  });

  it('holds exactly what the ConfigMap would', () => {
    const engine = engineOf([rich], options);
    const cm = renderRunConfigMap(engine.snapshot);
    new ConfigMap(cm).validate();
    const c = pod(renderJob(engine, 'build', { inlineRunEnv: true })).containers[0]!;
    const inlined = Object.fromEntries(c.env!.filter((e) => !['KAYCI_JOB', 'KAYCI_RESULTS_FILE', 'REF'].includes(e.name)).map((e) => [e.name, e.value]));
    expect(inlined).toEqual(cm.data);
  });

  it('references no ConfigMap, but keeps a container\'s own envFrom', () => {
    const j = renderJob(engineOf([rich], options), 'build', { inlineRunEnv: true });
    expect(JSON.stringify(j)).not.toContain(runConfigMapName('r1'));
    const [fetch] = pod(j).initContainers!;
    const [main, side] = pod(j).containers;
    expect(fetch!.envFrom).toBeUndefined();
    expect(main!.envFrom).toEqual([{ secretRef: { name: 'creds' } }]);
    expect(side!.envFrom).toBeUndefined();
  });

  it('without it, the ConfigMap comes first in envFrom and no run-wide variable is in env', () => {
    const j = validJob(renderJob(engineOf([rich], options), 'build'));
    const [main] = pod(j).containers;
    expect(main!.envFrom).toEqual([{ configMapRef: { name: runConfigMapName('r1') } }, { secretRef: { name: 'creds' } }]);
    expect(names(main!.env)).toEqual(['KAYCI_JOB', 'KAYCI_RESULTS_FILE', 'REF']);
  });

  it('injects nothing when the template turns injection off', () => {
    const off: PipelineJob = { ...rich, template: { template: { ...rich.template.template, metadata: { annotations: { [INJECT_ENV_ANNOTATION]: 'false' } } } } };
    const j = validJob(renderJob(engineOf([off], options), 'build', { inlineRunEnv: true }));
    const [main, side] = pod(j).containers;
    expect(names(main!.env)).toEqual(['REF']);
    expect(side!.env).toBeUndefined();
    expect(main!.envFrom).toEqual([{ secretRef: { name: 'creds' } }]);
  });
});

describe('usesRunConfigMap()', () => {
  const table: [string, PipelineJob[], Omit<PipelineSpec, 'jobs'>, string[] | undefined, boolean][] = [
    ['one job', [job('a')], {}, undefined, false],
    ['two jobs', [job('a'), job('b', { needs: ['a'] })], {}, undefined, true],
    ['one job and a notify job', [job('a')], { notify: [notifyJob('n')] }, undefined, true],
    ['one job and an empty notify list', [job('a')], { notify: [] }, undefined, false],
    ['a Run of one job picked out of three', [job('a'), job('b'), job('c')], {}, ['b'], false],
    ['a Run of one job and what it needs', [job('a'), job('b', { needs: ['a'] }), job('c')], {}, ['b'], true],
  ];

  it.each(table)('%s → %s', (_name, jobs, spec, selected, want) => {
    expect(usesRunConfigMap(snapshotOf(runOf(jobs, { spec, jobs: selected })))).toBe(want);
  });
});
