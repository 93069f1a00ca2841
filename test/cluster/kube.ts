// A small Kubernetes REST client for the cluster tests, independent of the controller's own: a
// bearer token and the cluster's CA, server-side apply that returns the API server's warnings,
// kinds mapped to paths through discovery, and polling until a condition holds.
import { readFileSync } from 'node:fs';
import { Agent, fetch } from 'undici';
import { parse, parseAllDocuments } from 'yaml';

/** What global-setup.ts provides: where the control plane is. */
export interface ClusterInfo {
  readonly kubeconfig: string;
  readonly dir: string;
  readonly server: string;
  readonly version: string;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: { kind: string; name: string; uid: string }[]; deletionTimestamp?: string; creationTimestamp?: string; resourceVersion?: string; [k: string]: unknown };
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read what they check
  status?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  [k: string]: unknown;
}

export class KubeError extends Error {
  override name = 'KubeError';
  readonly status: number;
  readonly reason: string;
  constructor(status: number, reason: string, message: string) {
    super(message);
    this.status = status;
    this.reason = reason;
  }
}

export interface Response<T> {
  readonly status: number;
  readonly body: T;
  /** The API server's `Warning` headers (unknown fields, deprecated APIs, …). */
  readonly warnings: string[];
}

interface Resource {
  readonly plural: string;
  readonly namespaced: boolean;
}

export class Kube {
  readonly server: string;
  readonly token: string;
  private readonly ca: string;
  private readonly agent: Agent;
  private readonly resources = new Map<string, Promise<Map<string, Resource>>>();

  constructor(server: string, ca: string, token: string) {
    this.server = server;
    this.ca = ca;
    this.token = token;
    this.agent = new Agent({ connect: { ca } });
  }

  /** The client of a kubeconfig that up.sh (or a test) wrote: one cluster, one token user. */
  static fromKubeconfig(path: string): Kube {
    const config = parse(readFileSync(path, 'utf8')) as {
      clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
      users: { user: { token: string } }[];
    };
    const cluster = config.clusters[0]!.cluster;
    return new Kube(cluster.server, Buffer.from(cluster['certificate-authority-data'], 'base64').toString(), config.users[0]!.user.token);
  }

  /** Another identity on the same cluster. */
  as(token: string): Kube {
    return new Kube(this.server, this.ca, token);
  }

