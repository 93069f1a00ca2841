// startFakeApiServer(): wires storage, registry, watches, faults, the garbage collector and the
// simulated Job controller behind an HTTP server on 127.0.0.1, and hands tests a KubeConfig for
// @kubernetes/client-node plus in-process controls and observations. close() ends everything,
// open watches included, and leaves no timer or socket behind.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { Timers, type Environment } from './clock.ts';
import { Faults, type RequestMatch, type Verb } from './faults.ts';
import { GarbageCollector } from './gc.ts';
import { HttpFrontend, type RequestRecord } from './http.ts';
import { JobController, type JobBehaviour, type JobControllerOptions } from './job-controller.ts';
import { Registry } from './registry.ts';
import { splitApiVersion, ResourceTypes } from './resources.ts';
import { ObjectStore, type StoreEvent } from './store.ts';
import { clone, type KubeObject } from './types.ts';
import { WatchHub, type WatchInfo } from './watch.ts';

export interface FakeApiServerOptions {
  /** Accepted bearer tokens; any token is accepted when absent (a missing token is always 401). */
  tokens?: string[];
  /** Clock for creationTimestamp, conditions, startTime …; durations use real timers. */
  now?: () => Date;
  /** Randomness for generateName suffixes and fault probabilities. */
  random?: () => number;
  /** Watch events kept per resource type (default 1000). */
  historyLimit?: number;
  /** The resourceVersion before the first write (default 1). */
  initialResourceVersion?: number;
  /** Namespaces that exist from the start (default: default, kube-system, kube-public, kube-node-lease). */
  namespaces?: string[];
  /** CRDs installed from the start, e.g. src/api/v1alpha1/crds.gen.json. */
  crds?: readonly unknown[];
  /** The simulated Job controller (on by default); `false` turns it off. */
  jobController?: boolean | JobControllerOptions;
  /** How soon the garbage collector acts after a change, ms (default 5). */
  gcDelayMs?: number;
  /** Interval of BOOKMARK events on watches that allow them, ms (default 1000). */
  bookmarkIntervalMs?: number;
}

/** Direct access to what the server stores, for assertions and seeding (no HTTP, no faults). */
export interface StoreView {
  /** A copy of one object; resource is a plural (`jobs`), key (`jobs.batch`) or kind (`Job`). */
  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined;
  /** Copies of the objects of a type, sorted by namespace and name. */
  list(resource: string, namespace?: string): KubeObject[];
  /** Creates an object as a POST would (defaults, validation, watch events). */
  create(obj: KubeObject): KubeObject;
  /** Changes an object (or with 'status', its status) as an unconditional update would. */
  mutate(resource: string, namespace: string | undefined, name: string, fn: (draft: KubeObject) => void, subresource?: 'status'): KubeObject | undefined;
  /** Deletes as a DELETE would (finalizers and propagation apply). */
  delete(resource: string, namespace: string | undefined, name: string, propagationPolicy?: 'Background' | 'Foreground' | 'Orphan'): void;
  /** The latest resourceVersion, as a number. */
  readonly resourceVersion: number;
}

export type RequestVerb = Verb | 'discovery';

export interface RequestQuery extends Omit<RequestMatch, 'verb'> {
  verb?: RequestVerb | RequestVerb[];
  status?: number;
  since?: number;
}

export interface WatchControls {
  /** Ends every open watch cleanly (abrupt: cuts the connections instead). Returns how many. */
  dropAll(options?: { abrupt?: boolean }): number;
  /** Sends ERROR 410 Expired to every open watch and ends it. */
  expireAll(): number;
  /** Keeps open watches connected but silent; ends them after `ms` if given. */
  hangAll(ms?: number): number;
  /** The open watches. */
  list(): WatchInfo[];
  readonly count: number;
}

export interface JobControls {
  /** Scripts the outcome of each Job's pods; no argument: every pod succeeds. */
  behave(fn?: JobBehaviour): void;
  /** Reconciles every Job now (after advancing a fake clock). */
  sync(): void;
}

export interface FakeApiServer {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  /** A KubeConfig for client-node pointing here, with a bearer token (and a default namespace). */
  kubeConfig(options?: { token?: string; namespace?: string }): KubeConfig;
  /** Installs (or updates) CRDs as `kubectl apply` would. */
  installCrds(crds: readonly unknown[]): void;
  /** Changes the number of watch events kept per resource type (older ones are dropped now). */
  setHistoryLimit(limit: number): void;
  readonly store: StoreView;
  readonly faults: Faults;
  readonly watches: WatchControls;
  readonly jobs: JobControls;
  /** Every request so far, oldest first (live array). */
  readonly requests: readonly RequestRecord[];
  /**
   * Requests matching verb (or `discovery`), resource (plural, key or kind), subresource,
   * namespace, name, HTTP status, and arrival time (`since`, Date.now() ms).
   */
  requestsMatching(match?: RequestQuery): RequestRecord[];
  clearRequests(): void;
  /** Calls the listener for every stored change (ADDED/MODIFIED/DELETED). */
  onChange(listener: (event: StoreEvent) => void): () => void;
  /**
   * Resolves with the predicate's first truthy value, re-checked on every change and every 10 ms;
   * rejects after timeoutMs (default 5000) with the description.
   */
  waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs?: number, description?: string): Promise<T>;
  close(): Promise<void>;
}

