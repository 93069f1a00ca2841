// The HTTP front: authenticates the bearer token, parses /api and /apis paths into a request
// (verb, resource, namespace, name, subresource — as the API server's RequestInfo does), records
// it, applies injected faults, and answers with JSON objects, lists, Status errors, discovery
// documents or a watch stream.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import type { FieldValidation } from './crd-schema.ts';
import type { Timers } from './clock.ts';
import type { Faults, RequestFacts, Verb } from './faults.ts';
import type { DeleteOptions, Registry, Subresource, WriteContext } from './registry.ts';
import { apiVersionOf, type ResourceType, type ResourceTypes } from './resources.ts';
import { ApiError, errors } from './status.ts';
import { isObject, type KubeObject } from './types.ts';
import type { WatchHub } from './watch.ts';

/** One request as the server saw it. */
export interface RequestRecord {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Kubernetes verb; `discovery` for /api, /apis and friends; undefined for unknown paths. */
  verb?: Verb | 'discovery';
  /** Resource type key, e.g. `jobs.batch`, `configmaps`, `runs.kayci.dev`. */
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** HTTP status answered; 0 when the response was deliberately lost. */
  status: number;
  /** Date.now() when the request arrived (real time, for rates). */
  time: number;
  /** `injected` (a fault answered), `lost` (committed, then the socket was cut), `delayed`. */
  fault?: 'injected' | 'lost' | 'delayed';
  userAgent?: string;
  contentType?: string;
}

interface ResourceRoute {
  rt: ResourceType;
  version: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  legacyWatch: boolean;
}

const MAX_BODY = 3 * 1024 * 1024;

export interface FrontendDeps {
  types: ResourceTypes;
  registry: Registry;
  watches: WatchHub;
  faults: Faults;
  timers: Timers;
  tokens?: ReadonlySet<string>;
  records: RequestRecord[];
  address: () => string;
}

function bool(v: string | null): boolean | undefined {
  if (v === null) return undefined;
  return v === 'true' || v === '1';
}

