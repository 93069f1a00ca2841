// The garbage collector and namespace controller, simulated: when an owner is gone (by uid) its
// dependents are deleted in the background, recursively; a dependent created with an owner that
// does not exist is collected shortly after; `orphan` and `foregroundDeletion` finalizers are
// processed as the real GC does; a terminating namespace is emptied and then removed.
// Namespaced owners are looked up in the dependent's namespace only, as on a real cluster.
import type { Timers } from './clock.ts';
import type { Registry } from './registry.ts';
import { splitApiVersion, type ResourceType } from './resources.ts';
import { ApiError } from './status.ts';
import type { StoreEvent } from './store.ts';
import { asArray, type KubeObject, type OwnerReference } from './types.ts';

type OwnerState = 'present' | 'absent' | 'unknown';

export class GarbageCollector {
  private readonly unsubscribe: () => void;
  private readonly queued = new Set<string>();
  private readonly registry: Registry;
  private readonly timers: Timers;
  private readonly delayMs: number;

  constructor(registry: Registry, timers: Timers, delayMs: number) {
    this.registry = registry;
    this.timers = timers;
    this.delayMs = delayMs;
    this.unsubscribe = registry.store.subscribe((e) => this.onEvent(e));
  }

  stop(): void {
    this.unsubscribe();
  }

