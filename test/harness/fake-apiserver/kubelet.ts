// A simulated kubelet for the pods the simulated Job controller creates: Pending → Running →
// Succeeded/Failed on real timers, with container statuses (exit codes, reasons, termination
// messages capped at 4 KiB like the kubelet's), init containers first, and disruptions
// (DisruptionTarget=True, reason EvictionByEvictionAPI) as an eviction produces them.
import { rfc3339, type Environment, type Timers } from './clock.ts';
import type { Registry } from './registry.ts';
import { asArray, asObject, type JsonObject, type KubeObject } from './types.ts';

export type PodOutcome = 'succeed' | 'fail' | 'disrupt' | 'hang' | 'pending';

/** How one pod of a Job behaves; every field is optional. */
export interface PodBehaviour {
  /** `succeed` (default), `fail`, `disrupt` (evicted), `hang` (runs forever), `pending` (never scheduled). */
  outcome?: PodOutcome;
  /** Running → terminal after this many ms (default: the server's `runMs`). */
  afterMs?: number;
  /** Pending → Running after this many ms (default: the server's `startMs`). */
  startMs?: number;
  /** Exit code of the failing container (default 1; 137 for `disrupt`; 0 for `succeed`). */
  exitCode?: number;
  /** The container (or init container) that fails (default: the first container). */
  container?: string;
  /** Termination messages by container name (`name=value\n…` for kayci results). */
  messages?: Record<string, string>;
  /** `state.terminated.reason` of the failing container (default `Error`). */
  reason?: string;
}

const MAX_MESSAGE = 4096;

function truncate(message: string): string {
  const bytes = Buffer.from(message);
  return bytes.length <= MAX_MESSAGE ? message : bytes.subarray(0, MAX_MESSAGE).toString('utf8');
}

function names(spec: JsonObject, list: 'containers' | 'initContainers'): { name: string; image: string }[] {
  return asArray(spec[list]).map((c) => ({ name: String(asObject(c).name), image: String(asObject(c).image) }));
}

export class Kubelet {
  private readonly podTimers = new Map<string, NodeJS.Timeout[]>();
  private ip = 10;

  private readonly registry: Registry;
  private readonly timers: Timers;
  private readonly env: Environment;
  private readonly defaults: { startMs: number; runMs: number };

  constructor(registry: Registry, timers: Timers, env: Environment, defaults: { startMs: number; runMs: number }) {
    this.registry = registry;
    this.timers = timers;
    this.env = env;
    this.defaults = defaults;
  }

  private now(): string {
    return rfc3339(this.env.now());
  }

  private schedule(uid: string, fn: () => void, ms: number): void {
    const t = this.timers.set(() => {
      this.podTimers.set(uid, (this.podTimers.get(uid) ?? []).filter((x) => x !== t));
      fn();
    }, ms);
    if (t) this.podTimers.set(uid, [...(this.podTimers.get(uid) ?? []), t]);
  }

  /** Forgets a pod (deleted): its pending transitions are cancelled. */
  forget(uid: string): void {
    for (const t of this.podTimers.get(uid) ?? []) this.timers.cancel(t);
    this.podTimers.delete(uid);
  }

  run(pod: KubeObject, behaviour: PodBehaviour): void {
    const uid = pod.metadata.uid!;
    const outcome = behaviour.outcome ?? 'succeed';
    if (outcome === 'pending') {
      this.writeStatus(pod, () => ({
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: simulated.', lastProbeTime: null, lastTransitionTime: this.now() }],
        qosClass: 'BestEffort',
      }));
      return;
    }
    this.schedule(uid, () => {
      const started = this.now();
      this.writeStatus(pod, (spec) => this.running(spec, started, behaviour));
      if (outcome === 'hang') return;
      this.schedule(uid, () => this.writeStatus(pod, (spec) => this.terminated(spec, started, behaviour)), behaviour.afterMs ?? this.defaults.runMs);
    }, behaviour.startMs ?? this.defaults.startMs);
  }

  private writeStatus(pod: KubeObject, build: (spec: JsonObject) => JsonObject): void {
    const rt = this.registry.types.resolve('pods');
    const current = this.registry.store.get('pods', pod.metadata.namespace, pod.metadata.name!);
    if (!current || current.metadata.uid !== pod.metadata.uid) return;
    this.registry.mutate(rt, pod.metadata.namespace, pod.metadata.name!, (draft) => {
      draft.status = build(asObject(draft.spec));
    }, 'status');
  }

