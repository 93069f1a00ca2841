// `kayci install`: every object valid for its kind; least-privilege RBAC (no wildcards, Secrets
// by get only, Pods never created or exec'd into, leases only at home) that still grants all
// the controller does; a locked-down Deployment with probes and requests; and a Role instead
// of a ClusterRole with --watch-namespace.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IPolicyRule } from 'kubernetes-models/rbac.authorization.k8s.io/v1/PolicyRule';
import { main } from '../../../src/cli/main.ts';
import { installManifests, NAME, PORT, type InstallOptions } from '../../../src/controller/install/manifests.ts';
import { captureIo } from '../../helpers/project.ts';

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [k: string]: unknown;
}

const IMAGE = 'ghcr.io/kayci-dev/kayci@sha256:' + '0'.repeat(64);

function install(o: Partial<InstallOptions> = {}): Obj[] {
  return installManifests({ image: IMAGE, ...o }) as Obj[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'apiextensions.k8s.io/v1/CustomResourceDefinition': CustomResourceDefinition,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'v1/Namespace': Namespace,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
};

const kinds = (objs: Obj[]) => objs.map((o) => o.kind);
const one = <T = Obj>(objs: Obj[], kind: string, name?: string): T => {
  const found = objs.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  expect(found, `${kind} ${name ?? ''}`).toHaveLength(1);
  return found[0] as T;
};
const rulesOf = (o: Obj) => (o.rules ?? []) as IPolicyRule[];
const roles = (objs: Obj[]) => objs.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole');

/** Whether some Role or ClusterRole bound to the controller lets it `verb` `resource` in `namespace`. */
function can(objs: Obj[], verb: string, group: string, resource: string, namespace: string, name?: string): boolean {
  return objs
    .filter((b) => b.kind === 'RoleBinding' || b.kind === 'ClusterRoleBinding')
    .filter((b) => (b.subjects as { kind: string; name: string }[]).some((s) => s.kind === 'ServiceAccount' && s.name === NAME))
    .filter((b) => b.kind === 'ClusterRoleBinding' || b.metadata.namespace === namespace)
    .flatMap((b) => {
      const ref = b.roleRef as { kind: string; name: string };
      return roles(objs).filter((r) => r.kind === ref.kind && r.metadata.name === ref.name && (r.kind === 'ClusterRole' || r.metadata.namespace === b.metadata.namespace));
    })
    .flatMap(rulesOf)
    .some((r) => (r.apiGroups ?? []).includes(group) && (r.resources ?? []).includes(resource) && r.verbs.includes(verb) && (!r.resourceNames || (name !== undefined && r.resourceNames.includes(name))));
}

const variants: [string, Partial<InstallOptions>][] = [
  ['defaults', {}],
  ['another namespace, one replica', { namespace: 'ci-system', replicas: 1 }],
  ['--watch-namespace', { watchNamespace: 'team-a' }],
  ['--watch-namespace equal to its own namespace', { namespace: 'ci', watchNamespace: 'ci' }],
];

describe('installManifests()', () => {
  it.each(variants)('%s: every object is valid for its kind', (_name, o) => {
    for (const obj of install(o)) {
      const Model = MODELS[`${obj.apiVersion}/${obj.kind}`];
      expect(Model, `a model for ${obj.apiVersion} ${obj.kind}`).toBeDefined();
      new Model!(obj).validate();
    }
  });

  it('validates for real: a broken object of each kind is refused', () => {
    for (const obj of install({ watchNamespace: 'team-a' }).concat(install())) {
      const broken = structuredClone(obj) as Obj;
      if (obj.kind === 'Deployment') (broken.spec as { selector?: unknown }).selector = undefined;
      else if (obj.kind === 'CustomResourceDefinition') (broken.spec as { names?: unknown }).names = undefined;
      else if (obj.kind.endsWith('Binding')) broken.roleRef = undefined;
      else if (obj.kind.endsWith('Role')) broken.rules = [{ apiGroups: [''], resources: ['pods'] }];
      else if (obj.kind === 'Service') broken.spec = { ports: [{ port: 'eighty' }] };
      else if (obj.kind === 'PodDisruptionBudget') broken.spec = { maxUnavailable: [] };
      else broken.metadata = 42 as never;
      expect(() => new MODELS[`${obj.apiVersion}/${obj.kind}`]!(broken).validate(), `${obj.kind} ${obj.metadata.name}`).toThrow();
    }
  });

  it('holds the CRDs first, then the namespace, the account, RBAC, the Deployment, its PDB and Service', () => {
    const objs = install();
    expect(kinds(objs)).toEqual([
      'CustomResourceDefinition', 'CustomResourceDefinition', 'CustomResourceDefinition',
      'Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'Deployment', 'PodDisruptionBudget', 'Service',
    ]);
    const crds = objs.filter((o) => o.kind === 'CustomResourceDefinition') as unknown as { spec: { group: string; names: { kind: string }; scope: string } }[];
    expect(crds.map((c) => c.spec.names.kind).sort()).toEqual(['Pipeline', 'Run', 'Trigger']);
    for (const c of crds) expect(c.spec).toMatchObject({ group: 'kayci.dev', scope: 'Namespaced' });
  });

  it('is the same every time (GitOps diffs stay quiet)', () => {
    expect(JSON.stringify(install())).toBe(JSON.stringify(install()));
  });

  it.each(variants)('%s: namespaced objects live in the controller\'s namespace, but the watch Role in the watched one', (_name, o) => {
    const ns = o.namespace ?? 'kayci-system';
    const objs = install(o);
    expect(one(objs, 'Namespace').metadata.name).toBe(ns);
    for (const obj of objs) {
      if (['CustomResourceDefinition', 'Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(obj.kind)) expect(obj.metadata.namespace).toBeUndefined();
      else if (obj.metadata.name === NAME && (obj.kind === 'Role' || obj.kind === 'RoleBinding')) expect(obj.metadata.namespace).toBe(o.watchNamespace);
      else expect(obj.metadata.namespace, `${obj.kind} ${obj.metadata.name}`).toBe(ns);
    }
  });

  describe('RBAC', () => {
    it.each(variants)('%s: no wildcard anywhere', (_name, o) => {
      for (const r of roles(install(o)).flatMap(rulesOf)) {
        for (const v of [...(r.apiGroups ?? []), ...(r.resources ?? []), ...r.verbs, ...(r.resourceNames ?? []), ...(r.nonResourceURLs ?? [])]) expect(v).not.toContain('*');
      }
    });

    it.each(variants)('%s: Secrets by get only — never listed, watched or written', (_name, o) => {
      const secretRules = roles(install(o)).flatMap(rulesOf).filter((r) => (r.resources ?? []).some((x) => x === 'secrets' || x.startsWith('secrets/')));
      expect(secretRules.length).toBeGreaterThan(0);
      for (const r of secretRules) expect(r.verbs).toEqual(['get']);
    });

    it.each(variants)('%s: Pods read, never created, exec\'d, attached or port-forwarded', (_name, o) => {
      const rules = roles(install(o)).flatMap(rulesOf);
      for (const r of rules.filter((x) => (x.apiGroups ?? []).includes(''))) {
        for (const sub of ['pods/exec', 'pods/attach', 'pods/portforward', 'pods/proxy', 'pods/ephemeralcontainers']) expect(r.resources ?? []).not.toContain(sub);
        if ((r.resources ?? []).includes('pods')) expect(r.verbs).not.toEqual(expect.arrayContaining(['create']));
      }
    });

    it.each(variants)('%s: nothing that grants more rights (escalate, bind, impersonate) and no RBAC or webhook writes', (_name, o) => {
      for (const r of roles(install(o)).flatMap(rulesOf)) {
        for (const v of ['escalate', 'bind', 'impersonate', 'deletecollection']) expect(r.verbs).not.toContain(v);
        expect(r.apiGroups ?? []).not.toContain('rbac.authorization.k8s.io');
        expect(r.apiGroups ?? []).not.toContain('admissionregistration.k8s.io');
      }
    });

    it.each(variants)('%s: leases only in the controller\'s own namespace, updates only of its own lease', (_name, o) => {
      const ns = o.namespace ?? 'kayci-system';
      const objs = install(o);
      for (const role of roles(objs)) {
        const leaseRules = rulesOf(role).filter((r) => (r.apiGroups ?? []).includes('coordination.k8s.io') || (r.resources ?? []).includes('leases'));
        if (leaseRules.length === 0) continue;
        expect(role.kind).toBe('Role');
        expect(role.metadata.namespace).toBe(ns);
        for (const r of leaseRules.filter((x) => !x.verbs.every((v) => v === 'create'))) expect(r.resourceNames).toEqual([NAME]);
      }
      expect(can(objs, 'update', 'coordination.k8s.io', 'leases', ns, NAME)).toBe(true);
      expect(can(objs, 'update', 'coordination.k8s.io', 'leases', ns, 'someone-else')).toBe(false);
      expect(can(objs, 'create', 'coordination.k8s.io', 'leases', 'default')).toBe(false);
    });

    it.each(variants)('%s: still grants every call the controller makes', (_name, o) => {
      const objs = install(o);
      const where = o.watchNamespace ?? 'team-b';
      const needs: [string, string, string][] = [
        ...['get', 'list', 'watch'].flatMap((v) => ['pipelines', 'triggers', 'runs'].map((r): [string, string, string] => [v, 'kayci.dev', r])),
        ['create', 'kayci.dev', 'runs'], ['patch', 'kayci.dev', 'runs'], ['delete', 'kayci.dev', 'runs'],
        ['update', 'kayci.dev', 'runs/status'], ['update', 'kayci.dev', 'pipelines/status'], ['update', 'kayci.dev', 'triggers/status'],
        ...['get', 'list', 'watch', 'create', 'delete'].map((v): [string, string, string] => [v, 'batch', 'jobs']),
        ['list', '', 'pods'], ['watch', '', 'pods'],
        ['create', '', 'configmaps'], ['create', '', 'persistentvolumeclaims'], ['get', '', 'secrets'],
      ];
      for (const [verb, group, resource] of needs) expect(can(objs, verb, group, resource, where), `${verb} ${group}/${resource} in ${where}`).toBe(true);
      if (o.watchNamespace) expect(can(objs, 'list', 'batch', 'jobs', 'elsewhere')).toBe(false);
    });

    it('binds the controller\'s ServiceAccount to roles that exist', () => {
      const objs = install();
      for (const b of objs.filter((x) => x.kind.endsWith('Binding'))) {
        expect(b.subjects).toEqual([{ kind: 'ServiceAccount', name: NAME, namespace: 'kayci-system' }]);
        const ref = b.roleRef as { apiGroup: string; kind: string; name: string };
        expect(ref.apiGroup).toBe('rbac.authorization.k8s.io');
        expect(b.kind).toBe(`${ref.kind}Binding`);
        one(objs, ref.kind, ref.name);
      }
    });
  });

  describe('--watch-namespace', () => {
    it('swaps the ClusterRole pair for a Role and RoleBinding in that namespace, with the same rules', () => {
      const cluster = install();
      const scoped = install({ watchNamespace: 'team-a' });
      expect(kinds(scoped)).not.toContain('ClusterRole');
      expect(kinds(scoped)).not.toContain('ClusterRoleBinding');
      const role = one(scoped, 'Role', NAME);
      expect(role.metadata.namespace).toBe('team-a');
      expect(role.rules).toEqual(one(cluster, 'ClusterRole', NAME).rules);
      const binding = one(scoped, 'RoleBinding', NAME);
      expect(binding.metadata.namespace).toBe('team-a');
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: NAME });
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: NAME, namespace: 'kayci-system' }]);
    });

    it('tells the controller to watch only that namespace', () => {
      const args = (objs: Obj[]) => one<IDeployment>(objs, 'Deployment').spec!.template.spec!.containers[0]!.args;
      expect(args(install())).toEqual(['controller', '--lease-namespace=kayci-system', `--port=${PORT}`]);
      expect(args(install({ watchNamespace: 'team-a' }))).toEqual(['controller', '--lease-namespace=kayci-system', `--port=${PORT}`, '--namespace=team-a']);
    });

    it('is what `kayci install --watch-namespace` prints', async () => {
      const io = captureIo(process.cwd());
      expect(await main(['install', '--namespace', 'ci-system', '--watch-namespace', 'team-a', '--image', IMAGE, '--replicas', '3'], io)).toBe(0);
      const printed = parseAllDocuments(io.stdout).map((d) => d.toJS() as Obj).filter(Boolean);
      expect(printed).toEqual(install({ namespace: 'ci-system', watchNamespace: 'team-a', replicas: 3 }).map((o) => JSON.parse(JSON.stringify(o))));
    });
  });

  describe('the Deployment', () => {
    const deployment = (o: Partial<InstallOptions> = {}) => one<IDeployment>(install(o), 'Deployment');

    it('runs the image given, two replicas by default (one leads), as the ServiceAccount', () => {
      const d = deployment();
      expect(d.spec!.replicas).toBe(2);
      expect(deployment({ replicas: 1 }).spec!.replicas).toBe(1);
      expect(d.spec!.template.spec!.serviceAccountName).toBe(NAME);
      expect(d.spec!.template.spec!.containers.map((c) => c.image)).toEqual([IMAGE]);
    });

    it('selects its own pods', () => {
      const d = deployment();
      expect(d.spec!.template.metadata!.labels).toMatchObject(d.spec!.selector.matchLabels!);
    });

    it('has liveness and readiness probes on the named HTTP port', () => {
      const c = deployment().spec!.template.spec!.containers[0]!;
      expect(c.ports).toEqual([{ name: 'http', containerPort: PORT, protocol: 'TCP' }]);
      for (const probe of [c.livenessProbe, c.readinessProbe]) {
        expect(probe?.httpGet?.port).toBe('http');
        expect(probe?.periodSeconds).toBeGreaterThan(0);
      }
      expect(c.livenessProbe!.httpGet!.path).toBe('/healthz');
      expect(c.readinessProbe!.httpGet!.path).toBe('/readyz');
    });

    it('requests CPU and memory and limits memory', () => {
      const r = deployment().spec!.template.spec!.containers[0]!.resources!;
      expect(Object.keys(r.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
      expect(r.limits?.memory).toBeDefined();
    });

    it('is locked down: non-root, read-only root filesystem, no privilege escalation, no capabilities', () => {
      const spec = deployment().spec!.template.spec!;
      expect(spec.securityContext?.runAsNonRoot).toBe(true);
      expect(spec.securityContext?.runAsUser).not.toBe(0);
      expect(spec.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
      for (const c of spec.containers) {
        expect(c.securityContext?.readOnlyRootFilesystem).toBe(true);
        expect(c.securityContext?.allowPrivilegeEscalation).toBe(false);
        expect(c.securityContext?.capabilities?.drop).toEqual(['ALL']);
        expect(c.securityContext?.privileged).not.toBe(true);
      }
      expect(spec.hostNetwork).not.toBe(true);
      expect(spec.hostPID).not.toBe(true);
    });

    it('is reached through the Service and kept up by the PDB', () => {
      const objs = install();
      const d = one<IDeployment>(objs, 'Deployment');
      const podLabels = d.spec!.template.metadata!.labels!;
      const svc = one(objs, 'Service') as unknown as { spec: { selector: Record<string, string>; ports: { targetPort: string }[] } };
      expect(podLabels).toMatchObject(svc.spec.selector);
      const portNames = d.spec!.template.spec!.containers.flatMap((c) => (c.ports ?? []).map((p) => p.name));
      for (const p of svc.spec.ports) expect(portNames).toContain(p.targetPort);
      const pdb = one(objs, 'PodDisruptionBudget') as unknown as { spec: { selector: { matchLabels: Record<string, string> }; maxUnavailable?: number } };
      expect(podLabels).toMatchObject(pdb.spec.selector.matchLabels);
      expect(pdb.spec.maxUnavailable).toBe(1);
    });
  });
});
