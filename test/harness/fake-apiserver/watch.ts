// Watch streams: newline-delimited `{type, object}` events over a chunked 200 response, replayed
// from the bounded history after the requested resourceVersion and then live; synthetic ADDED
// events for resourceVersion '' or '0'; ERROR 410 Expired when the history no longer reaches
// back; BOOKMARKs on request; selector transitions become ADDED/DELETED as in the watch cache.
// The test controls — dropAll, expireAll, hangAll — act on every open stream.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiVersionOf, type ResourceType } from './resources.ts';
import { matchesFields, matchesLabels, nameSelector, parseFieldSelector, parseLabelSelector, type FieldRequirement, type LabelSelector } from './selectors.ts';
import type { Status } from './status.ts';
import type { ObjectStore, StoreEvent } from './store.ts';
import type { Timers } from './clock.ts';
import type { KubeObject } from './types.ts';

export interface WatchParams {
  resourceVersion?: string;
  resourceVersionMatch?: string;
  labelSelector?: string;
  fieldSelector?: string;
  allowWatchBookmarks?: boolean;
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
  /** GET <item>?watch=true watches one object. */
  name?: string;
}

/** What a test sees of an open watch. */
export interface WatchInfo {
  resource: string;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  hung: boolean;
  /** Events sent so far (bookmarks included). */
  sent: number;
}

type Present = (obj: KubeObject) => KubeObject;

class WatchStream {
  hung = false;
  sent = 0;
  private closed = false;
  private readonly timers: NodeJS.Timeout[] = [];
  readonly res: ServerResponse;
  readonly rt: ResourceType;
  readonly namespace: string | undefined;
  readonly labels: LabelSelector;
  readonly fields: FieldRequirement[];
  readonly params: WatchParams;
  private readonly present: Present;
  private readonly onClose: (s: WatchStream) => void;

  constructor(res: ServerResponse, rt: ResourceType, namespace: string | undefined, labels: LabelSelector, fields: FieldRequirement[], params: WatchParams, present: Present, onClose: (s: WatchStream) => void) {
    this.res = res;
    this.rt = rt;
    this.namespace = namespace;
    this.labels = labels;
    this.fields = fields;
    this.params = params;
    this.present = present;
    this.onClose = onClose;
    res.on('close', () => this.finish());
  }

  matches(obj: KubeObject | undefined): boolean {
    if (!obj) return false;
    if (this.rt.namespaced && this.namespace !== undefined && obj.metadata.namespace !== this.namespace) return false;
    return matchesLabels(this.labels, obj.metadata.labels) && matchesFields(this.fields, obj);
  }

  write(type: string, object: unknown): void {
    if (this.closed || this.res.writableEnded || this.res.destroyed) return;
    this.sent++;
    this.res.write(`${JSON.stringify({ type, object })}\n`);
  }

  event(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject): void {
    this.write(type, this.present(obj));
  }

  bookmark(rv: number, initialEventsEnd = false): void {
    if (this.hung) return;
    const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
    if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    this.write('BOOKMARK', { kind: this.rt.kind, apiVersion: apiVersionOf(this.rt), metadata });
  }

  error(status: Status): void {
    this.write('ERROR', status);
  }

  addTimer(t: NodeJS.Timeout): void {
    this.timers.push(t);
  }

  /** Ends the response the way the server ends a watch (a clean end of the chunked body). */
  end(): void {
    if (!this.res.writableEnded) this.res.end();
    this.finish();
  }

  /** Cuts the connection (the client sees a network error). */
  destroy(): void {
    this.res.destroy();
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.onClose(this);
  }

  info(): WatchInfo {
    return {
      resource: this.rt.key,
      ...(this.namespace !== undefined ? { namespace: this.namespace } : {}),
      ...(this.params.labelSelector ? { labelSelector: this.params.labelSelector } : {}),
      ...(this.params.fieldSelector ? { fieldSelector: this.params.fieldSelector } : {}),
      ...(this.params.resourceVersion !== undefined ? { resourceVersion: this.params.resourceVersion } : {}),
      hung: this.hung,
      sent: this.sent,
    };
  }
}

function expiredStatus(message: string): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Expired', code: 410 };
}

export class WatchHub {
  private readonly streams = new Set<WatchStream>();
  private readonly unsubscribe: () => void;
  private readonly store: ObjectStore;
  private readonly timers: Timers;
  private readonly bookmarkIntervalMs: number;

  constructor(store: ObjectStore, timers: Timers, bookmarkIntervalMs: number) {
    this.store = store;
    this.timers = timers;
    this.bookmarkIntervalMs = bookmarkIntervalMs;
    this.unsubscribe = store.subscribe((e) => this.dispatch(e));
  }