  /** A kubeconfig for this cluster with another token, as a string. */
  kubeconfig(token: string, user: string): string {
    const ca = Buffer.from(this.ca).toString('base64');
    return [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: kayci, cluster: {server: "${this.server}", certificate-authority-data: "${ca}"}}]`,
      `users: [{name: ${user}, user: {token: "${token}"}}]`,
      `contexts: [{name: kayci, context: {cluster: kayci, user: ${user}}}]`,
      'current-context: kayci',
      '',
    ].join('\n');
  }

  async request<T = KubeObject>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Response<T>> {
    const response = await fetch(this.server + path, {
      method,
      dispatcher: this.agent,
      headers: { Authorization: `Bearer ${this.token}`, Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': contentType }) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await response.text();
    const warnings = response.headers.get('warning');
    const parsed = text ? (JSON.parse(text) as T) : (undefined as T);
    if (response.status >= 300) {
      const status = parsed as { reason?: string; message?: string };
      throw new KubeError(response.status, status?.reason ?? `Http${response.status}`, `${method} ${path}: ${response.status} ${status?.message ?? text}`);
    }
    return { status: response.status, body: parsed, warnings: warnings ? splitWarnings(warnings) : [] };
  }

  async get<T = KubeObject>(path: string): Promise<T> {
    return (await this.request<T>('GET', path)).body;
  }

  /** The object, or undefined when it does not exist. */
  async find<T = KubeObject>(path: string): Promise<T | undefined> {
    try {
      return await this.get<T>(path);
    } catch (e) {
      if (e instanceof KubeError && e.status === 404) return undefined;
      throw e;
    }
  }

  async list(path: string, labelSelector?: string): Promise<KubeObject[]> {
    const query = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : '';
    return (await this.get<{ items: KubeObject[] }>(path + query)).items;
  }

  async create<T = KubeObject>(path: string, body: unknown): Promise<T> {
    return (await this.request<T>('POST', path, body)).body;
  }

  async patch(path: string, body: unknown, type: 'merge' | 'strategic' = 'merge'): Promise<KubeObject> {
    return (await this.request('PATCH', path, body, type === 'merge' ? 'application/merge-patch+json' : 'application/strategic-merge-patch+json')).body;
  }

  async delete(path: string, propagationPolicy: 'Background' | 'Foreground' | 'Orphan' = 'Background'): Promise<void> {
    await this.request('DELETE', path, { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy });
  }

  /** The REST path of an object (or of its collection without a name), found through discovery. */
  async path(apiVersion: string, kind: string, namespace?: string, name?: string): Promise<string> {
    let resources = this.resources.get(apiVersion);
    if (!resources) {
      const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      resources = this.get<{ resources: { name: string; kind: string; namespaced: boolean }[] }>(base).then(
        (list) => new Map(list.resources.filter((r) => !r.name.includes('/')).map((r) => [r.kind, { plural: r.name, namespaced: r.namespaced }])),
      );
      this.resources.set(apiVersion, resources);
      resources.catch(() => this.resources.delete(apiVersion));
    }
    const resource = (await resources).get(kind);
    if (!resource) throw new Error(`the API server has no ${kind} in ${apiVersion}`);
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const ns = resource.namespaced ? `/namespaces/${namespace ?? 'default'}` : '';
    return `${base}${ns}/${resource.plural}${name === undefined ? '' : `/${name}`}`;
  }

  /**
   * Server-side apply of one object (its namespace defaulting to `namespace`), as `kubectl apply
   * --server-side` does; returns the stored object and the API server's warnings.
   */
  async apply(object: KubeObject, namespace?: string, fieldManager = 'kayci-cluster-test'): Promise<Response<KubeObject>> {
    const path = await this.path(object.apiVersion, object.kind, object.metadata.namespace ?? namespace, object.metadata.name);
    const namespaced = path.includes('/namespaces/');
    const body = namespaced && !object.metadata.namespace ? { ...object, metadata: { ...object.metadata, namespace } } : object;
    return this.request('PATCH', `${path}?fieldManager=${fieldManager}&force=true`, body, 'application/apply-patch+yaml');
  }

  /** Applies every document of a YAML stream in order; the warnings of all, each with its object. */
  async applyYaml(yaml: string, namespace?: string): Promise<{ objects: KubeObject[]; warnings: string[] }> {
    const objects: KubeObject[] = [];
    const warnings: string[] = [];
    for (const doc of parseAllDocuments(yaml)) {
      const object = doc.toJS() as KubeObject | null;
      if (!object) continue;
      const applied = await this.apply(object, namespace);
      objects.push(applied.body);
      warnings.push(...applied.warnings.map((w) => `${object.kind}/${object.metadata.name}: ${w}`));
    }
    return { objects, warnings };
  }

  /**
   * Every state of the collection's objects from now on (a list, then a watch from its
   * resourceVersion), so that a test sees states that last only a moment (a pod Failed just
   * before it is deleted). Resolves once the watch is open; `stop()` ends it.
   */
  async record(path: string, labelSelector?: string): Promise<{ seen: KubeObject[]; stop(): void }> {
    const selector = labelSelector ? `&labelSelector=${encodeURIComponent(labelSelector)}` : '';
    const list = await this.get<{ items: KubeObject[]; metadata: { resourceVersion: string } }>(`${path}?${selector.slice(1)}`);
    const seen = [...list.items];
    const abort = new AbortController();
    const response = await fetch(`${this.server}${path}?watch=true&allowWatchBookmarks=false&resourceVersion=${list.metadata.resourceVersion}${selector}`, {
      dispatcher: this.agent,
      headers: { Authorization: `Bearer ${this.token}`, Accept: 'application/json' },
      signal: abort.signal,
    });
    if (response.status !== 200) throw new KubeError(response.status, 'WatchFailed', `watch ${path}: ${response.status} ${await response.text()}`);
    void (async () => {
      let pending = '';
      const decoder = new TextDecoder();
      try {
        for await (const chunk of response.body!) {
          pending += decoder.decode(chunk as Uint8Array, { stream: true });
          const lines = pending.split('\n');
          pending = lines.pop()!;
          for (const line of lines) if (line.trim()) seen.push((JSON.parse(line) as { object: KubeObject }).object);
        }
      } catch {
        // Stopped.
      }
    })();
    return { seen, stop: () => abort.abort() };
  }

  async ensureNamespace(name: string): Promise<void> {
    await this.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

/** `299 - "unknown field …", 299 - "…"` as separate messages. */
function splitWarnings(header: string): string[] {
  return [...header.matchAll(/\d{3} [^ ]+ "((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, '$1'));
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      last = value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
