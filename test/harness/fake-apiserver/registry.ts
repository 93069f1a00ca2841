// The semantics of each verb, independent of HTTP: create (generateName, server-owned metadata,
// defaulting, validation, AlreadyExists), update (optimistic concurrency, the status subresource,
// generation, no-op writes that keep the resourceVersion), patch, delete (finalizers,
// propagation policies) and list (selectors, pagination, consistent snapshots). The HTTP layer,
// the simulated controllers and the test-facing store all go through here.
import { randomUUID } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { admitCustomResource, type FieldValidation } from './crd-schema.ts';
import { randomSuffix, rfc3339, type Environment } from './clock.ts';
import { defaultJob, defaultNamespace, defaultPod, defaultPvc, defaultSecret } from './defaults.ts';
import { applyPatch, jsonPatch, mergePatch, PATCH_TYPES, strategicMerge, type PatchType } from './patch.ts';
import { apiVersionOf, validateCrd, type ResourceType, type ResourceTypes } from './resources.ts';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { ApiError, errors, successStatus, type Status, type StatusCause } from './status.ts';
import type { ObjectStore } from './store.ts';
import { normalizeTimes } from './times.ts';
import { asArray, asObject, child, clone, isObject, jsonEqual, type JsonObject, type KubeObject } from './types.ts';
import { Issues, validateKind, validateMetadata } from './validation.ts';

export interface WriteContext {
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: FieldValidation;
  /** Collected `Warning` header texts. */
  warnings: string[];
  /** The API version of the request (custom resources may serve several). */
  version?: string;
  /** Writes by the simulated controllers: no resourceVersion needed for custom resources. */
  internal?: boolean;
  /** The managedFields operation recorded for fieldManager (Apply for server-side apply). */
  operation?: 'Apply' | 'Update';
}

export type Subresource = 'status' | undefined;

export interface DeleteOptions {
  propagationPolicy?: string;
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  gracePeriodSeconds?: number;
}

export interface DeleteResult {
  /** The object as it now is (still present, being deleted) or as it was deleted. */
  object: KubeObject;
  /** Gone from storage now (as opposed to waiting for finalizers). */
  gone: boolean;
  /** The body the real server answers with. */
  body: KubeObject | Omit<Status, 'code'>;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

const GC_FINALIZERS = ['orphan', 'foregroundDeletion'];
const PROPAGATION = ['Foreground', 'Background', 'Orphan'];
const DELETE_OPTIONS = { group: 'meta.k8s.io', plural: 'deleteoptions', kind: 'DeleteOptions' };
const PATCH_OPTIONS = { group: 'meta.k8s.io', plural: 'patchoptions', kind: 'PatchOptions' };
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const JOB_DELETE_WARNING = 'child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning';

/** Everything but metadata (and status, when it has its own subresource): what `generation` counts. */
function specOf(rt: ResourceType, obj: KubeObject): JsonObject {
  const { metadata: _m, status, apiVersion: _a, kind: _k, ...rest } = obj;
  return rt.statusSubresource ? rest : { ...rest, status };
}

function withoutVolatile(obj: KubeObject): KubeObject {
  const { resourceVersion: _rv, managedFields: _mf, ...meta } = obj.metadata;
  return { ...obj, metadata: meta };
}

function encodeContinue(rv: number, after: string): string {
  return Buffer.from(JSON.stringify({ rv, start: after })).toString('base64url');
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { rv: unknown; start: unknown };
    if (typeof parsed.rv === 'number' && typeof parsed.start === 'string') return { rv: parsed.rv, start: parsed.start };
  } catch {
    // fall through
  }
  throw errors.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

export class Registry {
  readonly types: ResourceTypes;
  readonly store: ObjectStore;
  private readonly env: Environment;

  constructor(types: ResourceTypes, store: ObjectStore, env: Environment) {
    this.types = types;
    this.store = store;
    this.env = env;
  }

  private now(): string {
    return rfc3339(this.env.now());
  }

  // Reads

  get(rt: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const obj = this.store.get(rt.key, rt.namespaced ? namespace : undefined, name);
    if (!obj) throw errors.notFound(rt, name);
    return obj;
  }