  private later(key: string, fn: () => void): void {
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.timers.set(() => {
      this.queued.delete(key);
      try {
        fn();
      } catch (err) {
        if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) console.error('fake-apiserver: garbage collector failed', err);
      }
    }, this.delayMs);
  }

  private onEvent(e: StoreEvent): void {
    const obj = e.object;
    const meta = obj.metadata;
    if (e.type !== 'DELETED' && asArray(meta.ownerReferences).length > 0) {
      this.later(`dependent:${meta.uid}`, () => this.checkDependent(e.resource, obj));
    }
    if (e.type === 'DELETED') {
      for (const dep of this.dependentsOf(meta.uid!)) this.later(`dependent:${dep.object.metadata.uid}`, () => this.checkDependent(dep.resource, dep.object));
      // A dependent going away may unblock a foreground deletion or a namespace.
      for (const ref of asArray(meta.ownerReferences) as OwnerReference[]) this.later(`owner:${ref.uid}`, () => this.processOwner(ref.uid));
      if (meta.namespace) this.later(`namespace:${meta.namespace}`, () => this.processNamespace(meta.namespace!));
    } else if (meta.deletionTimestamp) {
      if (e.resource === 'namespaces') this.later(`namespace:${meta.name}`, () => this.processNamespace(meta.name!));
      else this.later(`owner:${meta.uid}`, () => this.processOwner(meta.uid!));
    }
  }

  private typeOf(resource: string): ResourceType | undefined {
    try {
      return this.registry.types.resolve(resource);
    } catch {
      return undefined;
    }
  }

  private dependentsOf(uid: string): { resource: string; object: KubeObject }[] {
    const found: { resource: string; object: KubeObject }[] = [];
    for (const resource of this.registry.store.resources()) {
      for (const object of this.registry.store.list(resource)) {
        if (asArray(object.metadata.ownerReferences).some((r) => (r as OwnerReference).uid === uid)) found.push({ resource, object });
      }
    }
    return found;
  }

  private ownerState(dependent: KubeObject, dependentType: ResourceType | undefined, ref: OwnerReference): OwnerState {
    const [group] = splitApiVersion(ref.apiVersion ?? '');
    const ownerType = this.registry.types.byGroupKind(group, ref.kind);
    if (!ownerType) return 'unknown';
    if (ownerType.namespaced && dependentType && !dependentType.namespaced) return 'absent';
    const namespace = ownerType.namespaced ? dependent.metadata.namespace : undefined;
    const owner = this.registry.store.get(ownerType.key, namespace, ref.name);
    return owner && owner.metadata.uid === ref.uid ? 'present' : 'absent';
  }

  /** Deletes a dependent whose owners are all gone; drops references to gone owners otherwise. */
  private checkDependent(resource: string, snapshot: KubeObject): void {
    const rt = this.typeOf(resource);
    if (!rt) return;
    const current = this.registry.store.get(resource, snapshot.metadata.namespace, snapshot.metadata.name!);
    if (!current || current.metadata.uid !== snapshot.metadata.uid) return;
    const refs = asArray(current.metadata.ownerReferences) as OwnerReference[];
    if (refs.length === 0) return;
    const states = refs.map((r) => this.ownerState(current, rt, r));
    if (states.every((s) => s === 'absent')) {
      if (!current.metadata.deletionTimestamp) {
        const foreground = refs.some((r) => this.ownerDeletingInForeground(r.uid));
        this.registry.delete(rt, current.metadata.namespace, current.metadata.name!, { propagationPolicy: foreground ? 'Foreground' : 'Background' }, { warnings: [], internal: true });
      }
    } else if (states.includes('absent')) {
      this.registry.mutate(rt, current.metadata.namespace, current.metadata.name!, (draft) => {
        draft.metadata.ownerReferences = refs.filter((_r, i) => states[i] !== 'absent');
      });
    }
  }

  private ownerDeletingInForeground(uid: string): boolean {
    const found = this.registry.store.findByUid(uid);
    return !!found && asArray(found.object.metadata.finalizers).includes('foregroundDeletion');
  }

  /** Works the `orphan` and `foregroundDeletion` finalizers of an owner being deleted. */
  private processOwner(uid: string): void {
    const found = this.registry.store.findByUid(uid);
    if (!found || !found.object.metadata.deletionTimestamp) return;
    const owner = found.object;
    const rt = this.typeOf(found.resource);
    if (!rt) return;
    const finalizers = asArray(owner.metadata.finalizers).map(String);
    const dependents = this.dependentsOf(uid);
    const dropFinalizer = (name: string) => this.registry.mutate(rt, owner.metadata.namespace, owner.metadata.name!, (draft) => {
      draft.metadata.finalizers = asArray(draft.metadata.finalizers).map(String).filter((f) => f !== name);
    });
    if (finalizers.includes('orphan')) {
      for (const dep of dependents) {
        const depType = this.typeOf(dep.resource);
        if (!depType) continue;
        this.registry.mutate(depType, dep.object.metadata.namespace, dep.object.metadata.name!, (draft) => {
          draft.metadata.ownerReferences = (asArray(draft.metadata.ownerReferences) as OwnerReference[]).filter((r) => r.uid !== uid);
          if (draft.metadata.ownerReferences.length === 0) delete draft.metadata.ownerReferences;
        });
      }
      dropFinalizer('orphan');
    } else if (finalizers.includes('foregroundDeletion')) {
      let blocking = 0;
      for (const dep of dependents) {
        const depType = this.typeOf(dep.resource);
        if (!depType) continue;
        const ref = (asArray(dep.object.metadata.ownerReferences) as OwnerReference[]).find((r) => r.uid === uid);
        if (ref?.blockOwnerDeletion) blocking++;
        if (!dep.object.metadata.deletionTimestamp) {
          this.registry.delete(depType, dep.object.metadata.namespace, dep.object.metadata.name!, { propagationPolicy: 'Foreground' }, { warnings: [], internal: true });
        }
      }
      if (blocking === 0) dropFinalizer('foregroundDeletion');
    }
  }

  /** Empties a terminating namespace, then removes it. */
  private processNamespace(name: string): void {
    const ns = this.registry.store.get('namespaces', undefined, name);
    if (!ns || !ns.metadata.deletionTimestamp) return;
    for (const rt of this.registry.types.all()) {
      if (!rt.namespaced) continue;
      for (const obj of this.registry.store.list(rt.key, name)) {
        if (!obj.metadata.deletionTimestamp) {
          this.registry.delete(rt, name, obj.metadata.name!, { propagationPolicy: 'Background' }, { warnings: [], internal: true });
        }
      }
    }
    const left = this.registry.types.all().filter((rt) => rt.namespaced).reduce((n, rt) => n + this.registry.store.list(rt.key, name).length, 0);
    if (left === 0) {
      const nsType = this.registry.types.resolve('namespaces');
      const final = { ...ns, spec: { ...(ns.spec as object), finalizers: [] } } as KubeObject;
      this.registry.remove(nsType, final);
    }
  }
}
