// Renders a job of a Run as the batch/v1 Job the controller creates — and the local runner
// executes, so both run exactly this. Adds what DESIGN.md lists: deterministic name and labels,
// the Run as controlling owner, restartPolicy Never, backoffLimit from retries, a pod failure
// policy that retries disruptions without spending retries, the timeout, the run-wide ConfigMap
// and per-job variables, and no service-account token unless the template asks for an account.
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { DEFAULT_WORKSPACE_MOUNT, JOB_ENV, WORKSPACE_VOLUME } from '../api/v1alpha1/env.ts';
import type { JobTemplate, NotifyJob } from '../api/v1alpha1/pipeline.ts';
import type { RunPhase } from '../api/v1alpha1/run.ts';
import { API_VERSION } from '../api/v1alpha1/meta.ts';
import type { PlanEngine } from './engine.ts';
import { jobEnv, runEnv, TERMINATION_MESSAGE_PATH } from './env.ts';
import { jobObjectName, joinName, notifyJobObjectName, runConfigMapName, workspaceClaimName } from './names.ts';
import type { RunSnapshot } from './snapshot.ts';

export const LABELS = {
  run: 'kayci.dev/run',
  pipeline: 'kayci.dev/pipeline',
  job: 'kayci.dev/job',
  notify: 'kayci.dev/notify',
  trigger: 'kayci.dev/trigger',
  /** On Runs: the pull (merge) request number a webhook Run builds. */
  pullRequest: 'kayci.dev/pull-request',
} as const;

/** On a Run: when its creator made it, in milliseconds (orders Runs within one second). */
export const CREATED_AT_ANNOTATION = 'kayci.dev/created-at';

/** The phase a notify job reports on. */
export const RUN_PHASE_ENV = 'KAYCI_RUN_PHASE';

/** Pod template annotation that turns off KAYCI_* injection for that job. */
export const INJECT_ENV_ANNOTATION = 'kayci.dev/inject-env';
export { DEFAULT_WORKSPACE_MOUNT, WORKSPACE_VOLUME } from '../api/v1alpha1/env.ts';

export function runLabels(snapshot: RunSnapshot): Record<string, string> {
  return { [LABELS.run]: joinName(snapshot.run), [LABELS.pipeline]: snapshot.pipeline };
}

function ownerReference(snapshot: RunSnapshot) {
  return { apiVersion: API_VERSION, kind: 'Run', name: snapshot.run, uid: snapshot.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/** The per-run ConfigMap every job reads its run-wide variables from. */
export function renderRunConfigMap(snapshot: RunSnapshot): IConfigMap & { apiVersion: 'v1'; kind: 'ConfigMap' } {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: runConfigMapName(snapshot.run), namespace: snapshot.namespace, labels: runLabels(snapshot), ownerReferences: [ownerReference(snapshot)] },
    data: runEnv(snapshot),
  };
}

export type RenderedJob = IJob & { apiVersion: 'batch/v1'; kind: 'Job' };

export interface RenderOptions {
  /**
   * Put the run-wide variables in each container's env instead of `envFrom` the per-run
   * ConfigMap. The controller does this for Runs of a single job, where the ConfigMap would
   * cost an API write to be read once.
   */
  readonly inlineRunEnv?: boolean;
}

/** Whether a Run gets a per-run ConfigMap: when more than one Job reads it. */
export function usesRunConfigMap(snapshot: RunSnapshot): boolean {
  return snapshot.jobs.length + (snapshot.spec.notify?.length ?? 0) > 1;
}

export function renderJob(engine: PlanEngine, name: string, options: RenderOptions = {}): RenderedJob {
  const snapshot = engine.snapshot;
  const job = snapshot.jobs[engine.graph.index.get(name)!];
  if (!job) throw new Error(`no job ${name} in run ${snapshot.run}`);
  return render(snapshot, {
    objectName: jobObjectName(snapshot.run, job.name),
    labels: { [LABELS.job]: job.name },
    template: job.template,
    retries: job.retries,
    timeoutSeconds: job.timeoutSeconds,
    env: jobEnv(engine, job.name),
    inlineRunEnv: options.inlineRunEnv,
  });
}

/**
 * A notify job for the phase a Run entered: named for the notify job and the phase, so each is
 * created once (a retried create is an AlreadyExists). It reads `KAYCI_RUN_PHASE`.
 */
export function renderNotifyJob(snapshot: RunSnapshot, notify: NotifyJob, phase: RunPhase): RenderedJob {
  return render(snapshot, {
    objectName: notifyJobObjectName(snapshot.run, notify.name, phase),
    labels: { [LABELS.notify]: notify.name },
    template: notify.template,
    env: [
      { name: JOB_ENV.job, value: notify.name },
      { name: RUN_PHASE_ENV, value: phase },
      { name: JOB_ENV.resultsFile, value: TERMINATION_MESSAGE_PATH },
    ],
    // A notify job may run for a Run cancelled before its ConfigMap was made.
    inlineRunEnv: true,
  });
}

interface RenderInput {
  readonly objectName: string;
  readonly labels: Record<string, string>;
  readonly template: JobTemplate;
  readonly retries?: number;
  readonly timeoutSeconds?: number;
  readonly env: { name: string; value: string }[];
  readonly inlineRunEnv?: boolean;
}