function num(v: string | null): number | undefined {
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw errors.badRequest(`invalid number ${JSON.stringify(v)}`);
  return n;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(errors.tooLarge('the request is too large'));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseObjectBody(text: string, contentType: string): unknown {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (text.trim() === '') throw errors.badRequest('the request body is empty');
  try {
    if (type === 'application/yaml' || type === 'application/x-yaml') return parseYaml(text);
    if (type === '' || type === 'application/json' || type === '*/*') return JSON.parse(text);
  } catch (err) {
    throw errors.badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
  throw errors.unsupportedMediaType(contentType, ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']);
}

export class HttpFrontend {
  private readonly deps: FrontendDeps;

  constructor(deps: FrontendDeps) {
    this.deps = deps;
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const record: RequestRecord = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
      time: Date.now(),
      ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}),
      ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
    };
    this.deps.records.push(record);
    this.serve(req, res, url, record).catch((err: unknown) => this.fail(res, record, err));
  }

  private send(res: ServerResponse, record: RequestRecord, code: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
    record.status = code;
    if (res.headersSent || res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(code, { 'content-type': 'application/json', 'audit-id': randomUUID(), 'cache-control': 'no-cache, private', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  private fail(res: ServerResponse, record: RequestRecord, err: unknown): void {
    if (err instanceof ApiError) {
      this.send(res, record, err.code, err.status, err.headers);
      return;
    }
    console.error('fake-apiserver: request failed', err);
    const message = err instanceof Error ? err.message : String(err);
    this.send(res, record, 500, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `Internal error occurred: ${message}`, reason: 'InternalError', details: { causes: [{ message }] }, code: 500 });
  }

  private authenticate(req: IncomingMessage): void {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m) throw errors.unauthorized();
    if (this.deps.tokens && !this.deps.tokens.has(m[1]!.trim())) throw errors.unauthorized();
  }

  private discovery(segments: string[]): object | undefined {
    const { types } = this.deps;
    if (segments.length === 0) return { paths: ['/api', '/api/v1', '/apis', ...types.all().filter((t) => t.group).map((t) => `/apis/${t.group}/${t.versions[0]}`), '/healthz', '/version'] };
    if (segments[0] === 'version' && segments.length === 1) {
      return { major: '1', minor: '34', gitVersion: 'v1.34.0-fake', gitCommit: 'fake', gitTreeState: 'clean', buildDate: '2025-01-01T00:00:00Z', goVersion: 'go1.24', compiler: 'gc', platform: 'linux/amd64' };
    }
    if (segments[0] === 'api') {
      if (segments.length === 1) return types.apiVersions(this.deps.address());
      if (segments.length === 2) return segments[1] === 'v1' ? types.apiResourceList('', 'v1') : undefined;
    }
    if (segments[0] === 'apis') {
      if (segments.length === 1) return types.apiGroupList();
      if (segments.length === 2) return types.apiGroup(segments[1]!);
      if (segments.length === 3) return types.apiResourceList(segments[1]!, segments[2]!);
    }
    return undefined;
  }

  private route(segments: string[]): ResourceRoute | undefined {
    let group: string;
    let version: string;
    let rest: string[];
    if (segments[0] === 'api' && segments[1] === 'v1') {
      group = '';
      version = 'v1';
      rest = segments.slice(2);
    } else if (segments[0] === 'apis' && segments.length >= 4) {
      group = segments[1]!;
      version = segments[2]!;
      rest = segments.slice(3);
    } else {
      return undefined;
    }
    let legacyWatch = false;
    if (rest[0] === 'watch') {
      legacyWatch = true;
      rest = rest.slice(1);
    }
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3 && !(group === '' && rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize'))) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    if (rest.length === 0 || rest.length > 3) return undefined;
    const rt = this.deps.types.byPath(group, version, rest[0]!);
    if (!rt) return undefined;
    if (namespace !== undefined && !rt.namespaced) return undefined;
    const subresource = rest[2];
    if (subresource !== undefined && (subresource !== 'status' || !rt.statusSubresource)) return undefined;
    return { rt, version, ...(namespace !== undefined ? { namespace } : {}), ...(rest[1] !== undefined ? { name: rest[1] } : {}), ...(subresource ? { subresource } : {}), legacyWatch };
  }

  private verbOf(method: string, route: ResourceRoute, watch: boolean): Verb {
    switch (method) {
      case 'GET': return watch || route.legacyWatch ? 'watch' : route.name ? 'get' : 'list';
      case 'POST':
        if (route.name || (route.rt.namespaced && route.namespace === undefined)) throw errors.methodNotAllowed(method);
        return 'create';
      case 'PUT': if (!route.name) throw errors.methodNotAllowed(method); return 'update';
      case 'PATCH': if (!route.name) throw errors.methodNotAllowed(method); return 'patch';
      case 'DELETE':
        if (route.subresource) throw errors.methodNotAllowed(method);
        return route.name ? 'delete' : 'deletecollection';
      default: throw errors.methodNotAllowed(method);
    }
  }

  private present(route: ResourceRoute): (obj: KubeObject) => KubeObject {
    const apiVersion = apiVersionOf(route.rt, route.version);
    return (obj) => (obj.apiVersion === apiVersion || !route.rt.custom ? obj : { ...obj, apiVersion });
  }

  private async serve(req: IncomingMessage, res: ServerResponse, url: URL, record: RequestRecord): Promise<void> {
    const segments = url.pathname.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
    if (segments.length === 1 && ['healthz', 'livez', 'readyz'].includes(segments[0]!)) {
      record.status = 200;
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok');
      return;
    }
    this.authenticate(req);
    const doc = req.method === 'GET' ? this.discovery(segments) : undefined;
    if (doc) {
      record.verb = 'discovery';
      this.send(res, record, 200, doc);
      return;
    }
    const route = this.route(segments);
    if (!route) throw errors.pathNotFound();
    const q = url.searchParams;
    const method = req.method ?? 'GET';
    const verb = this.verbOf(method, route, bool(q.get('watch')) === true);
    Object.assign(record, {
      verb, resource: route.rt.key,
      ...(route.subresource ? { subresource: route.subresource } : {}),
      ...(route.namespace !== undefined ? { namespace: route.namespace } : {}),
      ...(route.name !== undefined ? { name: route.name } : {}),
    });
    const facts: RequestFacts = {
      verb, resource: route.rt.key, plural: route.rt.plural, kind: route.rt.kind,
      ...(route.subresource ? { subresource: route.subresource } : {}),
      ...(route.namespace !== undefined ? { namespace: route.namespace } : {}),
      ...(route.name !== undefined ? { name: route.name } : {}),
    };
    const fault = this.deps.faults.take(facts);
    if (fault.delayMs > 0) {
      record.fault = 'delayed';
      await new Promise<void>((resolve) => this.deps.timers.set(resolve, fault.delayMs));
    }
    if (fault.status) {
      record.fault = 'injected';
      const s = fault.status.spec;
      throw errors.injected(s.status!, route.rt, route.name, s.retryAfterSeconds, s.message);
    }
    const body = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method) ? await readBody(req) : '';
    const result = this.execute(req, res, route, verb, q, body, record);
    if (!result) return; // a watch answers by itself
    if (fault.lose) {
      record.fault = 'lost';
      record.status = 0;
      req.socket.destroy();
      return;
    }
    this.send(res, record, result.code, result.body, result.headers);
  }

  private execute(
    req: IncomingMessage, res: ServerResponse, route: ResourceRoute, verb: Verb, q: URLSearchParams, body: string, record: RequestRecord,
  ): { code: number; body: unknown; headers: Record<string, string | string[]> } | undefined {
    const { registry } = this.deps;
    const { rt, namespace, name } = route;
    const present = this.present(route);
    const fieldValidation = q.get('fieldValidation') ?? undefined;
    if (fieldValidation !== undefined && !['Ignore', 'Warn', 'Strict'].includes(fieldValidation)) {
      throw errors.badRequest(`fieldValidation: Unsupported value: ${JSON.stringify(fieldValidation)}: supported values: "Ignore", "Strict", "Warn"`);
    }
    const ctx: WriteContext = {
      warnings: [],
      version: route.version,
      ...(q.get('dryRun') === 'All' ? { dryRun: true } : {}),
      ...(q.get('fieldManager') ? { fieldManager: q.get('fieldManager')! } : {}),
      ...(fieldValidation ? { fieldValidation: fieldValidation as FieldValidation } : {}),
    };
    const headers = (): Record<string, string | string[]> => (ctx.warnings.length ? { warning: ctx.warnings.map((w) => `299 - ${JSON.stringify(w)}`) } : {});
    const sub = route.subresource as Subresource;
    const contentType = req.headers['content-type'] ?? '';
    switch (verb) {
      case 'get':
        return { code: 200, body: present(registry.get(rt, namespace, name!)), headers: {} };
      case 'list': {
        const limit = num(q.get('limit'));
        const list = registry.list(rt, namespace, {
          ...(q.get('labelSelector') !== null ? { labelSelector: q.get('labelSelector')! } : {}),
          ...(q.get('fieldSelector') !== null ? { fieldSelector: q.get('fieldSelector')! } : {}),
          ...(limit !== undefined ? { limit } : {}),
          ...(q.get('continue') ? { continue: q.get('continue')! } : {}),
          ...(q.get('resourceVersion') !== null ? { resourceVersion: q.get('resourceVersion')! } : {}),
          ...(q.get('resourceVersionMatch') !== null ? { resourceVersionMatch: q.get('resourceVersionMatch')! } : {}),
        });
        const items = list.items.map((o) => {
          if (rt.custom) return present(o);
          const { kind: _k, apiVersion: _a, ...rest } = o;
          return rest;
        });
        const metadata = { resourceVersion: list.resourceVersion, ...(list.continue ? { continue: list.continue, remainingItemCount: list.remainingItemCount } : {}) };
        return { code: 200, body: { kind: rt.listKind, apiVersion: apiVersionOf(rt, route.version), metadata, items }, headers: {} };
      }
      case 'watch': {
        const timeoutSeconds = num(q.get('timeoutSeconds'));
        record.status = 200;
        this.deps.watches.serve(req, res, rt, namespace, {
          ...(q.get('resourceVersion') !== null ? { resourceVersion: q.get('resourceVersion')! } : {}),
          ...(q.get('resourceVersionMatch') !== null ? { resourceVersionMatch: q.get('resourceVersionMatch')! } : {}),
          ...(q.get('labelSelector') !== null ? { labelSelector: q.get('labelSelector')! } : {}),
          ...(q.get('fieldSelector') !== null ? { fieldSelector: q.get('fieldSelector')! } : {}),
          ...(bool(q.get('allowWatchBookmarks')) ? { allowWatchBookmarks: true } : {}),
          ...(bool(q.get('sendInitialEvents')) ? { sendInitialEvents: true } : {}),
          ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
          ...(name !== undefined ? { name } : {}),
        }, present);
        return undefined;
      }
      case 'create': {
        const created = registry.create(rt, namespace, parseObjectBody(body, contentType), ctx);
        return { code: 201, body: present(created), headers: headers() };
      }
      case 'update': {
        const updated = registry.update(rt, namespace, name!, parseObjectBody(body, contentType), ctx, sub);
        return { code: 200, body: present(updated), headers: headers() };
      }
      case 'patch': {
        const { object, created } = registry.patch(rt, namespace, name!, contentType, body, ctx, sub);
        return { code: created ? 201 : 200, body: present(object), headers: headers() };
      }
      case 'delete': {
        const result = registry.delete(rt, namespace, name!, this.deleteOptions(q, body), ctx);
        const out = 'metadata' in result.body && isObject(result.body.metadata) && 'uid' in result.body.metadata ? present(result.body as KubeObject) : result.body;
        return { code: 200, body: out, headers: headers() };
      }
      case 'deletecollection': {
        const status = registry.deleteCollection(rt, namespace, {
          ...(q.get('labelSelector') !== null ? { labelSelector: q.get('labelSelector')! } : {}),
          ...(q.get('fieldSelector') !== null ? { fieldSelector: q.get('fieldSelector')! } : {}),
        }, this.deleteOptions(q, body), ctx);
        return { code: 200, body: status, headers: headers() };
      }
    }
  }

  private deleteOptions(q: URLSearchParams, body: string): DeleteOptions {
    const opts: DeleteOptions = {};
    if (body.trim()) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        throw errors.badRequest('DeleteOptions: could not decode the request body');
      }
      if (isObject(parsed)) {
        if (typeof parsed.propagationPolicy === 'string') opts.propagationPolicy = parsed.propagationPolicy;
        if (typeof parsed.orphanDependents === 'boolean') opts.orphanDependents = parsed.orphanDependents;
        if (typeof parsed.gracePeriodSeconds === 'number') opts.gracePeriodSeconds = parsed.gracePeriodSeconds;
        if (isObject(parsed.preconditions)) {
          opts.preconditions = {
            ...(typeof parsed.preconditions.uid === 'string' ? { uid: parsed.preconditions.uid } : {}),
            ...(typeof parsed.preconditions.resourceVersion === 'string' ? { resourceVersion: parsed.preconditions.resourceVersion } : {}),
          };
        }
      }
    }
    const policy = q.get('propagationPolicy');
    if (policy) opts.propagationPolicy = policy;
    const orphan = bool(q.get('orphanDependents'));
    if (orphan !== undefined) opts.orphanDependents = orphan;
    const grace = num(q.get('gracePeriodSeconds'));
    if (grace !== undefined) opts.gracePeriodSeconds = grace;
    return opts;
  }
}
