// The fake API server, driven only through @kubernetes/client-node — the client the controller
// uses — so what passes here is what the controller will see: Status bodies in ApiException,
// list/watch/informer behaviour across 410s and dropped watches, the status subresource, the
// simulated Job controller, garbage collection, CRD schemas and every kind of injected fault.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ApiException, ApiextensionsV1Api, BatchV1Api, CoordinationV1Api, CoreV1Api, CustomObjectsApi, KubernetesObjectApi,
  ListWatch, PatchStrategy, Watch, makeInformer, setHeaderOptions,
  type KubeConfig, type KubernetesObject, type V1ConfigMap, type V1Job, type V1Pod,
} from '@kubernetes/client-node';
import crds from '../../src/api/v1alpha1/crds.gen.json' with { type: 'json' };
import { startFakeApiServer, type FakeApiServer, type FakeApiServerOptions, type KubeObject, type Status } from './fake-apiserver/index.ts';

const NS = 'team-a';
const GROUP = 'kayci.dev';
const VERSION = 'v1alpha1';

let server: FakeApiServer;
let kc: KubeConfig;

async function start(options: FakeApiServerOptions = {}): Promise<void> {
  server = await startFakeApiServer({ namespaces: ['default', NS], crds, ...options });
  kc = server.kubeConfig();
}

afterEach(async () => {
  await server?.close();
});

/** The ApiException a call fails with, its body parsed as client-node leaves it (a JSON string). */
async function failure(call: Promise<unknown>): Promise<{ code: number; body: Status; headers: Record<string, string> }> {
  try {
    await call;
  } catch (err) {
    if (err instanceof ApiException) {
      // client-node drops the body of a 401 (its generated code throws before reading it).
      const body = (err.body === undefined ? { code: err.code } : JSON.parse(err.body as string)) as Status;
      return { code: err.code, body, headers: err.headers as Record<string, string> };
    }
    throw err;
  }
  throw new Error('expected the call to fail');
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const noDelay = { delayFn: () => Promise.resolve() };

function configMap(name: string, labels: Record<string, string> = {}, data: Record<string, string> = { a: '1' }): V1ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data };
}

function job(name: string, spec: Partial<NonNullable<V1Job['spec']>> = {}, podSpec: Record<string, unknown> = {}): V1Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: {
      backoffLimit: 0,
      ...spec,
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'alpine:3.20', command: ['true'] }], ...podSpec } },
    },
  };
}

function pipeline(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'Pipeline',
    metadata: { name },
    spec: { jobs: [{ name: 'build', template: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'golang:1.24' }] } } } }], ...extra },
  };
}

function run(name: string, pipelineName = 'demo'): Record<string, unknown> {
  return { apiVersion: `${GROUP}/${VERSION}`, kind: 'Run', metadata: { name }, spec: { pipelineRef: { name: pipelineName } } };
}

const condition = (obj: KubeObject | undefined, type: string) =>
  ((obj?.status as { conditions?: { type: string; status: string; reason?: string; message?: string }[] } | undefined)?.conditions ?? [])
    .find((c) => c.type === type && c.status === 'True');