  list(rt: ResourceType, namespace: string | undefined, opts: ListOptions = {}): ListResult {
    const labels = parseLabelSelector(opts.labelSelector);
    const fields = parseFieldSelector(opts.fieldSelector, rt);
    let rv = this.store.resourceVersion;
    let start = '';
    let source: KubeObject[] | undefined;
    if (opts.continue) {
      const token = decodeContinue(opts.continue);
      rv = token.rv;
      start = token.start;
      source = this.store.snapshotAt(rt.key, rv);
      if (!source) {
        throw errors.expired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
      }
    } else if (opts.resourceVersion && opts.resourceVersionMatch === 'Exact') {
      rv = Number(opts.resourceVersion);
      source = this.store.snapshotAt(rt.key, rv);
      if (!source) throw errors.expired(`too old resource version: ${rv} (${this.store.oldestWatchable(rt.key)})`);
    } else {
      source = this.store.list(rt.key);
    }
    const matched = source.filter((o) => (!rt.namespaced || namespace === undefined || o.metadata.namespace === namespace)
      && matchesLabels(labels, o.metadata.labels) && matchesFields(fields, o));
    const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const remaining = start ? matched.filter((o) => keyOf(o) > start) : matched;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : undefined;
    const items = limit ? remaining.slice(0, limit) : remaining;
    const result: ListResult = { items, resourceVersion: String(rv) };
    if (limit && remaining.length > limit) {
      result.continue = encodeContinue(rv, keyOf(items[items.length - 1]!));
      result.remainingItemCount = remaining.length - limit;
    }
    return result;
  }

  // Writes

