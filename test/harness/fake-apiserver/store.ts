// The storage: objects by resource type, namespace and name, one global resourceVersion counter
// that every write advances (like etcd's revision), and per resource type a bounded history of
// watch events. A watch from a resourceVersion older than the history is answered 410 Expired.
import type { KubeObject } from './types.ts';
import { deepFreeze } from './types.ts';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  /** Resource type key, e.g. `jobs.batch`. */
  resource: string;
  /** The object after the change (for DELETED: as deleted, with the deletion's resourceVersion). */
  object: KubeObject;
  /** The object before the change (MODIFIED and DELETED). */
  previous?: KubeObject;
  rv: number;
}

export type StoreListener = (event: StoreEvent) => void;

interface History {
  events: StoreEvent[];
  /** Events up to and including this resourceVersion are no longer available. */
  compactedThrough: number;
}

function keyOf(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export class ObjectStore {
  private revision: number;
  private readonly data = new Map<string, Map<string, KubeObject>>();
  private readonly histories = new Map<string, History>();
  private readonly listeners = new Set<StoreListener>();
  private limit: number;

  constructor(historyLimit: number, initialResourceVersion: number) {
    this.limit = historyLimit;
    this.revision = initialResourceVersion;
  }

  /** The latest resourceVersion handed out. */
  get resourceVersion(): number {
    return this.revision;
  }

  get historyLimit(): number {
    return this.limit;
  }

  setHistoryLimit(limit: number): void {
    this.limit = Math.max(0, Math.floor(limit));
    for (const h of this.histories.values()) this.trim(h);
  }

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.data.get(resource)?.get(keyOf(namespace, name));
  }

  /** Objects of a type, sorted by namespace then name (the real server's key order). */
  list(resource: string, namespace?: string): KubeObject[] {
    const bucket = this.data.get(resource);
    if (!bucket) return [];
    const items = [...bucket.entries()]
      .filter(([, o]) => namespace === undefined || o.metadata.namespace === namespace)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => o);
    return items;
  }

  resources(): string[] {
    return [...this.data.keys()];
  }

  findByUid(uid: string): { resource: string; object: KubeObject } | undefined {
    for (const [resource, bucket] of this.data) {
      for (const object of bucket.values()) if (object.metadata.uid === uid) return { resource, object };
    }
    return undefined;
  }

  /** Stores a new or changed object under a fresh resourceVersion and tells every listener. */
  write(resource: string, object: KubeObject, type: 'ADDED' | 'MODIFIED'): KubeObject {
    const rv = ++this.revision;
    object.metadata.resourceVersion = String(rv);
    const frozen = deepFreeze(object);
    const key = keyOf(frozen.metadata.namespace, frozen.metadata.name!);
    let bucket = this.data.get(resource);
    if (!bucket) {
      bucket = new Map();
      this.data.set(resource, bucket);
    }
    const previous = bucket.get(key);
    bucket.set(key, frozen);
    this.record({ type, resource, object: frozen, ...(previous ? { previous } : {}), rv });
    return frozen;
  }

  /** Removes an object; the DELETED event carries it with the deletion's resourceVersion. */
  remove(resource: string, object: KubeObject): KubeObject {
    const bucket = this.data.get(resource);
    const key = keyOf(object.metadata.namespace, object.metadata.name!);
    const previous = bucket?.get(key);
    bucket?.delete(key);
    const rv = ++this.revision;
    const deleted = deepFreeze({ ...object, metadata: { ...object.metadata, resourceVersion: String(rv) } });
    this.record({ type: 'DELETED', resource, object: deleted, ...(previous ? { previous } : {}), rv });
    return deleted;
  }

  /** Events of a type after `rv`, or undefined when some of them have left the history. */
  since(resource: string, rv: number): StoreEvent[] | undefined {
    const h = this.histories.get(resource);
    if (!h) return [];
    if (rv < h.compactedThrough) return undefined;
    return h.events.filter((e) => e.rv > rv);
  }

  /**
   * The objects of a type as they were at `rv`, rebuilt by undoing the history after it; undefined
   * when the history no longer reaches back that far (a 410 for a list or continue at that rv).
   */
  snapshotAt(resource: string, rv: number): KubeObject[] | undefined {
    const events = this.since(resource, rv);
    if (!events) return undefined;
    const state = new Map<string, KubeObject>();
    for (const o of this.list(resource)) state.set(keyOf(o.metadata.namespace, o.metadata.name!), o);
    for (const e of [...events].reverse()) {
      const key = keyOf(e.object.metadata.namespace, e.object.metadata.name!);
      if (e.type === 'ADDED') state.delete(key);
      else if (e.previous) state.set(key, e.previous);
    }
    return [...state.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, o]) => o);
  }

  /** The oldest resourceVersion a watch of this type can still start from. */
  oldestWatchable(resource: string): number {
    return this.histories.get(resource)?.compactedThrough ?? 0;
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private record(event: StoreEvent): void {
    let h = this.histories.get(event.resource);
    if (!h) {
      h = { events: [], compactedThrough: 0 };
      this.histories.set(event.resource, h);
    }
    h.events.push(event);
    this.trim(h);
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (err) {
        console.error('fake-apiserver: store listener failed', err);
      }
    }
  }

  private trim(h: History): void {
    while (h.events.length > this.limit) {
      const dropped = h.events.shift()!;
      h.compactedThrough = dropped.rv;
    }
  }
}