describe('CRUD through CoreV1Api, with real Status bodies', () => {
  beforeEach(() => start());

  it('creates, reads, replaces, patches and deletes; the server owns uid, timestamps and resourceVersion', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const created = await core.createNamespacedConfigMap({ namespace: NS, body: configMap('settings') });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(created.metadata?.namespace).toBe(NS);
    const rv1 = Number(created.metadata?.resourceVersion);

    const read = await core.readNamespacedConfigMap({ name: 'settings', namespace: NS });
    expect(read.data).toEqual({ a: '1' });
    const replaced = await core.replaceNamespacedConfigMap({ name: 'settings', namespace: NS, body: { ...read, data: { a: '2' } } });
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(rv1);

    // The generated patch methods send application/json-patch+json unless told otherwise.
    const jsonPatched = await core.patchNamespacedConfigMap({ name: 'settings', namespace: NS, body: [{ op: 'add', path: '/data/b', value: 'x' }] });
    expect(jsonPatched.data).toEqual({ a: '2', b: 'x' });
    const merged = await core.patchNamespacedConfigMap({ name: 'settings', namespace: NS, body: { data: { a: null, c: 'y' } } }, mergePatch);
    expect(merged.data).toEqual({ b: 'x', c: 'y' });

    const unchanged = await core.replaceNamespacedConfigMap({ name: 'settings', namespace: NS, body: merged });
    expect(unchanged.metadata?.resourceVersion).toBe(merged.metadata?.resourceVersion);

    const status = await core.deleteNamespacedConfigMap({ name: 'settings', namespace: NS });
    expect(status).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'settings', kind: 'configmaps' } });
    const gone = await failure(core.readNamespacedConfigMap({ name: 'settings', namespace: NS }));
    expect(gone.code).toBe(404);
    expect(gone.body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'configmaps "settings" not found', details: { name: 'settings', kind: 'configmaps' } });
    expect((await failure(core.deleteNamespacedConfigMap({ name: 'settings', namespace: NS }))).body.reason).toBe('NotFound');
  });

  it('answers AlreadyExists, Conflict, a missing namespace and generateName like the real server', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const first = await core.createNamespacedConfigMap({ namespace: NS, body: configMap('dup') });
    const exists = await failure(core.createNamespacedConfigMap({ namespace: NS, body: configMap('dup') }));
    expect(exists.code).toBe(409);
    expect(exists.body).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'AlreadyExists', code: 409,
      message: 'configmaps "dup" already exists', details: { name: 'dup', kind: 'configmaps' },
    });

    await core.patchNamespacedConfigMap({ name: 'dup', namespace: NS, body: { data: { a: 'new' } } }, mergePatch);
    const stale = await failure(core.replaceNamespacedConfigMap({ name: 'dup', namespace: NS, body: { ...first, data: { a: 'stale' } } }));
    expect(stale.code).toBe(409);
    expect(stale.body.reason).toBe('Conflict');
    expect(stale.body.message).toContain('the object has been modified');
    const stalePatch = await failure(core.patchNamespacedConfigMap({ name: 'dup', namespace: NS, body: { metadata: { resourceVersion: first.metadata?.resourceVersion }, data: { a: 'x' } } }, mergePatch));
    expect(stalePatch.body.reason).toBe('Conflict');

    const noNs = await failure(core.createNamespacedConfigMap({ namespace: 'nope', body: configMap('x') }));
    expect(noNs.body).toMatchObject({ reason: 'NotFound', message: 'namespaces "nope" not found' });

    const generated = await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { generateName: 'run-' }, data: {} } });
    expect(generated.metadata?.name).toMatch(/^run-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('rejects invalid names and labels with 422 Invalid and field causes', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const bad = await failure(core.createNamespacedConfigMap({ namespace: NS, body: configMap('Bad_Name', { 'kayci.dev/run': 'x'.repeat(64) }) }));
    expect(bad.code).toBe(422);
    expect(bad.body.reason).toBe('Invalid');
    expect(bad.body.details?.kind).toBe('ConfigMap');
    const fields = bad.body.details?.causes?.map((c) => [c.field, c.reason]);
    expect(fields).toContainEqual(['metadata.name', 'FieldValueInvalid']);
    expect(fields).toContainEqual(['metadata.labels', 'FieldValueInvalid']);
    const ns = await failure(core.createNamespace({ body: { metadata: { name: 'a.b' } } }));
    expect(ns.body.details?.causes?.[0]?.message).toContain('RFC 1123 label');
  });

  it('lists with label selectors, field selectors, pagination and a global resourceVersion', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: NS, body: configMap('a', { app: 'web', tier: 'front' }) });
    await core.createNamespacedConfigMap({ namespace: NS, body: configMap('b', { app: 'web', tier: 'back' }) });
    await core.createNamespacedConfigMap({ namespace: NS, body: configMap('c', { app: 'db' }) });
    await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('d', { app: 'web' }) });
    const names = async (labelSelector?: string, fieldSelector?: string, namespace = NS) =>
      (await core.listNamespacedConfigMap({ namespace, labelSelector, fieldSelector })).items.map((i) => i.metadata?.name);
    expect(await names('app=web')).toEqual(['a', 'b']);
    expect(await names('app==web')).toEqual(['a', 'b']);
    expect(await names('app!=web')).toEqual(['c']);
    expect(await names('tier in (front, back)')).toEqual(['a', 'b']);
    expect(await names('tier notin (front)')).toEqual(['b', 'c']);
    expect(await names('tier')).toEqual(['a', 'b']);
    expect(await names('!tier')).toEqual(['c']);
    expect(await names('app=web,tier=back')).toEqual(['b']);
    expect(await names(undefined, 'metadata.name=c')).toEqual(['c']);
    expect(await names(undefined, 'metadata.name!=c')).toEqual(['a', 'b']);
    const all = await core.listConfigMapForAllNamespaces({ labelSelector: 'app=web', fieldSelector: 'metadata.namespace=default' });
    expect(all.items.map((i) => i.metadata?.name)).toEqual(['d']);
    // Built-in list items carry no kind/apiVersion, as on a real server.
    expect(all.items[0]?.kind).toBeUndefined();
    expect((await failure(core.listNamespacedConfigMap({ namespace: NS, labelSelector: 'app in web' }))).code).toBe(400);
    expect((await failure(core.listNamespacedConfigMap({ namespace: NS, fieldSelector: 'data.a=1' }))).body.message).toBe('field label not supported: data.a');

    const page1 = await core.listNamespacedConfigMap({ namespace: NS, limit: 2 });
    expect(page1.items.map((i) => i.metadata?.name)).toEqual(['a', 'b']);
    expect(page1.metadata?.remainingItemCount).toBe(1);
    await core.createNamespacedConfigMap({ namespace: NS, body: configMap('bb') });
    const page2 = await core.listNamespacedConfigMap({ namespace: NS, limit: 2, _continue: page1.metadata?._continue });
    expect(page2.items.map((i) => i.metadata?.name)).toEqual(['c']); // a consistent snapshot: 'bb' came later
    expect(Number(page2.metadata?.resourceVersion)).toBeLessThan(server.store.resourceVersion);
    const then = await core.listNamespacedConfigMap({ namespace: NS, resourceVersion: page1.metadata?.resourceVersion, resourceVersionMatch: 'Exact' });
    expect(then.items.map((i) => i.metadata?.name)).toEqual(['a', 'b', 'c']);
  });
});

describe('other built-in kinds and the injected clock', () => {
  beforeEach(() => start({ jobController: false, now: () => new Date('2030-01-02T03:04:05.678Z') }));

  it('stores Secrets, ServiceAccounts, Events and PVCs with their defaults and checks', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const secret = await core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: 'token' }, stringData: { token: 'abc' } } });
    expect(secret.data).toEqual({ token: Buffer.from('abc').toString('base64') });
    expect(secret.type).toBe('Opaque');
    expect(secret.metadata?.creationTimestamp?.toISOString()).toBe('2030-01-02T03:04:05.000Z');
    expect(server.store.get('secrets', NS, 'token')?.metadata.creationTimestamp).toBe('2030-01-02T03:04:05Z');
    await core.createNamespacedServiceAccount({ namespace: NS, body: { metadata: { name: 'kayci-runner' } } });
    const involvedObject = { kind: 'Run', namespace: 'default', name: 'r' };
    const event = await failure(core.createNamespacedEvent({ namespace: NS, body: { metadata: { name: 'r.1' }, involvedObject, reason: 'Started' } }));
    expect(event.body.details?.causes?.[0]).toMatchObject({ field: 'involvedObject.namespace' });
    await core.createNamespacedEvent({ namespace: NS, body: { metadata: { name: 'r.1' }, involvedObject: { ...involvedObject, namespace: NS }, reason: 'Started' } });
    const events = await core.listNamespacedEvent({ namespace: NS, fieldSelector: 'involvedObject.name=r,reason=Started' });
    expect(events.items).toHaveLength(1);
    const pvc = await failure(core.createNamespacedPersistentVolumeClaim({ namespace: NS, body: { metadata: { name: 'ws' }, spec: {} } }));
    expect(pvc.body.details?.causes?.map((c) => c.field)).toEqual(['spec.accessModes', 'spec.resources[storage]']);
    const claim = await core.createNamespacedPersistentVolumeClaim({
      namespace: NS, body: { metadata: { name: 'ws' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
    });
    expect(claim.status?.phase).toBe('Pending');
  });
});

