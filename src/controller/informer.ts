// A supervised informer: client-node's ListWatch keeps the cache (list, then watch; a 410 Gone
// re-lists; an idle watch is re-opened), but it stops for good on any other error. The
// supervisor restarts it with capped exponential backoff, from the last resourceVersion (so a
// dropped watch costs no re-list), reports restarts and re-lists in metrics, and counts as
// synced only once a list succeeded (a first list that fails is retried, not taken for empty).
import { ListWatch, Watch } from '@kubernetes/client-node';
import type { KubeClient, KubeObject } from './kube/client.ts';
import { resourcePath, type Resource } from './kube/resources.ts';
import type { Logger } from './log.ts';
import type { ControllerMetrics } from './metrics.ts';

export type Handler<T> = (obj: T, old?: T) => void;

export interface InformerOptions {
  readonly namespace?: string;
  readonly labelSelector?: string;
  /** A watch that sends nothing for this long is re-opened (hung-watch detection). @default 60 s */
  readonly idleTimeoutMs?: number;
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
  readonly log: Logger;
  readonly metrics?: ControllerMetrics;
}

export class Informer<T extends KubeObject> {
  readonly resource: Resource;
  // client-node's types want its own object model (Dates for timestamps); ours is plain JSON.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private readonly listWatch: ListWatch<any>;
  private readonly options: InformerOptions;
  private readonly handlers = { add: [] as Handler<T>[], update: [] as Handler<T>[], delete: [] as Handler<T>[] };
  private readonly previous = new Map<string, T>();
  private failures = 0;
  private lastFailureAt = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private synced = false;
  /** A list has succeeded (the cache holds a complete state, not just what the watch sent). */
  private listed = false;
  private whenSynced?: () => void;

  constructor(client: KubeClient, resource: Resource, options: InformerOptions) {
    this.resource = resource;
    this.options = options;
    const watch = new Watch(client.kubeConfig);
    // Watch's inactivity timer is what re-opens a silent (hung) watch. Its field is private in
    // the typings of the pinned 2.0.1; the informer tests prove it still works.
    (watch as unknown as { requestTimeoutMs: number }).requestTimeoutMs = options.idleTimeoutMs ?? 60_000;
    const path = resourcePath(resource, options.namespace);
    const list = async () => {
      options.metrics?.informerRelists.inc({ resource: resource.plural });
      const result = await client.list<T>(resource, options.namespace, options.labelSelector);
      this.listed = true;
      return result;
    };
    this.listWatch = new ListWatch(path, watch, list as never, false, options.labelSelector);
    this.listWatch.on('add', (obj: T) => this.emit('add', obj));
    this.listWatch.on('update', (obj: T) => this.emit('update', obj));
    this.listWatch.on('delete', (obj: T) => this.emit('delete', obj));
    this.listWatch.on('error', (err) => this.restartLater(err));
  }

  on(event: 'add' | 'update' | 'delete', handler: Handler<T>): this {
    this.handlers[event].push(handler);
    return this;
  }

  /**
   * Lists and starts watching; resolves once the cache holds a first complete list (a failed
   * list is retried, as any failure, by the supervisor) or the informer is stopped. Reconciling
   * from an empty cache would take every Job for lost.
   */
  async start(): Promise<void> {
    this.stopped = false;
    const synced = new Promise<void>((resolve) => (this.whenSynced = resolve));
    await this.listWatch.start();
    this.checkSynced();
    await synced;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    void this.listWatch.stop();
    this.whenSynced?.();
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.listWatch.get(name, namespace) as T | undefined;
  }

  list(namespace?: string): T[] {
    return this.listWatch.list(namespace) as T[];
  }

  private emit(event: 'add' | 'update' | 'delete', obj: T): void {
    const k = `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
    const old = this.previous.get(k);
    if (event === 'delete') this.previous.delete(k);
    else this.previous.set(k, obj);
    for (const h of this.handlers[event]) {
      try {
        h(obj, old);
      } catch (e) {
        this.options.log.error('informer handler failed', { resource: this.resource.plural, error: e });
      }
    }
  }

  private restartLater(err: unknown): void {
    if (this.stopped) return;
    const { baseMs, maxMs } = this.options.backoff ?? { baseMs: 200, maxMs: 30_000 };
    // The delay grows while failures follow one another (ListWatch reports 'connect' before it
    // lists, so a connect proves nothing: resetting on it made a failing list a storm of lists);
    // an informer that went a while without failing starts again from the base delay.
    const now = Date.now();
    if (now - this.lastFailureAt > 2 * maxMs) this.failures = 0;
    this.lastFailureAt = now;
    this.failures++;
    const delay = Math.min(maxMs, baseMs * 2 ** (this.failures - 1));
    this.options.metrics?.informerRestarts.inc({ resource: this.resource.plural });
    this.options.log.warn('watch failed; restarting', { resource: this.resource.plural, error: (err as Error)?.message ?? String(err), retryInMs: delay });
    this.timer = setTimeout(() => {
      if (this.stopped) return;
      this.listWatch.start().then(() => this.checkSynced(), (e: unknown) => this.restartLater(e));
    }, delay);
  }

  /** ListWatch.start() resolves after the list's items are in the cache (or after a failed list). */
  private checkSynced(): void {
    if (!this.listed || this.synced) return;
    this.synced = true;
    this.whenSynced?.();
  }
}
