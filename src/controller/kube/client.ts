// The controller's Kubernetes client: plain JSON over REST, authenticated by client-node's
// KubeConfig (in-cluster token, kubeconfig files, exec plugins), every call through the token
// bucket, counted in metrics, and failures turned into typed ApiErrors. Writes pass a fence:
// a replica that has lost its leader lease cannot write.
import { HttpMethod, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { fetch, type Dispatcher } from 'undici';

const DISPATCHER_TTL_MS = 5 * 60_000;
import type { ControllerMetrics } from '../metrics.ts';
import { ApiError, NotLeaderError } from './errors.ts';
import type { TokenBucket } from './rate-limit.ts';
import { resourcePath, type Resource } from './resources.ts';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }[];
  };
  [field: string]: unknown;
}

export interface KubeList<T extends KubeObject = KubeObject> {
  items: T[];
  metadata: { resourceVersion: string };
}

export interface ClientOptions {
  readonly limiter: TokenBucket;
  readonly metrics?: ControllerMetrics;
  /** Whether this replica may write now (leader election); reads are always allowed. */
  readonly mayWrite?: () => boolean;
  /** Per-request timeout. @default 30 s */
  readonly timeoutMs?: number;
  readonly fieldManager?: string;
}

type Verb = 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete';

export class KubeClient {
  readonly kubeConfig: KubeConfig;
  private readonly options: ClientOptions;
  private readonly server: string;

  /**
   * client-node builds a new undici Agent — a new connection, and a TLS handshake — on every
   * applySecurityAuthentication; one Agent is kept and reused instead (its connections kept
   * alive), and replaced every few minutes so rotated certificates are picked up.
   */
  private dispatcher?: { agent: Dispatcher | undefined; at: number };

  private dispatcherFor(ctx: RequestContext): Dispatcher | undefined {
    const now = Date.now();
    const fresh = ctx.getDispatcher() as Dispatcher | undefined;
    if (this.dispatcher && now - this.dispatcher.at < DISPATCHER_TTL_MS) {
      if (fresh !== this.dispatcher.agent) void fresh?.close().catch(() => undefined);
      return this.dispatcher.agent;
    }
    const old = this.dispatcher?.agent;
    this.dispatcher = { agent: fresh, at: now };
    // In-flight requests on the old Agent finish; close() waits for them.
    if (old && old !== fresh) void old.close().catch(() => undefined);
    return fresh;
  }

  /** Closes kept connections (the process may exit without it; tests and short commands call it). */
  async close(): Promise<void> {
    const agent = this.dispatcher?.agent;
    this.dispatcher = undefined;
    await agent?.close().catch(() => undefined);
  }

  constructor(kubeConfig: KubeConfig, options: ClientOptions) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    this.kubeConfig = kubeConfig;
    this.options = options;
    this.server = cluster.server.replace(/\/+$/, '');
  }

  async get<T extends KubeObject>(resource: Resource, namespace: string, name: string): Promise<T | undefined> {
    try {
      return await this.call<T>('get', 'GET', resourcePath(resource, namespace, name));
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return undefined;
      throw e;
    }
  }

  list<T extends KubeObject>(resource: Resource, namespace?: string, labelSelector?: string): Promise<KubeList<T>> {
    const query = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : '';
    return this.call<KubeList<T>>('list', 'GET', resourcePath(resource, namespace) + query);
  }

  create<T extends KubeObject>(resource: Resource, namespace: string, body: T): Promise<T> {
    return this.call<T>('create', 'POST', resourcePath(resource, namespace) + this.manager(), body);
  }

  /** PUT of the whole object; 409 Conflict when its resourceVersion is stale. */
  replace<T extends KubeObject>(resource: Resource, namespace: string, name: string, body: T): Promise<T> {
    return this.call<T>('update', 'PUT', resourcePath(resource, namespace, name) + this.manager(), body);
  }

  /** PUT to the /status subresource: only status changes; 409 Conflict when stale. */
  replaceStatus<T extends KubeObject>(resource: Resource, namespace: string, name: string, body: T): Promise<T> {
    return this.call<T>('update', 'PUT', resourcePath(resource, namespace, name, 'status') + this.manager(), body);
  }

  /** JSON merge patch; include metadata.resourceVersion in the patch for a precondition. */
  mergePatch<T extends KubeObject>(resource: Resource, namespace: string, name: string, patch: object, subresource?: string): Promise<T> {
    return this.call<T>('patch', 'PATCH', resourcePath(resource, namespace, name, subresource) + this.manager(), patch, 'application/merge-patch+json');
  }

  /** Deletes, letting the garbage collector remove dependents; a missing object is not an error. */
  async delete(resource: Resource, namespace: string, name: string, preconditions?: { uid?: string; resourceVersion?: string }): Promise<void> {
    const body = { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background', ...(preconditions ? { preconditions } : {}) };
    try {
      await this.call('delete', 'DELETE', resourcePath(resource, namespace, name), body);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return;
      throw e;
    }
  }

  /** A raw request (used by the informers' list and by health checks). */
  async call<T>(verb: Verb, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    // The write fence is checked before and after waiting for a token: leadership can be lost while
    // a write queues behind the token bucket, and a deposed leader must not write after that.
    const fence = () => {
      if (method !== 'GET' && this.options.mayWrite && !this.options.mayWrite()) {
        throw new NotLeaderError(`not the leader: refusing ${verb} ${path}`);
      }
    };
    fence();
    await this.options.limiter.take();
    fence();
    const ctx = new RequestContext(this.server + path, HttpMethod[method]);
    await this.kubeConfig.applySecurityAuthentication(ctx);
    const dispatcher = this.dispatcherFor(ctx);
    const headers = { ...ctx.getHeaders(), Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': contentType }) };
    let status = 0;
    try {
      const response = await fetch(this.server + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        dispatcher,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
      status = response.status;
      const text = await response.text();
      if (status >= 200 && status < 300) return (text ? JSON.parse(text) : undefined) as T;
      throw apiError(status, text, response.headers.get('retry-after'));
    } catch (e) {
      if (e instanceof ApiError) {
        this.options.metrics?.apiErrors.inc({ verb, reason: e.reason });
        throw e;
      }
      const error = new ApiError(0, 'NoResponse', `${method} ${path}: ${(e as Error).message}`);
      this.options.metrics?.apiErrors.inc({ verb, reason: error.reason });
      throw error;
    } finally {
      this.options.metrics?.apiRequests.inc({ verb, code: String(status) });
    }
  }

  private manager(): string {
    return `?fieldManager=${encodeURIComponent(this.options.fieldManager ?? 'kayci-controller')}`;
  }
}

function apiError(status: number, text: string, retryAfter: string | null): ApiError {
  let reason = `Http${status}`;
  let message = text.slice(0, 500);
  try {
    const body = JSON.parse(text) as { reason?: string; message?: string };
    reason = body.reason ?? reason;
    message = body.message ?? message;
  } catch {
    // Not a Status body (a proxy's HTML page, say): keep the text.
  }
  const seconds = retryAfter === null ? undefined : Number(retryAfter);
  return new ApiError(status, reason, message, Number.isFinite(seconds) ? seconds : undefined);
}