describe('the status subresource and generation', () => {
  beforeEach(() => start({ jobController: false }));

  it('ignores status on the main resource and spec on /status for Jobs', async () => {
    const batch = kc.makeApiClient(BatchV1Api);
    const created = await batch.createNamespacedJob({ namespace: NS, body: { ...job('j'), status: { succeeded: 5 } } });
    expect(created.status).toEqual({});
    expect(created.metadata?.generation).toBe(1);
    expect(created.spec?.selector?.matchLabels?.['batch.kubernetes.io/controller-uid']).toBe(created.metadata?.uid);
    expect(created.spec?.template.metadata?.labels?.['job-name']).toBe('j');
    expect(created.spec?.template.spec?.containers[0]?.terminationMessagePath).toBe('/dev/termination-log');

    const labelled = await batch.replaceNamespacedJob({ name: 'j', namespace: NS, body: { ...created, metadata: { ...created.metadata, labels: { x: 'y' } }, status: { failed: 3 } } });
    expect(labelled.status).toEqual({});
    expect(labelled.metadata?.generation).toBe(1);
    const scaled = await batch.replaceNamespacedJob({ name: 'j', namespace: NS, body: { ...labelled, spec: { ...labelled.spec!, parallelism: 2 } } });
    expect(scaled.metadata?.generation).toBe(2);

    const withStatus = await batch.replaceNamespacedJobStatus({ name: 'j', namespace: NS, body: { ...scaled, spec: { ...scaled.spec!, parallelism: 7 }, status: { active: 1 } } });
    expect(withStatus.status?.active).toBe(1);
    expect(withStatus.spec?.parallelism).toBe(2);
    expect(withStatus.metadata?.generation).toBe(2);
    const patched = await batch.patchNamespacedJobStatus({ name: 'j', namespace: NS, body: { status: { ready: 1, startTime: '2030-01-01T00:00:00.123Z' } } }, mergePatch);
    expect(patched.status).toMatchObject({ active: 1, ready: 1 });
    expect(server.store.get('jobs', NS, 'j')?.status).toMatchObject({ startTime: '2030-01-01T00:00:00Z' });
    // Re-sending what was read (client-node turns times into Dates with milliseconds) changes nothing.
    const again = await batch.replaceNamespacedJobStatus({ name: 'j', namespace: NS, body: patched });
    expect(again.metadata?.resourceVersion).toBe(patched.metadata?.resourceVersion);
  });

  it('does the same for custom resources with a status subresource, and requires resourceVersion on update', async () => {
    const custom = kc.makeApiClient(CustomObjectsApi);
    const ref = { group: GROUP, version: VERSION, namespace: NS, plural: 'runs' };
    const created = await custom.createNamespacedCustomObject({ ...ref, body: { ...run('r1'), status: { phase: 'Succeeded' } } }) as KubeObject;
    expect(created.status).toBeUndefined();
    expect(created.metadata.generation).toBe(1);
    const statusSet = await custom.replaceNamespacedCustomObjectStatus({ ...ref, name: 'r1', body: { ...created, spec: { pipelineRef: { name: 'other' } }, status: { phase: 'Running' } } }) as KubeObject;
    expect(statusSet.status).toEqual({ phase: 'Running' });
    // The CRD's defaults are applied, as the real API server does.
    expect(statusSet.spec).toEqual({ pipelineRef: { name: 'demo' }, cancel: false, hold: false, untrusted: false });
    const patched = await custom.patchNamespacedCustomObjectStatus({ ...ref, name: 'r1', body: { status: { message: 'hi' } } }, mergePatch) as KubeObject;
    expect(patched.status).toEqual({ phase: 'Running', message: 'hi' });
    const noRv = await failure(custom.replaceNamespacedCustomObject({ ...ref, name: 'r1', body: { ...run('r1'), spec: { pipelineRef: { name: 'x' } } } }));
    expect(noRv.body.details?.causes?.[0]).toMatchObject({ field: 'metadata.resourceVersion' });
    const respec = await custom.replaceNamespacedCustomObject({ ...ref, name: 'r1', body: { ...patched, spec: { pipelineRef: { name: 'x' } }, status: { phase: 'Lost' } } }) as KubeObject;
    expect(respec.metadata.generation).toBe(2);
    expect(respec.status).toEqual({ phase: 'Running', message: 'hi' });
    const smp = await failure(kc.makeApiClient(KubernetesObjectApi).patch({ ...run('r1') } as KubernetesObject));
    expect(smp.code).toBe(415);
  });
});

