// Renders a job of a Run as the batch/v1 Job the controller creates — and the local runner
// executes, so both run exactly this. Adds what DESIGN.md lists: deterministic name and labels,
// the Run as controlling owner, restartPolicy Never, backoffLimit from retries, a pod failure
// policy that retries disruptions without spending retries, the timeout, the run-wide ConfigMap
// and per-job variables, and no service-account token unless the template asks for an account.
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { API_VERSION } from '../api/v1alpha1/meta.ts';
import type { PlanEngine } from './engine.ts';
import { jobEnv, runEnv, TERMINATION_MESSAGE_PATH } from './env.ts';
import { jobObjectName, joinName, runConfigMapName, workspaceClaimName } from './names.ts';
import type { RunSnapshot } from './snapshot.ts';

export const LABELS = {
  run: 'kayci.dev/run',
  pipeline: 'kayci.dev/pipeline',
  job: 'kayci.dev/job',
} as const;

/** Pod template annotation that turns off KAYCI_* injection for that job. */
export const INJECT_ENV_ANNOTATION = 'kayci.dev/inject-env';
export const WORKSPACE_VOLUME = 'kayci-workspace';
export const DEFAULT_WORKSPACE_MOUNT = '/workspace';

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

export function renderJob(engine: PlanEngine, name: string): IJob & { apiVersion: 'batch/v1'; kind: 'Job' } {
  const snapshot = engine.snapshot;
  const job = snapshot.jobs[engine.graph.index.get(name)!];
  if (!job) throw new Error(`no job ${name} in run ${snapshot.run}`);
  // Templates are plain JSON; a JSON round trip copies them faster than structuredClone.
  const spec = JSON.parse(JSON.stringify(job.template)) as typeof job.template;
  const template = (spec.template ??= {});
  const pod = (template.spec ??= { containers: [] });
  const labels = { ...runLabels(snapshot), [LABELS.job]: job.name };
  template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, ...labels } };
  const inject = template.metadata.annotations?.[INJECT_ENV_ANNOTATION] !== 'false';

  spec.backoffLimit = job.retries ?? 0;
  if (job.timeoutSeconds !== undefined) spec.activeDeadlineSeconds = job.timeoutSeconds;
  spec.podFailurePolicy = {
    rules: [...(spec.podFailurePolicy?.rules ?? []), { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }],
  };
  pod.restartPolicy = 'Never';
  // No token unless the template asks: by naming an account, or by asking for the token outright.
  if (!pod.serviceAccountName && pod.automountServiceAccountToken === undefined) pod.automountServiceAccountToken = false;

  const perJob = jobEnv(engine, job.name);
  const workspace = snapshot.spec.workspace;
  const mountPath = workspace?.mountPath ?? DEFAULT_WORKSPACE_MOUNT;
  const decorate = (c: IContainer): IContainer => {
    const out: IContainer = { ...c };
    if (inject) {
      out.envFrom = [{ configMapRef: { name: runConfigMapName(snapshot.run) } }, ...(c.envFrom ?? [])];
      // First, so the container's own env values may refer to them with $(KAYCI_…).
      out.env = [...perJob, ...(c.env ?? [])];
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
  if (workspace) pod.volumes = [...(pod.volumes ?? []), { name: WORKSPACE_VOLUME, persistentVolumeClaim: { claimName: workspaceClaimName(snapshot.run) } }];

  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobObjectName(snapshot.run, job.name),
      namespace: snapshot.namespace,
      labels,
      ownerReferences: [ownerReference(snapshot)],
    },
    spec,
  };
}