  private checkKind(rt: ResourceType, obj: KubeObject, version: string | undefined): void {
    const expected = apiVersionOf(rt, version ?? rt.versions[0]);
    if (rt.custom && (!obj.kind || !obj.apiVersion)) {
      throw errors.badRequest(`Object 'Kind' is missing in '${JSON.stringify(obj).slice(0, 200)}'`);
    }
    if (obj.kind !== undefined && obj.kind !== rt.kind) {
      throw errors.badRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${rt.kind})`);
    }
    if (obj.apiVersion !== undefined && obj.apiVersion !== expected) {
      throw errors.badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${expected})`);
    }
    obj.kind = rt.kind;
    obj.apiVersion = apiVersionOf(rt);
  }

  private requireNamespace(rt: ResourceType, namespace: string, name: string): void {
    const ns = this.store.get('namespaces', undefined, namespace);
    if (!ns) throw errors.notFound({ group: '', plural: 'namespaces', kind: 'Namespace' }, namespace);
    if (ns.metadata.deletionTimestamp) {
      throw errors.forbidden(rt, name, `unable to create new content in namespace ${namespace} because it is being terminated`);
    }
  }

  private prepareSecret(secret: KubeObject): void {
    for (const [key, value] of Object.entries(asObject(secret.data))) {
      if (typeof value !== 'string' || !BASE64.test(value) || value.length % 4 !== 0) {
        throw errors.badRequest(`Secret in version "v1" cannot be handled as a Secret: illegal base64 data in data[${JSON.stringify(key)}]`);
      }
    }
    if (isObject(secret.stringData)) {
      const data = child(secret as JsonObject, 'data');
      for (const [key, value] of Object.entries(secret.stringData)) data[key] = Buffer.from(String(value)).toString('base64');
      delete secret.stringData;
    }
    defaultSecret(secret);
  }

  /** Defaulting on create (generate: also the Job selector and template labels). */
  private applyDefaults(rt: ResourceType, obj: KubeObject, generate: boolean): void {
    switch (rt.key) {
      case 'jobs.batch':
        if (generate) defaultJob(obj, obj.metadata.uid!);
        else {
          // Updates get the scheme defaults only; the generated selector and labels must be resent.
          const spec = asObject(obj.spec);
          const keep = clone({ selector: spec.selector, labels: asObject(asObject(spec.template).metadata).labels });
          defaultJob(obj, obj.metadata.uid!);
          const after = asObject(obj.spec);
          if (keep.selector === undefined) delete after.selector;
          else after.selector = keep.selector;
          const meta = asObject(asObject(after.template).metadata);
          if (keep.labels === undefined) delete meta.labels;
          else meta.labels = keep.labels;
        }
        break;
      case 'pods': defaultPod(obj); break;
      case 'namespaces': defaultNamespace(obj); break;
      case 'persistentvolumeclaims': defaultPvc(obj); break;
      case 'secrets': this.prepareSecret(obj); break;
      default:
    }
  }

  private initialStatus(rt: ResourceType, obj: KubeObject): void {
    if (!rt.statusSubresource) return;
    delete obj.status;
    if (rt.key === 'pods') obj.status = { phase: 'Pending', qosClass: 'BestEffort' };
    if (rt.key === 'jobs.batch') obj.status = {};
  }

  private recordManager(obj: KubeObject, ctx: WriteContext, operation: 'Apply' | 'Update', sub: Subresource): void {
    if (!ctx.fieldManager) return;
    const entries = asArray(obj.metadata.managedFields).filter(isObject)
      .filter((e) => !(e.manager === ctx.fieldManager && e.operation === operation && e.subresource === sub));
    entries.push({
      manager: ctx.fieldManager, operation, apiVersion: obj.apiVersion, time: this.now(), fieldsType: 'FieldsV1', fieldsV1: {},
      ...(sub ? { subresource: sub } : {}),
    });
    obj.metadata.managedFields = entries;
  }

  private admit(rt: ResourceType, obj: KubeObject, old: KubeObject | undefined, ctx: WriteContext, kindChecks: boolean): void {
    const causes: StatusCause[] = [];
    if (rt.custom) causes.push(...admitCustomResource(rt, ctx.version ?? rt.versions[0]!, obj, ctx.fieldValidation ?? 'Warn', ctx.warnings));
    const issues = new Issues();
    validateMetadata(rt, obj, old, issues);
    if (kindChecks) validateKind(rt, obj, old, issues);
    causes.unshift(...issues.causes);
    if (kindChecks && rt.key === 'customresourcedefinitions.apiextensions.k8s.io') validateCrd(obj, this.types);
    if (causes.length) throw errors.invalid(rt, obj.metadata.name ?? '', causes);
  }

  create(rt: ResourceType, namespace: string | undefined, body: unknown, ctx: WriteContext): KubeObject {
    if (!isObject(body)) throw errors.badRequest('the body of the request must be a JSON object');
    const obj = clone(body) as KubeObject;
    this.checkKind(rt, obj, ctx.version);
    if (!isObject(obj.metadata)) obj.metadata = {};
    const meta = obj.metadata;
    if (meta.resourceVersion) {
      throw new ApiError({ message: 'resourceVersion should not be set on objects to be created', reason: 'InternalError', details: { causes: [{ message: 'resourceVersion should not be set on objects to be created' }] }, code: 500 });
    }
    if (rt.namespaced) {
      if (!namespace) throw errors.badRequest('a namespace is required to create this resource');
      if (meta.namespace && meta.namespace !== namespace) {
        throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = namespace;
      this.requireNamespace(rt, namespace, meta.name ?? meta.generateName ?? '');
    } else {
      delete meta.namespace;
    }
    if (!meta.name && typeof meta.generateName === 'string' && meta.generateName) {
      const prefix = meta.generateName.slice(0, 58);
      do meta.name = prefix + randomSuffix(this.env.random);
      while (this.store.get(rt.key, meta.namespace, meta.name));
    }
    meta.uid = randomUUID();
    meta.creationTimestamp = this.now();
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.managedFields;
    if (rt.generation) meta.generation = 1;
    else delete meta.generation;
    this.initialStatus(rt, obj);
    this.applyDefaults(rt, obj, true);
    if (!rt.custom) normalizeTimes(obj);
    this.admit(rt, obj, undefined, ctx, true);
    if (this.store.get(rt.key, meta.namespace, meta.name!)) throw errors.alreadyExists(rt, meta.name!);
    this.recordManager(obj, ctx, ctx.operation ?? 'Update', undefined);
    if (rt.key === 'customresourcedefinitions.apiextensions.k8s.io') {
      meta.finalizers = [...new Set([...asArray(meta.finalizers).map(String), 'customresourcecleanup.apiextensions.k8s.io'])];
    }
    if (ctx.dryRun) return obj;
    const stored = this.store.write(rt.key, obj, 'ADDED');
    if (rt.key === 'customresourcedefinitions.apiextensions.k8s.io') return this.establishCrd(stored);
    return stored;
  }

  update(rt: ResourceType, namespace: string | undefined, name: string, body: unknown, ctx: WriteContext, sub: Subresource = undefined): KubeObject {
    if (!isObject(body)) throw errors.badRequest('the body of the request must be a JSON object');
    const old = this.get(rt, namespace, name);
    const incoming = clone(body) as KubeObject;
    this.checkKind(rt, incoming, ctx.version);
    if (!isObject(incoming.metadata)) incoming.metadata = {};
    if (incoming.metadata.name !== undefined && incoming.metadata.name !== name) {
      throw errors.badRequest(`the name of the object (${String(incoming.metadata.name)}) does not match the name on the URL (${name})`);
    }
    if (rt.namespaced && incoming.metadata.namespace && incoming.metadata.namespace !== namespace) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    incoming.metadata.name = name;
    const rv = incoming.metadata.resourceVersion;
    if (rv) {
      if (rv !== old.metadata.resourceVersion) throw errors.conflict(rt, name);
    } else if (!rt.allowUnconditionalUpdate && !ctx.internal) {
      throw errors.invalid(rt, name, [{ reason: 'FieldValueInvalid', field: 'metadata.resourceVersion', message: 'Invalid value: 0x0: must be specified for an update' }]);
    }
    return this.commit(rt, old, incoming, ctx, sub, 'Update');
  }

  /** Builds the stored object from what a PUT or PATCH produced, validates it and writes it. */
  private commit(rt: ResourceType, old: KubeObject, incoming: KubeObject, ctx: WriteContext, sub: Subresource, operation: 'Apply' | 'Update'): KubeObject {
    let next: KubeObject;
    if (sub === 'status') {
      next = clone(old);
      if (incoming.status === undefined) delete next.status;
      else next.status = clone(incoming.status);
    } else {
      next = incoming;
      const meta = next.metadata;
      for (const key of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'namespace'] as const) {
        if (old.metadata[key] === undefined) delete meta[key];
        else meta[key] = clone(old.metadata[key]) as never;
      }
      if (meta.managedFields === undefined && old.metadata.managedFields) meta.managedFields = clone(old.metadata.managedFields);
      if (rt.statusSubresource) {
        if (old.status === undefined) delete next.status;
        else next.status = clone(old.status);
      }
      if (rt.key === 'namespaces') next.spec = clone(old.spec);
      this.applyDefaults(rt, next, false);
    }
    next.kind = old.kind;
    next.apiVersion = old.apiVersion;
    if (!rt.custom) normalizeTimes(next);
    this.admit(rt, next, old, ctx, sub !== 'status');
    if (rt.generation && !jsonEqual(specOf(rt, next), specOf(rt, old))) {
      next.metadata.generation = (old.metadata.generation ?? 0) + 1;
    }
    this.recordManager(next, ctx, operation, sub);
    // A write that changes nothing keeps the resourceVersion and sends no watch event.
    if (jsonEqual(withoutVolatile(next), withoutVolatile(old))) return old;
    if (ctx.dryRun) return next;
    if (next.metadata.deletionTimestamp && asArray(next.metadata.finalizers).length === 0 && rt.key !== 'namespaces') {
      return this.remove(rt, next);
    }
    const stored = this.store.write(rt.key, next, 'MODIFIED');
    if (rt.key === 'customresourcedefinitions.apiextensions.k8s.io' && sub !== 'status') this.types.installCrd(stored);
    return stored;
  }

  patch(rt: ResourceType, namespace: string | undefined, name: string, contentType: string, rawBody: string, ctx: WriteContext, sub: Subresource = undefined): { object: KubeObject; created: boolean } {
    const type = contentType.split(';')[0]!.trim().toLowerCase() as PatchType;
    const accepted = rt.custom ? [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.apply] : Object.values(PATCH_TYPES);
    if (!accepted.includes(type)) throw errors.unsupportedMediaType(contentType, accepted);
    let patch: unknown;
    try {
      patch = type === PATCH_TYPES.apply ? parseYaml(rawBody) : JSON.parse(rawBody);
    } catch (err) {
      throw errors.badRequest(`error decoding patch: ${(err as Error).message}`);
    }
    if (type === PATCH_TYPES.apply) {
      if (!ctx.fieldManager) throw errors.invalid(PATCH_OPTIONS, '', [{ reason: 'FieldValueRequired', field: 'fieldManager', message: 'Required value: is required for apply patch' }]);
      if (!isObject(patch)) throw errors.badRequest('apply patch must be an object');
    } else if (type !== PATCH_TYPES.json && !isObject(patch)) {
      throw errors.badRequest('patch must be a JSON object');
    }
    const old = this.store.get(rt.key, rt.namespaced ? namespace : undefined, name);
    if (!old) {
      if (type !== PATCH_TYPES.apply || sub) throw errors.notFound(rt, name);
      const body = clone(patch) as KubeObject;
      body.metadata = { ...asObject(body.metadata), name } as KubeObject['metadata'];
      return { object: this.create(rt, namespace, body, { ...ctx, operation: 'Apply' }), created: true };
    }
    let patched: unknown;
    switch (type) {
      case PATCH_TYPES.json: patched = jsonPatch(clone(old), patch); break;
      case PATCH_TYPES.merge: patched = mergePatch(clone(old), patch); break;
      case PATCH_TYPES.strategic: patched = strategicMerge(clone(old), patch); break;
      default: {
        const applied = patch as KubeObject;
        if ((applied.kind && applied.kind !== rt.kind) || (applied.apiVersion && applied.apiVersion !== apiVersionOf(rt, ctx.version))) {
          throw errors.badRequest(`the kind or API version in the data (${String(applied.apiVersion)}, ${String(applied.kind)}) does not match the request`);
        }
        patched = applyPatch(clone(old), patch);
      }
    }
    if (!isObject(patched) || !isObject(patched.metadata)) throw errors.unprocessable('the server rejected our request due to an error in our request: the patched object is not an object with metadata');
    const result = patched as KubeObject;
    if (result.metadata.name !== name) throw errors.badRequest(`metadata.name: Invalid value: ${JSON.stringify(result.metadata.name)}: field is immutable`);
    if (result.metadata.resourceVersion !== old.metadata.resourceVersion) throw errors.conflict(rt, name);
    if (result.kind !== old.kind || result.apiVersion !== old.apiVersion) throw errors.badRequest('kind and apiVersion cannot be changed by a patch');
    if (ctx.version) result.apiVersion = apiVersionOf(rt, ctx.version);
    return { object: this.commit(rt, old, result, ctx, sub, type === PATCH_TYPES.apply ? 'Apply' : 'Update'), created: false };
  }

  /** Read-modify-write for the simulated controllers: never conflicts. */
  mutate(rt: ResourceType, namespace: string | undefined, name: string, fn: (draft: KubeObject) => void, sub: Subresource = undefined): KubeObject | undefined {
    const old = this.store.get(rt.key, rt.namespaced ? namespace : undefined, name);
    if (!old) return undefined;
    const draft = clone(old);
    fn(draft);
    return this.commit(rt, old, draft, { warnings: [], internal: true }, sub, 'Update');
  }

  delete(rt: ResourceType, namespace: string | undefined, name: string, opts: DeleteOptions, ctx: WriteContext): DeleteResult {
    const old = this.get(rt, namespace, name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid) {
      throw errors.conflict(rt, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw errors.conflict(rt, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`);
    }
    let policy = opts.propagationPolicy;
    if (policy === undefined && opts.orphanDependents !== undefined) policy = opts.orphanDependents ? 'Orphan' : 'Background';
    if (policy !== undefined && !PROPAGATION.includes(policy)) {
      throw errors.invalid(DELETE_OPTIONS, '', [{ reason: 'FieldValueNotSupported', field: 'propagationPolicy', message: `Unsupported value: ${JSON.stringify(policy)}: supported values: "Foreground", "Background", "Orphan"` }]);
    }
    if (policy === undefined && rt.key === 'jobs.batch') {
      ctx.warnings.push(JOB_DELETE_WARNING);
      policy = 'Orphan';
    }
    policy ??= 'Background';
    const finalizers = asArray(old.metadata.finalizers).map(String).filter((f) => !GC_FINALIZERS.includes(f));
    if (policy === 'Orphan') finalizers.push('orphan');
    if (policy === 'Foreground') finalizers.push('foregroundDeletion');
    if (finalizers.length === 0 && rt.key !== 'namespaces' && rt.key !== 'customresourcedefinitions.apiextensions.k8s.io') {
      const deleted = ctx.dryRun ? old : this.remove(rt, old);
      const body = rt.custom || rt.key === 'pods' ? deleted : successStatus(rt, name, old.metadata.uid);
      return { object: deleted, gone: true, body };
    }
    if (rt.key === 'customresourcedefinitions.apiextensions.k8s.io') return this.deleteCrd(rt, old, ctx);
    const next = clone(old);
    next.metadata.deletionTimestamp ??= this.now();
    next.metadata.deletionGracePeriodSeconds ??= 0;
    if (finalizers.length) next.metadata.finalizers = finalizers;
    else delete next.metadata.finalizers;
    if (rt.key === 'namespaces') child(next as JsonObject, 'status').phase = 'Terminating';
    if (jsonEqual(next, old) || ctx.dryRun) return { object: old, gone: false, body: old };
    const stored = this.store.write(rt.key, next, 'MODIFIED');
    return { object: stored, gone: false, body: stored };
  }

  deleteCollection(rt: ResourceType, namespace: string | undefined, list: ListOptions, opts: DeleteOptions, ctx: WriteContext): Omit<Status, 'code'> {
    for (const item of this.list(rt, namespace, { labelSelector: list.labelSelector, fieldSelector: list.fieldSelector }).items) {
      try {
        this.delete(rt, item.metadata.namespace, item.metadata.name!, opts, ctx);
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
    }
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' };
  }

  /** Removes an object from storage (the last step of every deletion). */
  remove(rt: ResourceType, obj: KubeObject): KubeObject {
    if (!this.store.get(rt.key, obj.metadata.namespace, obj.metadata.name!)) return obj;
    return this.store.remove(rt.key, obj);
  }

  // CustomResourceDefinitions

  private establishCrd(crd: KubeObject): KubeObject {
    const rt = this.types.installCrd(crd);
    const now = this.now();
    const next = clone(crd);
    next.status = {
      acceptedNames: clone(asObject(crd.spec).names),
      conditions: [
        { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found', lastTransitionTime: now },
        { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: now },
      ],
      storedVersions: [rt.versions[0]],
    };
    return this.store.write('customresourcedefinitions.apiextensions.k8s.io', next, 'MODIFIED');
  }

  /** Deleting a CRD deletes every custom resource of it, then the CRD (done at once here). */
  private deleteCrd(rt: ResourceType, crd: KubeObject, ctx: WriteContext): DeleteResult {
    if (ctx.dryRun) return { object: crd, gone: false, body: crd };
    const crType = this.types.all().find((t) => t.crdName === crd.metadata.name);
    if (crType) for (const o of this.store.list(crType.key)) this.store.remove(crType.key, o);
    this.types.uninstallCrd(crd.metadata.name!);
    const deleted = this.store.remove(rt.key, { ...crd, metadata: { ...crd.metadata, deletionTimestamp: this.now() } });
    return { object: deleted, gone: true, body: deleted };
  }

  /** Creates or updates CRDs directly, as `kubectl apply` of crds.gen.json would. */
  installCrds(crds: readonly unknown[]): void {
    const rt = this.types.resolve('customresourcedefinitions.apiextensions.k8s.io');
    for (const raw of crds) {
      const crd = clone(raw) as KubeObject;
      const name = crd.metadata?.name;
      if (!name) throw new Error('installCrds: a CRD without metadata.name');
      const existing = this.store.get(rt.key, undefined, name);
      if (existing) {
        this.mutate(rt, undefined, name, (draft) => {
          draft.spec = crd.spec;
          draft.metadata.labels = crd.metadata.labels;
        });
      } else {
        this.create(rt, undefined, crd, { warnings: [], internal: true });
      }
    }
  }
}