describe('validation of what kayci sends', () => {
  beforeEach(() => start({ jobController: false }));

  const causes = async (body: V1Job) => {
    const f = await failure(kc.makeApiClient(BatchV1Api).createNamespacedJob({ namespace: NS, body }));
    expect(f.code).toBe(422);
    return f.body.details?.causes ?? [];
  };

  it('rejects Jobs the real API server rejects', async () => {
    expect(await causes(job('a', {}, { restartPolicy: 'Always' }))).toContainEqual(expect.objectContaining({
      field: 'spec.template.spec.restartPolicy', reason: 'FieldValueNotSupported', message: 'Unsupported value: "Always": supported values: "OnFailure", "Never"',
    }));
    const missing = job('b');
    delete missing.spec!.template.spec!.restartPolicy;
    expect(await causes(missing)).toContainEqual(expect.objectContaining({ field: 'spec.template.spec.restartPolicy' }));
    const pfp = { podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }] } };
    expect(await causes(job('c', pfp, { restartPolicy: 'OnFailure' }))).toContainEqual(expect.objectContaining({
      field: 'spec.template.spec.restartPolicy', message: 'Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified',
    }));
    expect(await causes(job('d', {}, { containers: [{ name: 'main' }] }))).toContainEqual(expect.objectContaining({ field: 'spec.template.spec.containers[0].image', reason: 'FieldValueRequired' }));
    expect(await causes(job('e', {}, { containers: [] }))).toContainEqual(expect.objectContaining({ field: 'spec.template.spec.containers', reason: 'FieldValueRequired' }));
    const owned = job('f');
    owned.metadata!.ownerReferences = [{ apiVersion: `${GROUP}/${VERSION}`, kind: 'Run', name: 'r', uid: '' }];
    expect(await causes(owned)).toContainEqual(expect.objectContaining({ field: 'metadata.ownerReferences.uid', message: 'Invalid value: "": uid must not be empty' }));
    expect(await causes(job('g', { podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [0] } }] } }))).toContainEqual(
      expect.objectContaining({ field: 'spec.podFailurePolicy.rules[0].onExitCodes.values[0]' }));
    expect(await causes(job('x'.repeat(64)))).toContainEqual(expect.objectContaining({ field: 'spec.template.labels' }));
  });

  it('keeps a Job template immutable', async () => {
    const batch = kc.makeApiClient(BatchV1Api);
    const created = await batch.createNamespacedJob({ namespace: NS, body: job('imm') });
    const changed = structuredClone(created);
    changed.spec!.template.spec!.containers[0]!.image = 'alpine:3.21';
    const f = await failure(batch.replaceNamespacedJob({ name: 'imm', namespace: NS, body: changed }));
    expect(f.body.details?.causes).toContainEqual(expect.objectContaining({ field: 'spec.template', message: expect.stringContaining('field is immutable') }));
    // Re-sending what was read, with the defaults the server added, is not a change.
    await batch.replaceNamespacedJob({ name: 'imm', namespace: NS, body: created });
  });

  it('validates custom resources against the CRD schema: prunes unknown fields with a Warning, or rejects them under Strict', async () => {
    const custom = kc.makeApiClient(CustomObjectsApi);
    const ref = { group: GROUP, version: VERSION, namespace: NS, plural: 'pipelines' };
    const wrong = await failure(custom.createNamespacedCustomObject({ ...ref, body: pipeline('p', { jobs: 'build' }) }));
    expect(wrong.code).toBe(422);
    expect(wrong.body.details?.causes).toContainEqual(expect.objectContaining({ field: 'spec.jobs', reason: 'FieldValueTypeInvalid' }));
    const badName = await failure(custom.createNamespacedCustomObject({ ...ref, body: pipeline('p', { jobs: [{ name: 'Build!' }] }) }));
    expect(badName.body.details?.causes?.map((c) => c.field)).toContain('spec.jobs[0].name');

    const res = await custom.createNamespacedCustomObjectWithHttpInfo({ ...ref, body: pipeline('p', { typo: true }) });
    expect(res.httpStatusCode).toBe(201);
    expect(res.headers.warning).toBe('299 - "unknown field \\"spec.typo\\""');
    const stored = res.data as KubeObject;
    expect(stored.spec).not.toHaveProperty('typo');
    expect((stored.spec as { concurrency?: unknown; jobs: { retries: number }[] }).jobs[0]?.retries).toBe(0); // schema default
    const strict = await failure(custom.createNamespacedCustomObject({ ...ref, body: pipeline('q', { typo: true }), fieldValidation: 'Strict' }));
    expect(strict.code).toBe(400);
    expect(strict.body.message).toContain('strict decoding error: unknown field "spec.typo"');
  });
});

describe('patch content types and discovery through KubernetesObjectApi', () => {
  beforeEach(() => start({ jobController: false }));

  it('merges strategic merge patches by name and server-side applies with a field manager', async () => {
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedPod({
      namespace: NS,
      body: { metadata: { name: 'p' }, spec: { restartPolicy: 'Never', containers: [{ name: 'a', image: 'alpine:1' }, { name: 'b', image: 'alpine:1' }] } },
    });
    const patched = await objects.patch({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: NS }, spec: { containers: [{ name: 'b', image: 'alpine:2' }] } } as V1Pod);
    expect(patched.spec?.containers.map((c) => `${c.name}=${c.image}`)).toEqual(['a=alpine:1', 'b=alpine:2']);
    const forbidden = await failure(core.patchNamespacedPod({ name: 'p', namespace: NS, body: { spec: { restartPolicy: 'OnFailure' } } }, mergePatch));
    expect(forbidden.body.details?.causes?.[0]).toMatchObject({ field: 'spec', reason: 'FieldValueForbidden' });

    const applied = await objects.patch(
      { apiVersion: `${GROUP}/${VERSION}`, kind: 'Pipeline', metadata: { name: 'applied', namespace: NS }, spec: (pipeline('x').spec as object) } as KubernetesObject,
      undefined, undefined, 'kayci-controller', true, PatchStrategy.ServerSideApply,
    );
    expect(applied.metadata?.managedFields?.[0]).toMatchObject({ manager: 'kayci-controller', operation: 'Apply' });
    const listed = await objects.list(`${GROUP}/${VERSION}`, 'Pipeline', NS);
    expect(listed.items.map((i) => i.metadata?.name)).toEqual(['applied']);
    const cm = await objects.create(configMap('via-objects') as KubernetesObject);
    expect(cm.metadata?.namespace).toBe('default');
    await objects.delete(cm);
    expect(server.store.get('configmaps', 'default', 'via-objects')).toBeUndefined();
    expect(server.requestsMatching({ verb: 'discovery' }).map((r) => r.path)).toContain(`/apis/${GROUP}/${VERSION}`);
  });

  it('serves a CRD created through the API, and leases for leader election', async () => {
    const ext = kc.makeApiClient(ApiextensionsV1Api);
    await ext.createCustomResourceDefinition({
      body: {
        metadata: { name: 'widgets.example.com' },
        spec: {
          group: 'example.com', scope: 'Namespaced', names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
          versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } } }],
        },
      },
    });
    const crd = await ext.readCustomResourceDefinition({ name: 'widgets.example.com' });
    expect(crd.status?.conditions?.find((c) => c.type === 'Established')?.status).toBe('True');
    const custom = kc.makeApiClient(CustomObjectsApi);
    await custom.createNamespacedCustomObject({ group: 'example.com', version: 'v1', namespace: NS, plural: 'widgets', body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 3 } } });
    const bad = await failure(custom.createNamespacedCustomObject({ group: 'example.com', version: 'v1', namespace: NS, plural: 'widgets', body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'v' }, spec: { size: 'big' } } }));
    expect(bad.code).toBe(422);
    const widget = await KubernetesObjectApi.makeApiClient(kc).read({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: NS } });
    expect((widget as KubeObject).spec).toEqual({ size: 3 });

    const leases = kc.makeApiClient(CoordinationV1Api);
    const lease = await leases.createNamespacedLease({ namespace: NS, body: { metadata: { name: 'kayci-controller' }, spec: { holderIdentity: 'a', leaseDurationSeconds: 15 } } });
    await leases.replaceNamespacedLease({ name: 'kayci-controller', namespace: NS, body: { ...lease, spec: { ...lease.spec, holderIdentity: 'b' } } });
    const lost = await failure(leases.replaceNamespacedLease({ name: 'kayci-controller', namespace: NS, body: { ...lease, spec: { ...lease.spec, holderIdentity: 'c' } } }));
    expect(lost.body.reason).toBe('Conflict');
  });
});