const DEFAULT_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function startFakeApiServer(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
  const env: Environment = { now: options.now ?? (() => new Date()), random: options.random ?? Math.random };
  const timers = new Timers();
  const types = new ResourceTypes();
  const store = new ObjectStore(options.historyLimit ?? 1000, options.initialResourceVersion ?? 1);
  const registry = new Registry(types, store, env);
  const watches = new WatchHub(store, timers, options.bookmarkIntervalMs ?? 1000);
  const faults = new Faults(env.random);
  const gc = new GarbageCollector(registry, timers, options.gcDelayMs ?? 5);
  const jobOpts = options.jobController ?? true;
  const jobController = jobOpts === false ? undefined : new JobController(registry, timers, env, jobOpts === true ? {} : jobOpts);
  const records: RequestRecord[] = [];
  const internal = () => ({ warnings: [], internal: true });

  const nsType = types.resolve('namespaces');
  for (const name of options.namespaces ?? DEFAULT_NAMESPACES) {
    registry.create(nsType, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, internal());
  }
  if (options.crds) registry.installCrds(options.crds);

  let address = '127.0.0.1:0';
  const tokens = options.tokens ? new Set(options.tokens) : undefined;
  const frontend = new HttpFrontend({ types, registry, watches, faults, timers, records, address: () => address, ...(tokens ? { tokens } : {}) });
  const server: Server = createServer((req, res) => frontend.handle(req, res));
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  address = `127.0.0.1:${port}`;
  const url = `http://${address}`;

  const waiters = new Set<(err: Error) => void>();
  let closed: Promise<void> | undefined;

  const resolveType = (resource: string) => types.resolve(resource);

  const view: StoreView = {
    get: (resource, namespace, name) => {
      const rt = resolveType(resource);
      return clone(store.get(rt.key, rt.namespaced ? namespace : undefined, name));
    },
    list: (resource, namespace) => clone(store.list(resolveType(resource).key, namespace)),
    create: (obj) => {
      const [group] = splitApiVersion(obj.apiVersion ?? 'v1');
      const rt = types.byGroupKind(group, obj.kind ?? '');
      if (!rt) throw new Error(`store.create: unknown kind ${obj.apiVersion}/${obj.kind}`);
      return clone(registry.create(rt, obj.metadata?.namespace, obj, internal()));
    },
    mutate: (resource, namespace, name, fn, subresource) => clone(registry.mutate(resolveType(resource), namespace, name, fn, subresource)),
    delete: (resource, namespace, name, propagationPolicy) => {
      registry.delete(resolveType(resource), namespace, name, propagationPolicy ? { propagationPolicy } : {}, internal());
    },
    get resourceVersion() {
      return store.resourceVersion;
    },
  };

  const api: FakeApiServer = {
    url,
    port,
    kubeConfig({ token = 'fake-token', namespace } = {}) {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'fake', server: url, skipTLSVerify: true }],
        users: [{ name: 'fake-user', token }],
        contexts: [{ name: 'fake', cluster: 'fake', user: 'fake-user', ...(namespace ? { namespace } : {}) }],
        currentContext: 'fake',
      });
      return kc;
    },
    installCrds: (crds) => registry.installCrds(crds),
    setHistoryLimit: (limit) => store.setHistoryLimit(limit),
    store: view,
    faults,
    watches: {
      dropAll: (o) => watches.dropAll(o),
      expireAll: () => watches.expireAll(),
      hangAll: (ms) => watches.hangAll(ms),
      list: () => watches.list(),
      get count() {
        return watches.count;
      },
    },
    jobs: {
      behave: (fn) => {
        if (!jobController) throw new Error('the simulated Job controller is off (jobController: false)');
        jobController.behave(fn);
      },
      sync: () => jobController?.sync(),
    },
    requests: records,
    requestsMatching(match = {}) {
      const verbs = match.verb === undefined ? undefined : Array.isArray(match.verb) ? match.verb : [match.verb];
      let key: string | undefined;
      if (match.resource !== undefined) {
        try {
          key = types.resolve(match.resource).key;
        } catch {
          key = match.resource;
        }
      }
      return records.filter((r) => (!verbs || (r.verb !== undefined && verbs.includes(r.verb)))
        && (key === undefined || r.resource === key)
        && (match.subresource === undefined || r.subresource === match.subresource)
        && (match.namespace === undefined || r.namespace === match.namespace)
        && (match.name === undefined || r.name === match.name)
        && (match.status === undefined || r.status === match.status)
        && (match.since === undefined || r.time >= match.since));
    },
    clearRequests() {
      records.length = 0;
    },
    onChange: (listener) => store.subscribe(listener),
    waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs = 5000, description = 'condition'): Promise<T> {
      if (closed) return Promise.reject(new Error('fake-apiserver: closed'));
      return new Promise<T>((resolve, reject) => {
        let done = false;
        const finish = (err: Error | undefined, value?: T) => {
          if (done) return;
          done = true;
          clearTimeout(deadline);
          clearInterval(poll);
          unsubscribe();
          waiters.delete(abort);
          if (err) reject(err);
          else resolve(value as T);
        };
        const check = () => {
          try {
            const value = predicate();
            if (value) finish(undefined, value);
          } catch (err) {
            finish(err as Error);
          }
        };
        const abort = (err: Error) => finish(err);
        const deadline = setTimeout(() => finish(new Error(`fake-apiserver: timed out after ${timeoutMs} ms waiting for ${description}`)), timeoutMs);
        const poll = setInterval(check, 10);
        const unsubscribe = store.subscribe(() => queueMicrotask(check));
        waiters.add(abort);
        check();
      });
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        jobController?.stop();
        gc.stop();
        watches.closeAll();
        timers.clear();
        for (const abort of [...waiters]) abort(new Error('fake-apiserver: closed'));
        server.close(() => {
          // The listening handle is released in the loop's close phase: wait for it.
          setImmediate(() => setImmediate(resolve));
        });
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
      });
      return closed;
    },
  };
  return api;
}