function render(snapshot: RunSnapshot, input: RenderInput): RenderedJob {
  // Templates are plain JSON; a JSON round trip copies them faster than structuredClone.
  const spec = JSON.parse(JSON.stringify(input.template)) as JobTemplate;
  const template = (spec.template ??= {});
  const pod = (template.spec ??= { containers: [] });
  const labels = { ...runLabels(snapshot), ...input.labels };
  template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, ...labels } };
  const inject = template.metadata.annotations?.[INJECT_ENV_ANNOTATION] !== 'false';

  spec.backoffLimit = input.retries ?? 0;
  if (input.timeoutSeconds !== undefined) spec.activeDeadlineSeconds = input.timeoutSeconds;
  spec.podFailurePolicy = {
    rules: [...(spec.podFailurePolicy?.rules ?? []), { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }],
  };
  pod.restartPolicy = 'Never';
  // No token unless the template asks: by naming an account, or by asking for the token outright.
  if (!pod.serviceAccountName && pod.automountServiceAccountToken === undefined) pod.automountServiceAccountToken = false;

  const workspace = snapshot.spec.workspace;
  const mountPath = workspace?.mountPath ?? DEFAULT_WORKSPACE_MOUNT;
  const runWide = input.inlineRunEnv ? Object.entries(runEnv(snapshot)).map(([n, value]) => ({ name: n, value })) : [];
  const decorate = (c: IContainer): IContainer => {
    const out: IContainer = { ...c };
    if (inject) {
      if (!input.inlineRunEnv) out.envFrom = [{ configMapRef: { name: runConfigMapName(snapshot.run) } }, ...(c.envFrom ?? [])];
      // First, so the container's own env values may refer to them with $(KAYCI_…).
      out.env = [...(input.inlineRunEnv ? runWide : []), ...input.env, ...(c.env ?? [])];
      out.terminationMessagePath = TERMINATION_MESSAGE_PATH;
    }
    if (workspace) {
      out.volumeMounts = [...(c.volumeMounts ?? []), { name: WORKSPACE_VOLUME, mountPath }];
      out.workingDir ??= mountPath;
    }
    return out;
  };
  if (pod.initContainers) pod.initContainers = pod.initContainers.map(decorate);
  pod.containers = pod.containers.map(decorate);
  if (snapshot.untrusted) withoutCredentials(pod);
  if (workspace) pod.volumes = [...(pod.volumes ?? []), { name: WORKSPACE_VOLUME, persistentVolumeClaim: { claimName: workspaceClaimName(snapshot.run) } }];

  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: input.objectName,
      namespace: snapshot.namespace,
      labels,
      ownerReferences: [ownerReference(snapshot)],
    },
    spec,
  };
}

/**
 * What an untrusted Run's pods lose: env from Secrets, Secret envFrom, volumes that carry Secrets
 * or tokens (secret, projected secret or token sources, CSI drivers such as the secrets store,
 * plugins with a secretRef), host paths, shared claims (caches), the service account and its token. Image pull secrets stay: the kubelet uses them, the job
 * never sees them.
 */
function withoutCredentials(pod: NonNullable<NonNullable<JobTemplate['template']>['spec']>): void {
  // Credentials (Secret-backed volume plugins, tokens), the node's files, and claims that trusted
  // Runs share (a cache a fork could poison); the Run's own workspace is added after this.
  const secretVolume = (v: NonNullable<typeof pod.volumes>[number]) =>
    v.secret !== undefined || v.csi !== undefined || v.azureFile !== undefined || v.cephfs !== undefined || v.rbd !== undefined || v.iscsi !== undefined ||
    v.flexVolume !== undefined || v.scaleIO !== undefined || v.storageos !== undefined || v.hostPath !== undefined || v.persistentVolumeClaim !== undefined ||
    (v.projected?.sources ?? []).some((s) => s.secret !== undefined || s.serviceAccountToken !== undefined);
  const dropped = new Set((pod.volumes ?? []).filter(secretVolume).map((v) => v.name));
  if (pod.volumes) pod.volumes = pod.volumes.filter((v) => !dropped.has(v.name));
  const clean = (c: IContainer): IContainer => ({
    ...c,
    env: c.env?.filter((e) => e.valueFrom?.secretKeyRef === undefined),
    envFrom: c.envFrom?.filter((e) => e.secretRef === undefined),
    volumeMounts: c.volumeMounts?.filter((m) => !dropped.has(m.name)),
  });
  if (pod.initContainers) pod.initContainers = pod.initContainers.map(clean);
  pod.containers = pod.containers.map(clean);
  delete pod.serviceAccountName;
  delete (pod as { serviceAccount?: string }).serviceAccount;
  pod.automountServiceAccountToken = false;
}

/** The per-run workspace claim, owned by the Run. */
export function renderWorkspaceClaim(snapshot: RunSnapshot): IPersistentVolumeClaim & { apiVersion: 'v1'; kind: 'PersistentVolumeClaim' } | undefined {
  const ws = snapshot.spec.workspace;
  if (!ws) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: workspaceClaimName(snapshot.run), namespace: snapshot.namespace, labels: runLabels(snapshot), ownerReferences: [ownerReference(snapshot)] },
    spec: {
      accessModes: [ws.accessMode ?? 'ReadWriteOnce'],
      storageClassName: ws.storageClassName,
      resources: { requests: { storage: ws.size } },
    },
  };
}