describe('watch and informers', () => {
  beforeEach(() => start({ jobController: false }));

  const path = `/api/v1/namespaces/${NS}/configmaps`;
  const lister = () => () => kc.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: NS });

  it('an informer lists, then receives adds, updates and deletes', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: NS, body: configMap('before') });
    const informer = makeInformer(kc, path, lister());
    const seen: string[] = [];
    informer.on('add', (o) => seen.push(`add ${o.metadata?.name}`));
    informer.on('update', (o) => seen.push(`update ${o.metadata?.name}`));
    informer.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
    await informer.start();
    await server.waitFor(() => server.watches.count === 1, 2000, 'the informer watch');
    await core.createNamespacedConfigMap({ namespace: NS, body: configMap('x') });
    await core.patchNamespacedConfigMap({ name: 'x', namespace: NS, body: { data: { a: '2' } } }, mergePatch);
    await core.deleteNamespacedConfigMap({ name: 'x', namespace: NS });
    await server.waitFor(() => seen.length === 4, 2000, 'four informer events');
    expect(seen).toEqual(['add before', 'add x', 'update x', 'delete x']);
    await informer.stop();
  });

  it('streams events after a resourceVersion, synthetic ADDED for 0, selector transitions, bookmarks and 410 Expired', async () => {
    await server.close();
    await start({ jobController: false, bookmarkIntervalMs: 20 });
    const core = kc.makeApiClient(CoreV1Api);
    const a = await core.createNamespacedConfigMap({ namespace: NS, body: configMap('a', { app: 'web' }) });
    const events: string[] = [];
    const watch = new Watch(kc);
    const done: unknown[] = [];
    const ctl = await watch.watch(path, { resourceVersion: '0', labelSelector: 'app=web', allowWatchBookmarks: true }, (type, obj: KubeObject) => {
      events.push(type === 'BOOKMARK' ? 'BOOKMARK' : `${type} ${obj.metadata.name}`);
    }, (err) => done.push(err));
    await server.waitFor(() => events.includes('ADDED a'), 2000);
    await core.patchNamespacedConfigMap({ name: 'a', namespace: NS, body: { metadata: { labels: { app: 'db' } } } }, mergePatch);
    await core.createNamespacedConfigMap({ namespace: NS, body: configMap('b', { app: 'db' }) });
    await core.patchNamespacedConfigMap({ name: 'b', namespace: NS, body: { metadata: { labels: { app: 'web' } } } }, mergePatch);
    await server.waitFor(() => events.includes('ADDED b') && events.includes('BOOKMARK'), 2000);
    expect(events.filter((e) => e !== 'BOOKMARK')).toEqual(['ADDED a', 'DELETED a', 'ADDED b']);
    ctl.abort();

    // From an old resourceVersion: the events after it; beyond the history: ERROR 410.
    const replay: string[] = [];
    const ctl2 = await watch.watch(path, { resourceVersion: a.metadata!.resourceVersion! }, (type, obj: KubeObject) => replay.push(`${type} ${obj.metadata.name}`), () => undefined);
    await server.waitFor(() => replay.length === 3, 2000);
    expect(replay).toEqual(['MODIFIED a', 'ADDED b', 'MODIFIED b']);
    ctl2.abort();
    server.setHistoryLimit(1);
    let expired: { type: string; obj: Status } | undefined;
    let ended = false;
    await watch.watch(path, { resourceVersion: a.metadata!.resourceVersion! }, (type, obj: Status) => {
      expired = { type, obj };
    }, () => {
      ended = true;
    });
    await server.waitFor(() => ended, 2000, 'the expired watch to end');
    expect(expired).toMatchObject({ type: 'ERROR', obj: { kind: 'Status', code: 410, reason: 'Expired' } });
  });

  it('after a 410 the informer re-lists and its cache stays correct', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: NS, body: configMap('keep') });
    const informer = new ListWatch(path, new Watch(kc), lister(), false, undefined, undefined, noDelay);
    await informer.start();
    await server.waitFor(() => server.watches.count === 1, 2000);
    const lists = () => server.requestsMatching({ verb: 'list', resource: 'configmaps' }).length;
    expect(lists()).toBe(1);

    // The watch goes silent, more happens than the history holds, then the watch ends.
    server.setHistoryLimit(2);
    server.watches.hangAll();
    for (const n of ['n1', 'n2', 'n3', 'n4']) await core.createNamespacedConfigMap({ namespace: NS, body: configMap(n) });
    await core.deleteNamespacedConfigMap({ name: 'keep', namespace: NS });
    server.watches.dropAll();
    await server.waitFor(() => lists() === 2 && informer.list().length === 4, 3000, 'a re-list after 410');
    expect(informer.list().map((o) => o.metadata?.name).sort()).toEqual(['n1', 'n2', 'n3', 'n4']);

    // expireAll: the open watch gets ERROR 410, the informer re-lists once more.
    await server.waitFor(() => server.watches.count === 1, 2000);
    server.watches.expireAll();
    await core.createNamespacedConfigMap({ namespace: NS, body: configMap('n5') });
    await server.waitFor(() => lists() === 3 && informer.get('n5', NS), 3000, 'a re-list after expireAll');
    await informer.stop();
  });

  it('after dropAll the informer reconnects from its resourceVersion without missing events', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const informer = new ListWatch(path, new Watch(kc), lister(), false, undefined, undefined, noDelay);
    const added: string[] = [];
    informer.on('add', (o) => added.push(o.metadata!.name!));
    await informer.start();
    await server.waitFor(() => server.watches.count === 1, 2000);
    for (let round = 0; round < 3; round++) {
      expect(server.watches.dropAll()).toBe(1);
      await core.createNamespacedConfigMap({ namespace: NS, body: configMap(`d${round}`) });
      await server.waitFor(() => server.watches.count === 1 && added.includes(`d${round}`), 2000);
    }
    expect(added).toEqual(['d0', 'd1', 'd2']);
    expect(server.requestsMatching({ verb: 'list', resource: 'configmaps' })).toHaveLength(1);
    const watches = server.requestsMatching({ verb: 'watch', resource: 'configmaps' });
    expect(watches).toHaveLength(4);
    expect(watches.slice(1).every((w) => w.query.resourceVersion !== '')).toBe(true);

    // A connection cut (not a clean end) surfaces as an informer error: the supervisor's job.
    const errors: unknown[] = [];
    informer.on('error', (e) => errors.push(e));
    server.watches.dropAll({ abrupt: true });
    await server.waitFor(() => errors.length > 0, 2000, 'an informer error');
    await informer.stop();
  });

  it('a hung watch is detected by the client timeout and resumed; timeoutSeconds ends a watch', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const w = new Watch(kc);
    (w as unknown as { requestTimeoutMs: number }).requestTimeoutMs = 150;
    const informer = new ListWatch(path, w, lister(), false, undefined, undefined, noDelay);
    await informer.start();
    await server.waitFor(() => server.watches.count === 1, 2000);
    server.watches.hangAll();
    await core.createNamespacedConfigMap({ namespace: NS, body: configMap('while-hung') });
    await server.waitFor(() => informer.get('while-hung', NS), 3000, 'the informer to resume after its watch timeout');
    await informer.stop();

    const start = Date.now();
    let ended = false;
    await new Watch(kc).watch(path, { timeoutSeconds: 1 }, () => undefined, () => {
      ended = true;
    });
    await server.waitFor(() => ended, 3000, 'the watch to time out');
    expect(Date.now() - start).toBeGreaterThanOrEqual(900);
  });
});