  private base(phase: string, started: string): JsonObject {
    const ip = `10.0.0.${this.ip++ % 250}`;
    return { phase, hostIP: '192.168.0.10', hostIPs: [{ ip: '192.168.0.10' }], podIP: ip, podIPs: [{ ip }], startTime: started, qosClass: 'BestEffort' };
  }

  private initStatuses(spec: JsonObject, started: string, behaviour: PodBehaviour, failing: string | undefined): JsonObject[] {
    return names(spec, 'initContainers').map((c, i) => {
      const fails = c.name === failing;
      return {
        name: c.name, image: c.image, imageID: `${c.image}@sha256:fake`, containerID: `containerd://init-${i}`,
        ready: false, restartCount: 0, started: false,
        state: { terminated: this.terminatedState(c.name, fails ? behaviour.exitCode ?? 1 : 0, fails ? behaviour.reason ?? 'Error' : 'Completed', started, behaviour) },
      };
    });
  }

  private terminatedState(name: string, exitCode: number, reason: string, started: string, behaviour: PodBehaviour): JsonObject {
    const message = behaviour.messages?.[name];
    return {
      exitCode, reason, startedAt: started, finishedAt: this.now(), containerID: `containerd://${name}`,
      ...(message !== undefined ? { message: truncate(message) } : {}),
    };
  }

  private conditions(ready: boolean, started: string, reason?: string): JsonObject[] {
    const t = this.now();
    const status = ready ? 'True' : 'False';
    const why = reason ? { reason } : {};
    return [
      { type: 'PodReadyToStartContainers', status: 'True', lastProbeTime: null, lastTransitionTime: started },
      { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: started },
      { type: 'Ready', status, lastProbeTime: null, lastTransitionTime: t, ...why },
      { type: 'ContainersReady', status, lastProbeTime: null, lastTransitionTime: t, ...why },
      { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: started },
    ];
  }

  private running(spec: JsonObject, started: string, behaviour: PodBehaviour): JsonObject {
    return {
      ...this.base('Running', started),
      conditions: this.conditions(true, started),
      ...(names(spec, 'initContainers').length ? { initContainerStatuses: this.initStatuses(spec, started, behaviour, undefined) } : {}),
      containerStatuses: names(spec, 'containers').map((c) => ({
        name: c.name, image: c.image, imageID: `${c.image}@sha256:fake`, containerID: `containerd://${c.name}`,
        ready: true, restartCount: 0, started: true, state: { running: { startedAt: started } },
      })),
    };
  }

  private terminated(spec: JsonObject, started: string, behaviour: PodBehaviour): JsonObject {
    const outcome = behaviour.outcome ?? 'succeed';
    const containers = names(spec, 'containers');
    const inits = names(spec, 'initContainers');
    const failing = outcome === 'fail' ? behaviour.container ?? containers[0]?.name : undefined;
    const initFailed = failing !== undefined && inits.some((c) => c.name === failing);
    const phase = outcome === 'succeed' ? 'Succeeded' : 'Failed';
    const status: JsonObject = {
      ...this.base(phase, started),
      conditions: this.conditions(false, started, phase === 'Succeeded' ? 'PodCompleted' : 'PodFailed'),
    };
    if (inits.length) status.initContainerStatuses = this.initStatuses(spec, started, behaviour, initFailed ? failing : undefined);
    status.containerStatuses = containers.map((c) => {
      let state: JsonObject;
      if (initFailed) state = { waiting: { reason: 'PodInitializing' } };
      else if (outcome === 'disrupt') state = { terminated: this.terminatedState(c.name, behaviour.exitCode ?? 137, behaviour.reason ?? 'Error', started, behaviour) };
      else if (c.name === failing) state = { terminated: this.terminatedState(c.name, behaviour.exitCode ?? 1, behaviour.reason ?? 'Error', started, behaviour) };
      else state = { terminated: this.terminatedState(c.name, outcome === 'succeed' ? behaviour.exitCode ?? 0 : 0, 'Completed', started, behaviour) };
      return { name: c.name, image: c.image, imageID: `${c.image}@sha256:fake`, containerID: `containerd://${c.name}`, ready: false, restartCount: 0, started: false, state };
    });
    if (outcome === 'disrupt') {
      (status.conditions as JsonObject[]).unshift({
        type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastProbeTime: null, lastTransitionTime: this.now(),
      });
    }
    return status;
  }

  stop(): void {
    for (const uid of [...this.podTimers.keys()]) this.forget(uid);
  }
}
