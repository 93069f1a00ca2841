// Defaulting the real API server applies before it validates and stores built-in objects, so a
// controller that compares what it sent with what it reads back sees the same extra fields it
// would see on a cluster (imagePullPolicy, terminationMessagePath, Job selector and labels …).
import { asArray, child, isObject, type JsonObject, type KubeObject } from './types.ts';

function setDefault(obj: JsonObject, key: string, value: unknown): void {
  if (obj[key] === undefined || obj[key] === null) obj[key] = value;
}

function imageTag(image: string): string | undefined {
  const lastSlash = image.lastIndexOf('/');
  const at = image.indexOf('@');
  if (at >= 0) return 'digest';
  const colon = image.indexOf(':', lastSlash + 1);
  return colon >= 0 ? image.slice(colon + 1) : undefined;
}

function defaultContainer(c: JsonObject): void {
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  if (typeof c.image === 'string' && c.image) {
    const tag = imageTag(c.image);
    setDefault(c, 'imagePullPolicy', tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent');
  }
  setDefault(c, 'resources', {});
  for (const p of asArray(c.ports)) if (isObject(p)) setDefault(p, 'protocol', 'TCP');
  for (const e of asArray(c.env)) {
    if (isObject(e) && isObject(e.valueFrom) && isObject(e.valueFrom.fieldRef)) setDefault(e.valueFrom.fieldRef, 'apiVersion', 'v1');
  }
}

/** SetDefaults_PodSpec and its containers, as far as the fields kayci renders. */
export function defaultPodSpec(spec: JsonObject): void {
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  for (const list of ['initContainers', 'containers']) {
    for (const c of asArray(spec[list])) if (isObject(c)) defaultContainer(c);
  }
  for (const v of asArray(spec.volumes)) {
    if (!isObject(v)) continue;
    for (const source of ['configMap', 'secret']) {
      if (isObject(v[source])) setDefault(v[source], 'defaultMode', 420);
    }
  }
}

export const JOB_LABELS = {
  controllerUid: 'batch.kubernetes.io/controller-uid',
  jobName: 'batch.kubernetes.io/job-name',
  legacyControllerUid: 'controller-uid',
  legacyJobName: 'job-name',
};

/** SetDefaults_Job plus what the Job strategy adds on create: selector and template labels. */
export function defaultJob(job: KubeObject, uid: string): void {
  const spec = child(job as JsonObject, 'spec');
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  setDefault(spec, 'parallelism', 1);
  setDefault(spec, 'backoffLimit', spec.backoffLimitPerIndex !== undefined ? 2147483647 : 6);
  setDefault(spec, 'completionMode', 'NonIndexed');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'podReplacementPolicy', spec.podFailurePolicy !== undefined ? 'Failed' : 'TerminatingOrFailed');
  if (isObject(spec.podFailurePolicy)) {
    for (const rule of asArray(spec.podFailurePolicy.rules)) {
      if (!isObject(rule)) continue;
      for (const cond of asArray(rule.onPodConditions)) if (isObject(cond)) setDefault(cond, 'status', 'True');
    }
  }
  const name = job.metadata.name ?? '';
  if (spec.manualSelector !== true) {
    spec.selector = { matchLabels: { [JOB_LABELS.controllerUid]: uid } };
  }
  const template = child(spec, 'template');
  const meta = child(template, 'metadata');
  const labels = child(meta, 'labels');
  if (spec.manualSelector !== true) {
    labels[JOB_LABELS.controllerUid] = uid;
    labels[JOB_LABELS.jobName] = name;
    labels[JOB_LABELS.legacyControllerUid] = uid;
    labels[JOB_LABELS.legacyJobName] = name;
  }
  defaultPodSpec(child(template, 'spec'));
}

export function defaultPod(pod: KubeObject): void {
  const spec = child(pod as JsonObject, 'spec');
  defaultPodSpec(spec);
  setDefault(spec, 'serviceAccountName', 'default');
  setDefault(spec, 'enableServiceLinks', true);
  setDefault(spec, 'priority', 0);
  setDefault(spec, 'preemptionPolicy', 'PreemptLowerPriority');
}

export function defaultNamespace(ns: KubeObject): void {
  const spec = child(ns as JsonObject, 'spec');
  setDefault(spec, 'finalizers', ['kubernetes']);
  const status = child(ns as JsonObject, 'status');
  setDefault(status, 'phase', 'Active');
  const labels = child(ns.metadata as JsonObject, 'labels');
  labels['kubernetes.io/metadata.name'] = ns.metadata.name ?? '';
}

export function defaultPvc(pvc: KubeObject): void {
  const spec = child(pvc as JsonObject, 'spec');
  setDefault(spec, 'volumeMode', 'Filesystem');
  const status = child(pvc as JsonObject, 'status');
  setDefault(status, 'phase', 'Pending');
}

export function defaultSecret(secret: KubeObject): void {
  setDefault(secret as JsonObject, 'type', 'Opaque');
}