describe('simulated Job controller', () => {
  beforeEach(() => start({ jobController: { secondsMs: 20 } }));

  const jobs = () => kc.makeApiClient(BatchV1Api);
  const finished = (name: string) => server.waitFor(() => {
    const j = server.store.get('jobs', NS, name);
    return (condition(j, 'Complete') || condition(j, 'Failed')) && j;
  }, 5000, `job ${name} to finish`);
  const podsOf = (name: string) => server.store.list('pods', NS).filter((p) => p.metadata.labels?.['job-name'] === name);

  it('runs a Job to completion with pods it owns, and a status like the real controller', async () => {
    const phases: string[] = [];
    const informer = makeInformer(kc, `/apis/batch/v1/namespaces/${NS}/jobs`, () => jobs().listNamespacedJob({ namespace: NS }));
    informer.on('update', (j) => phases.push(`${j.status?.active ?? 0}/${j.status?.ready}/${j.status?.succeeded ?? 0}`));
    await informer.start();
    const created = await jobs().createNamespacedJob({ namespace: NS, body: job('ok') });
    const done = await finished('ok');
    expect(condition(done, 'Complete')).toMatchObject({ reason: 'CompletionsReached' });
    expect(condition(done, 'SuccessCriteriaMet')).toBeDefined();
    const status = (await jobs().readNamespacedJobStatus({ name: 'ok', namespace: NS })).status!;
    expect(status).toMatchObject({ succeeded: 1, ready: 0 });
    expect(status.active).toBeUndefined();
    expect(status.startTime).toBeInstanceOf(Date);
    expect(status.completionTime).toBeInstanceOf(Date);
    const [pod] = podsOf('ok');
    expect(pod?.metadata.name).toMatch(/^ok-[a-z0-9]{5}$/);
    expect(pod?.metadata.labels?.['batch.kubernetes.io/controller-uid']).toBe(created.metadata?.uid);
    expect(pod?.metadata.ownerReferences).toEqual([{ apiVersion: 'batch/v1', kind: 'Job', name: 'ok', uid: created.metadata?.uid, controller: true, blockOwnerDeletion: true }]);
    expect((pod?.status as { phase: string }).phase).toBe('Succeeded');
    await server.waitFor(() => phases.includes('0/0/1'), 2000);
    expect(phases).toContain('1/1/0');
    await informer.stop();

    await jobs().createNamespacedJob({ namespace: NS, body: job('short-lived', { ttlSecondsAfterFinished: 1 }) });
    await finished('short-lived');
    await server.waitFor(() => !server.store.get('jobs', NS, 'short-lived') && podsOf('short-lived').length === 0, 2000, 'the TTL to delete the job and its pods');
  });

  it('retries failed pods up to backoffLimit, then fails with BackoffLimitExceeded', async () => {
    server.jobs.behave(() => ({ outcome: 'fail', exitCode: 2 }));
    await jobs().createNamespacedJob({ namespace: NS, body: job('flaky', { backoffLimit: 2 }) });
    const done = await finished('flaky');
    expect(condition(done, 'Failed')).toMatchObject({ reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
    expect(done.status).toMatchObject({ failed: 3 });
    expect(podsOf('flaky')).toHaveLength(3);
    const terminated = (podsOf('flaky')[0]?.status as V1Pod['status'])?.containerStatuses?.[0]?.state?.terminated;
    expect(terminated).toMatchObject({ exitCode: 2, reason: 'Error' });
  });

  it('a disruption matched by an Ignore rule is not counted; a FailJob rule fails the Job at once', async () => {
    const ignoreDisruption = { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] };
    server.jobs.behave((j, attempt) => {
      if (j.metadata?.name === 'evicted') return attempt === 0 ? { outcome: 'disrupt' } : { outcome: 'succeed' };
      return { outcome: 'fail', exitCode: 42 };
    });
    await jobs().createNamespacedJob({ namespace: NS, body: job('evicted', { podFailurePolicy: { rules: [ignoreDisruption] } }) });
    const done = await finished('evicted');
    expect(condition(done, 'Complete')).toBeDefined();
    expect(done.status).toMatchObject({ succeeded: 1 });
    expect(done.status).not.toHaveProperty('failed');
    const disrupted = podsOf('evicted').find((p) => (p.status as V1Pod['status'])?.phase === 'Failed');
    expect((disrupted?.status as V1Pod['status'])?.conditions).toContainEqual(expect.objectContaining({ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI' }));

    const failJob = { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } };
    await jobs().createNamespacedJob({ namespace: NS, body: job('fatal', { backoffLimit: 5, podFailurePolicy: { rules: [failJob, ignoreDisruption] } }) });
    const fatal = await finished('fatal');
    expect(condition(fatal, 'Failed')).toMatchObject({ reason: 'PodFailurePolicy', message: expect.stringContaining('failed with exit code 42 matching FailJob rule at index 0') });
    expect(podsOf('fatal')).toHaveLength(1);
  });

  it('enforces activeDeadlineSeconds and writes termination messages, init containers included', async () => {
    server.jobs.behave((j) => (j.metadata?.name === 'slow'
      ? { outcome: 'hang' }
      : { outcome: 'succeed', messages: { main: 'version=1.2.3\ndigest=sha256:abc\n', prepare: 'ready=yes\n' } }));
    await jobs().createNamespacedJob({ namespace: NS, body: job('slow', { activeDeadlineSeconds: 2 }) });
    const slow = await finished('slow');
    expect(condition(slow, 'Failed')).toMatchObject({ reason: 'DeadlineExceeded' });
    expect(slow.status).toMatchObject({ failed: 1 });
    await server.waitFor(() => podsOf('slow').length === 0, 2000, 'the active pod to be deleted');

    await jobs().createNamespacedJob({ namespace: NS, body: job('results', {}, { initContainers: [{ name: 'prepare', image: 'busybox:1' }] }) });
    await finished('results');
    const pod = (await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: NS, labelSelector: 'job-name=results' })).items[0];
    expect(pod?.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed', message: 'version=1.2.3\ndigest=sha256:abc\n' });
    expect(pod?.status?.initContainerStatuses?.[0]?.state?.terminated?.message).toBe('ready=yes\n');
  });
});

describe('garbage collection and deletion', () => {
  beforeEach(() => start());

  it('deleting an owner deletes its dependents recursively; an orphan with a missing owner is collected', async () => {
    const custom = kc.makeApiClient(CustomObjectsApi);
    const ref = { group: GROUP, version: VERSION, namespace: NS };
    const p = await custom.createNamespacedCustomObject({ ...ref, plural: 'pipelines', body: pipeline('demo') }) as KubeObject;
    const owner = (o: KubeObject) => [{ apiVersion: `${GROUP}/${VERSION}`, kind: o.kind!, name: o.metadata.name!, uid: o.metadata.uid!, controller: true, blockOwnerDeletion: true }];
    const r = await custom.createNamespacedCustomObject({ ...ref, plural: 'runs', body: { ...run('demo-1'), metadata: { name: 'demo-1', ownerReferences: owner(p) } } }) as KubeObject;
    const cm = configMap('demo-1-env');
    cm.metadata!.ownerReferences = owner(r);
    await kc.makeApiClient(CoreV1Api).createNamespacedConfigMap({ namespace: NS, body: cm });
    const j = job('demo-1-build');
    j.metadata!.ownerReferences = owner(r);
    await kc.makeApiClient(BatchV1Api).createNamespacedJob({ namespace: NS, body: j });
    await server.waitFor(() => server.store.list('pods', NS).length === 1, 2000, 'the job pod');

    await custom.deleteNamespacedCustomObject({ ...ref, plural: 'pipelines', name: 'demo' });
    await server.waitFor(() => ['runs', 'configmaps', 'jobs', 'pods'].every((t) => server.store.list(t, NS).length === 0), 3000, 'the whole tree to be collected');

    const stray = configMap('stray');
    stray.metadata!.ownerReferences = [{ apiVersion: 'batch/v1', kind: 'Job', name: 'gone', uid: '00000000-0000-0000-0000-000000000000' }];
    await kc.makeApiClient(CoreV1Api).createNamespacedConfigMap({ namespace: NS, body: stray });
    await server.waitFor(() => !server.store.get('configmaps', NS, 'stray'), 2000, 'the orphan to be collected');
  });

  it('honours finalizers and the Orphan, Foreground and default Job propagation policies', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const batch = kc.makeApiClient(BatchV1Api);
    await core.createNamespacedConfigMap({ namespace: NS, body: { ...configMap('held'), metadata: { name: 'held', finalizers: ['kayci.dev/cleanup'] } } });
    await core.deleteNamespacedConfigMap({ name: 'held', namespace: NS });
    expect(server.store.get('configmaps', NS, 'held')?.metadata.deletionTimestamp).toBeDefined();
    await core.patchNamespacedConfigMap({ name: 'held', namespace: NS, body: { metadata: { finalizers: null } } }, mergePatch);
    expect(server.store.get('configmaps', NS, 'held')).toBeUndefined();

    await batch.createNamespacedJob({ namespace: NS, body: job('orphaned') });
    await server.waitFor(() => podsFor('orphaned').length === 1, 2000);
    const res = await batch.deleteNamespacedJobWithHttpInfo({ name: 'orphaned', namespace: NS });
    expect(res.headers.warning).toContain('child pods are preserved by default');
    await server.waitFor(() => !server.store.get('jobs', NS, 'orphaned'), 2000);
    await new Promise((r) => setTimeout(r, 30));
    expect(podsFor('orphaned')[0]?.metadata.ownerReferences).toBeUndefined();

    await batch.createNamespacedJob({ namespace: NS, body: job('fg') });
    await server.waitFor(() => podsFor('fg').length === 1, 2000);
    await batch.deleteNamespacedJob({ name: 'fg', namespace: NS, propagationPolicy: 'Foreground' });
    await server.waitFor(() => !server.store.get('jobs', NS, 'fg') && podsFor('fg').length === 0, 2000, 'foreground deletion');

    const ns = await core.deleteNamespace({ name: NS });
    expect((ns as unknown as { status: { phase: string } }).status.phase).toBe('Terminating');
    await server.waitFor(() => !server.store.get('namespaces', undefined, NS) && server.store.list('pods', NS).length === 0, 2000, 'the namespace to go');
  });

  const podsFor = (name: string) => server.store.list('pods', NS).filter((p) => p.metadata.labels?.['job-name'] === name);
});

describe('fault injection', () => {
  beforeEach(() => start({ tokens: ['good'] }));

  it('answers matching requests with 500, 409, 429 (Retry-After) and 503, a limited number of times', async () => {
    kc = server.kubeConfig({ token: 'good' });
    const core = kc.makeApiClient(CoreV1Api);
    const storm = server.faults.inject({ verb: 'create', resource: 'configmaps', status: 500, times: 2 });
    expect((await failure(core.createNamespacedConfigMap({ namespace: NS, body: configMap('a') }))).body).toMatchObject({ code: 500, reason: 'InternalError' });
    expect((await failure(core.createNamespacedConfigMap({ namespace: NS, body: configMap('a') }))).code).toBe(500);
    await core.createNamespacedConfigMap({ namespace: NS, body: configMap('a') });
    expect(storm.hits).toBe(2);
    expect(server.store.list('configmaps', NS)).toHaveLength(1);

    server.faults.inject({ verb: 'update', resource: 'ConfigMap', name: 'a', status: 409, times: 1 });
    const cm = await core.readNamespacedConfigMap({ name: 'a', namespace: NS });
    expect((await failure(core.replaceNamespacedConfigMap({ name: 'a', namespace: NS, body: cm }))).body).toMatchObject({ reason: 'Conflict', details: { name: 'a' } });

    server.faults.inject({ verb: 'list', status: 429, retryAfterSeconds: 3, times: 1 });
    const throttled = await failure(core.listNamespacedConfigMap({ namespace: NS }));
    expect(throttled.code).toBe(429);
    expect(throttled.headers['retry-after']).toBe('3');
    expect(throttled.body.details?.retryAfterSeconds).toBe(3);

    server.faults.inject({ resource: 'configmaps', namespace: NS, status: 503, probability: 0 });
    await core.readNamespacedConfigMap({ name: 'a', namespace: NS });
    const unavailable = server.faults.inject({ resource: 'configmaps', status: 503 });
    expect((await failure(core.readNamespacedConfigMap({ name: 'a', namespace: NS }))).body.reason).toBe('ServiceUnavailable');
    unavailable.remove();
    expect(server.requestsMatching({ resource: 'configmaps', status: 503 })).toHaveLength(1);
    expect(server.requestsMatching({ verb: 'create', resource: 'configmaps' }).map((r) => r.status)).toEqual([500, 500, 201]);

    server.faults.inject({ verb: 'get', delayMs: 100, times: 1 });
    const t0 = Date.now();
    await core.readNamespacedConfigMap({ name: 'a', namespace: NS });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(90);

    const denied = await failure(server.kubeConfig({ token: 'bad' }).makeApiClient(CoreV1Api).listNamespace());
    expect(denied.code).toBe(401);
  });

  it('loses the response of a committed create; a retry then sees AlreadyExists', async () => {
    kc = server.kubeConfig({ token: 'good' });
    const batch = kc.makeApiClient(BatchV1Api);
    server.faults.loseResponse({ verb: 'create', resource: 'jobs', times: 1 });
    const lost = await batch.createNamespacedJob({ namespace: NS, body: job('once') }).then(() => undefined, (e: unknown) => e);
    expect(lost).toBeInstanceOf(Error);
    expect(lost).not.toBeInstanceOf(ApiException);
    expect(server.store.get('jobs', NS, 'once')).toBeDefined();
    expect((await failure(batch.createNamespacedJob({ namespace: NS, body: job('once') }))).body.reason).toBe('AlreadyExists');
    expect(server.requestsMatching({ verb: 'create', resource: 'jobs' }).map((r) => r.fault)).toEqual(['lost', undefined]);
  });

  it('fails watches on request, and close() ends open watches and leaves nothing running', async () => {
    kc = server.kubeConfig({ token: 'good' });
    const errors: unknown[] = [];
    server.faults.inject({ verb: 'watch', status: 500, times: 1 });
    const informer = makeInformer(kc, `/api/v1/namespaces/${NS}/configmaps`, () => kc.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: NS }));
    informer.on('error', (e) => errors.push(e));
    await informer.start();
    await server.waitFor(() => errors.length === 1, 2000, 'the watch error');
    expect((errors[0] as { statusCode: number }).statusCode).toBe(500);

    let ended = false;
    await new Watch(kc).watch(`/api/v1/namespaces/${NS}/configmaps`, {}, () => undefined, () => {
      ended = true;
    });
    server.jobs.behave(() => ({ outcome: 'hang' }));
    await kc.makeApiClient(BatchV1Api).createNamespacedJob({ namespace: NS, body: job('forever') });
    await server.waitFor(() => server.watches.count === 1 && server.store.list('pods', NS).length === 1, 2000);
    const handles = (kind: string) => process.getActiveResourcesInfo().filter((r) => r === kind).length;
    const before = handles('TCPServerWrap');
    await server.close();
    expect(handles('TCPServerWrap')).toBe(before - 1);
    await expect(server.waitFor(() => false, 1000)).rejects.toThrow('closed');
    await new Promise((r) => setTimeout(r, 20));
    expect(ended).toBe(true);
    expect(handles('TCPSocketWrap')).toBe(0);
  });
});