  /** Starts a watch; throws (before any byte is written) for a selector the server rejects. */
  serve(_req: IncomingMessage, res: ServerResponse, rt: ResourceType, namespace: string | undefined, params: WatchParams, present: Present): void {
    const labels = parseLabelSelector(params.labelSelector);
    const fields = [...parseFieldSelector(params.fieldSelector, rt), ...(params.name ? nameSelector(params.name) : [])];
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const stream = new WatchStream(res, rt, namespace, labels, fields, params, present, (s) => this.streams.delete(s));
    const rv = params.resourceVersion;
    const initial = rv === undefined || rv === '' || rv === '0' || params.sendInitialEvents === true;
    if (initial) {
      for (const obj of this.store.list(rt.key)) if (stream.matches(obj)) stream.event('ADDED', obj);
      if (params.sendInitialEvents && params.allowWatchBookmarks) stream.bookmark(this.store.resourceVersion, true);
    } else {
      const events = this.store.since(rt.key, Number(rv));
      if (!events) {
        stream.error(expiredStatus(`too old resource version: ${rv} (${this.store.oldestWatchable(rt.key)})`));
        stream.end();
        return;
      }
      for (const e of events) this.deliver(stream, e);
    }
    this.streams.add(stream);
    if (params.timeoutSeconds !== undefined && params.timeoutSeconds > 0) {
      const t = this.timers.set(() => {
        if (params.allowWatchBookmarks) stream.bookmark(this.store.resourceVersion);
        stream.end();
      }, params.timeoutSeconds * 1000);
      if (t) stream.addTimer(t);
    }
    if (params.allowWatchBookmarks && this.bookmarkIntervalMs > 0) {
      const tick = () => {
        stream.bookmark(this.store.resourceVersion);
        const next = this.timers.set(tick, this.bookmarkIntervalMs);
        if (next) stream.addTimer(next);
      };
      const first = this.timers.set(tick, this.bookmarkIntervalMs);
      if (first) stream.addTimer(first);
    }
  }

  private dispatch(e: StoreEvent): void {
    for (const s of this.streams) if (s.rt.key === e.resource && !s.hung) this.deliver(s, e);
  }

  private deliver(s: WatchStream, e: StoreEvent): void {
    const now = s.matches(e.object);
    const before = e.previous ? s.matches(e.previous) : false;
    if (e.type === 'ADDED') {
      if (now) s.event('ADDED', e.object);
    } else if (e.type === 'DELETED') {
      if (now || before) s.event('DELETED', e.object);
    } else if (now && before) s.event('MODIFIED', e.object);
    else if (now) s.event('ADDED', e.object);
    else if (before && e.previous) {
      // Leaving the selector: the old object, with the new resourceVersion (as the watch cache does).
      s.event('DELETED', { ...e.previous, metadata: { ...e.previous.metadata, resourceVersion: e.object.metadata.resourceVersion } });
    }
  }

  /** Open watches, for assertions. */
  list(): WatchInfo[] {
    return [...this.streams].map((s) => s.info());
  }

  get count(): number {
    return this.streams.size;
  }

  /**
   * Ends every open watch. By default cleanly (as the server does at a watch timeout; informers
   * reconnect from their last resourceVersion); `abrupt: true` cuts the connections instead
   * (client-node reports that as an error).
   */
  dropAll(options: { abrupt?: boolean } = {}): number {
    const all = [...this.streams];
    for (const s of all) {
      if (options.abrupt) s.destroy();
      else s.end();
    }
    return all.length;
  }

  /** Sends ERROR 410 Expired to every open watch and ends it: informers re-list. */
  expireAll(): number {
    const all = [...this.streams];
    for (const s of all) {
      s.error(expiredStatus(`too old resource version: ${this.store.resourceVersion} (${this.store.resourceVersion + 1})`));
      s.end();
    }
    return all.length;
  }

  /**
   * Keeps every open watch connected but silent: no events, no bookmarks. After `ms` (if given)
   * each hung watch is ended; the events it missed are only in the history from then on.
   */
  hangAll(ms?: number): number {
    const all = [...this.streams];
    for (const s of all) {
      s.hung = true;
      if (ms !== undefined) {
        const t = this.timers.set(() => s.end(), ms);
        if (t) s.addTimer(t);
      }
    }
    return all.length;
  }

  closeAll(): void {
    this.unsubscribe();
    for (const s of [...this.streams]) s.destroy();
  }
}
