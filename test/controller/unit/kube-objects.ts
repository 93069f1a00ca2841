// Jobs and Pods as the API server returns them (plain JSON: timestamps are RFC 3339 strings),
// for the observation tests: conditions with lastTransitionTime, container statuses with
// state.terminated.{exitCode, reason, message, startedAt, finishedAt}.
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IContainerStatus } from 'kubernetes-models/v1/ContainerStatus';
import type { IPod } from 'kubernetes-models/v1/Pod';

export const JOB_NAME = 'r1-build-5d41402a';
export const JOB_UID = '7f3c1a2e-0b5d-4c8e-9a61-2f0e8d1b4c77';
export const JOB_CREATED = '2024-05-01T10:00:00Z';

type JobStatus = NonNullable<IJob['status']>;
type Condition = NonNullable<JobStatus['conditions']>[number];

/** A Job of run r1, job build, as the controller created it (backoffLimit 2), with `status`. */
export function kubeJob(status?: JobStatus): IJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: JOB_NAME,
      namespace: 'ci',
      uid: JOB_UID,
      resourceVersion: '4711',
      generation: 1,
      creationTimestamp: JOB_CREATED,
      labels: { 'kayci.dev/run': 'r1', 'kayci.dev/pipeline': 'demo', 'kayci.dev/job': 'build' },
      ownerReferences: [{ apiVersion: 'kayci.dev/v1alpha1', kind: 'Run', name: 'r1', uid: 'uid-1', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      backoffLimit: 2,
      completions: 1,
      parallelism: 1,
      podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] },
      template: {
        metadata: { labels: { 'kayci.dev/run': 'r1', 'kayci.dev/pipeline': 'demo', 'kayci.dev/job': 'build' } },
        spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'golang:1.24', terminationMessagePath: '/dev/termination-log' }] },
      },
    },
    ...(status === undefined ? {} : { status }),
  };
}

export function condition(type: string, lastTransitionTime: string, reason?: string, message?: string): Condition {
  return { type, status: 'True', lastProbeTime: lastTransitionTime, lastTransitionTime, ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
}

/** What a container's status says: still running, or terminated with a code and a message. */
export interface ContainerEnd {
  readonly name: string;
  readonly exitCode?: number;
  readonly reason?: string;
  readonly message?: string;
  /** Not started yet (an init container failed first). */
  readonly waiting?: boolean;
}

function containerStatus(c: ContainerEnd, at: string): IContainerStatus {
  const image = c.name === 'main' ? 'docker.io/library/golang:1.24' : 'docker.io/library/alpine:3.20';
  const base = { name: c.name, image, imageID: `${image}@sha256:${'ab'.repeat(32)}`, ready: false, restartCount: 0 };
  if (c.waiting) return { ...base, started: false, state: { waiting: { reason: 'PodInitializing' } } };
  if (c.exitCode === undefined) return { ...base, ready: true, started: true, containerID: `containerd://${c.name}`, state: { running: { startedAt: at } } };
  return {
    ...base,
    started: false,
    containerID: `containerd://${c.name}`,
    state: {
      terminated: {
        exitCode: c.exitCode,
        reason: c.reason ?? (c.exitCode === 0 ? 'Completed' : 'Error'),
        ...(c.message === undefined ? {} : { message: c.message }),
        startedAt: at,
        finishedAt: at,
        containerID: `containerd://${c.name}`,
      },
    },
  };
}

export interface PodOptions {
  readonly name: string;
  readonly phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  readonly created: string;
  readonly init?: readonly ContainerEnd[];
  readonly containers: readonly ContainerEnd[];
  /** Set by the eviction API, a node drain or preemption. */
  readonly disrupted?: boolean;
}

/** A pod of the Job above. */
export function kubePod(o: PodOptions): IPod {
  const conditions = [
    { type: 'PodScheduled', status: 'True', lastTransitionTime: o.created },
    { type: 'Initialized', status: o.init?.some((c) => (c.exitCode ?? 0) !== 0) ? 'False' : 'True', lastTransitionTime: o.created },
    { type: 'Ready', status: o.phase === 'Running' ? 'True' : 'False', lastTransitionTime: o.created },
    ...(o.disrupted ? [{ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastTransitionTime: o.created }] : []),
  ];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: o.name,
      namespace: 'ci',
      uid: `uid-${o.name}`,
      creationTimestamp: o.created,
      labels: { 'batch.kubernetes.io/controller-uid': JOB_UID, 'batch.kubernetes.io/job-name': JOB_NAME, 'kayci.dev/run': 'r1', 'kayci.dev/job': 'build' },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: JOB_NAME, uid: JOB_UID, controller: true, blockOwnerDeletion: true }],
    },
    spec: { restartPolicy: 'Never', containers: o.containers.map((c) => ({ name: c.name, image: 'golang:1.24' })) },
    status: {
      phase: o.phase,
      conditions,
      startTime: o.created,
      ...(o.init ? { initContainerStatuses: o.init.map((c) => containerStatus(c, o.created)) } : {}),
      containerStatuses: o.containers.map((c) => containerStatus(c, o.created)),
    },
  };
}

/**
 * The same object with every timestamp a Date, as @kubernetes/client-node's typed API hands
 * them out. (The types say string; the observation must cope with both.)
 */
export function withDates<T>(obj: T): T {
  const times = new Set(['creationTimestamp', 'startTime', 'completionTime', 'lastTransitionTime', 'lastProbeTime', 'startedAt', 'finishedAt']);
  const walk = (v: unknown, key?: string): unknown => {
    if (typeof v === 'string' && key !== undefined && times.has(key)) return new Date(v);
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return walk(obj) as T;
}
