// `kayci crds` and `kayci install` against a real API server: they apply cleanly (server-side
// apply, no warnings), the CRDs serve, and the controller's ServiceAccount may do what the
// controller does and nothing more (Secrets by name only, no Pods created, no wildcards).
import { afterAll, describe, expect, inject, it } from 'vitest';
import { admin, install, kayci, serviceAccountToken, SERVICE_ACCOUNT, SYSTEM_NS } from './kayci.ts';
import { KubeError, type Kube } from './kube.ts';

const kube = admin();
afterAll(() => kube.close());

describe('kayci crds and kayci install on a real API server', () => {
  it('serves the version up.sh built', async () => {
    const version = await kube.get<{ gitVersion: string }>('/version');
    expect(version.gitVersion).toBe(inject('cluster').version);
  });

  it('applies kayci crds without warnings, and the CRDs are established with structural schemas', async () => {
    const { objects, warnings } = await kube.applyYaml(await kayci('crds'));
    expect(warnings).toEqual([]);
    expect(objects.map((o) => o.metadata.name)).toEqual(['pipelines.kayci.dev', 'triggers.kayci.dev', 'runs.kayci.dev']);
    for (const crd of objects) {
      const conditions = (await kube.get(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`)).status.conditions as { type: string; status: string }[];
      // NonStructuralSchema would be True for a schema the API server cannot prune or default with.
      expect(conditions.find((c) => c.type === 'NonStructuralSchema')).toBeUndefined();
      expect(conditions.find((c) => c.type === 'Established')?.status).toBe('True');
    }
    const discovery = await kube.get<{ resources: { name: string; shortNames?: string[]; categories?: string[] }[] }>('/apis/kayci.dev/v1alpha1');
    expect(discovery.resources.filter((r) => !r.name.includes('/')).map((r) => [r.name, r.shortNames, r.categories])).toEqual(
      expect.arrayContaining([
        ['pipelines', ['kpl'], ['kayci']],
        ['triggers', ['ktr'], ['kayci']],
        ['runs', ['krun'], ['kayci']],
      ]),
    );
    expect(discovery.resources.map((r) => r.name)).toEqual(expect.arrayContaining(['pipelines/status', 'triggers/status', 'runs/status']));
  });

  it('applies kayci install without warnings, twice (server-side apply is idempotent)', async () => {
    const first = await install(kube);
    expect(first.warnings).toEqual([]);
    expect(first.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'CustomResourceDefinition/pipelines.kayci.dev',
      'CustomResourceDefinition/triggers.kayci.dev',
      'CustomResourceDefinition/runs.kayci.dev',
      'Namespace/kayci-system',
      'ServiceAccount/kayci-controller',
      'ClusterRole/kayci-controller',
      'ClusterRoleBinding/kayci-controller',
      'Role/kayci-controller-leader',
      'RoleBinding/kayci-controller-leader',
      'Deployment/kayci-controller',
      'PodDisruptionBudget/kayci-controller',
      'Service/kayci-controller',
    ]);
    const again = await install(kube);
    expect(again.warnings).toEqual([]);
    expect(again.objects.map((o) => o.metadata.resourceVersion)).toEqual(first.objects.map((o) => o.metadata.resourceVersion));
  });

  it('applies the namespaced install (--watch-namespace) without warnings', async () => {
    await kube.ensureNamespace('kayci-scoped');
    const { objects, warnings } = await kube.applyYaml(await kayci('install', '--namespace', 'kayci-scoped-system', '--watch-namespace', 'kayci-scoped', '--replicas', '1'));
    expect(warnings).toEqual([]);
    expect(objects.find((o) => o.kind === 'Role' && o.metadata.namespace === 'kayci-scoped')).toBeDefined();
    await kube.delete('/api/v1/namespaces/kayci-scoped-system');
  });

  describe("the ServiceAccount's token", () => {
    let sa: Kube;
    const user = `system:serviceaccount:${SYSTEM_NS}:${SERVICE_ACCOUNT}`;

    /** What the API server's authorizer says, as SubjectAccessReview (asked by the admin). */
    async function allowed(attributes: { verb: string; resource: string; group?: string; namespace?: string; name?: string; subresource?: string }): Promise<boolean> {
      const review = await kube.create<{ status: { allowed: boolean } }>('/apis/authorization.k8s.io/v1/subjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: { user, groups: ['system:serviceaccounts', `system:serviceaccounts:${SYSTEM_NS}`, 'system:authenticated'], resourceAttributes: { group: '', ...attributes } },
      });
      return review.status.allowed;
    }

    it('authenticates as the ServiceAccount', async () => {
      await install(kube);
      sa = kube.as(await serviceAccountToken(kube));
      const review = await sa.create<{ status: { userInfo: { username: string } } }>('/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
      expect(review.status.userInfo.username).toBe(user);
    });

    it('may not list or watch Secrets, anywhere (least privilege)', async () => {
      for (const path of ['/api/v1/secrets', `/api/v1/namespaces/${SYSTEM_NS}/secrets`, '/api/v1/namespaces/default/secrets', '/api/v1/secrets?watch=true']) {
        const error = await sa.get(path).then(() => undefined, (e: unknown) => e);
        expect(error, path).toBeInstanceOf(KubeError);
        expect((error as KubeError).status, path).toBe(403);
      }
    });

    it('may read a Secret by name (webhook secrets), which is all it may do with Secrets', async () => {
      await kube.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'webhook', namespace: 'default' }, stringData: { secret: 's3cr3t' } });
      const secret = await sa.get('/api/v1/namespaces/default/secrets/webhook');
      expect(secret.metadata.name).toBe('webhook');
      for (const verb of ['create', 'update', 'patch', 'delete', 'list', 'watch']) expect(await allowed({ verb, resource: 'secrets', namespace: 'default' }), verb).toBe(false);
    });

    it('may do what the controller does', async () => {
      const needed: [string, string, string, string?][] = [
        ['kayci.dev', 'pipelines', 'list'],
        ['kayci.dev', 'pipelines', 'watch'],
        ['kayci.dev', 'runs', 'create'],
        ['kayci.dev', 'runs', 'delete'],
        ['kayci.dev', 'runs', 'patch', 'status'],
        ['kayci.dev', 'runs', 'update', 'status'],
        ['kayci.dev', 'triggers', 'update', 'status'],
        ['batch', 'jobs', 'create'],
        ['batch', 'jobs', 'delete'],
        ['batch', 'jobs', 'watch'],
        ['', 'pods', 'list'],
        ['', 'pods', 'watch'],
        ['', 'configmaps', 'create'],
        ['', 'persistentvolumeclaims', 'create'],
      ];
      for (const [group, resource, verb, subresource] of needed) {
        expect(await allowed({ group, resource, verb, subresource, namespace: 'anywhere' }), `${verb} ${resource}${subresource ? `/${subresource}` : ''}`).toBe(true);
      }
      expect(await allowed({ group: 'coordination.k8s.io', resource: 'leases', verb: 'update', namespace: SYSTEM_NS, name: 'kayci-controller' })).toBe(true);
    });

    it('may not create Pods, exec into them, read their logs, or touch other leases', async () => {
      expect(await allowed({ resource: 'pods', verb: 'create', namespace: 'default' })).toBe(false);
      expect(await allowed({ resource: 'pods', verb: 'create', subresource: 'exec', namespace: 'default' })).toBe(false);
      expect(await allowed({ resource: 'pods', verb: 'get', subresource: 'log', namespace: 'default' })).toBe(false);
      expect(await allowed({ group: 'coordination.k8s.io', resource: 'leases', verb: 'update', namespace: SYSTEM_NS, name: 'someone-else' })).toBe(false);
      expect(await allowed({ group: 'coordination.k8s.io', resource: 'leases', verb: 'update', namespace: 'kube-system', name: 'kayci-controller' })).toBe(false);
      expect(await allowed({ group: 'rbac.authorization.k8s.io', resource: 'clusterroles', verb: 'escalate' })).toBe(false);
    });
  });
});
