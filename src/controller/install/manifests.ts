// What `kayci install` prints: everything a cluster needs to run the controller — the CRDs, a
// namespace, a ServiceAccount with least-privilege RBAC (no wildcards; Secrets readable by name
// only, never listed or watched; Pods readable, never created or exec'd into), a Deployment of
// two replicas (one leads) with probes, resources and a locked-down security context, a
// PodDisruptionBudget and a Service for webhooks and metrics. Pure: objects in, YAML elsewhere.
import { CRDS } from '../../api/v1alpha1/validate/schemas.ts';
import { GROUP } from '../../api/v1alpha1/meta.ts';

export interface InstallOptions {
  /** @default 'kayci-system' */
  readonly namespace?: string;
  /** The controller image, pinned by digest in production. */
  readonly image: string;
  /** @default 2 (one leads, one stands by) */
  readonly replicas?: number;
  /** Watch only this namespace (a Role instead of a ClusterRole). @default every namespace */
  readonly watchNamespace?: string;
}

export const NAME = 'kayci-controller';
export const PORT = 8080;
const LABELS = { 'app.kubernetes.io/name': 'kayci', 'app.kubernetes.io/component': 'controller', 'app.kubernetes.io/part-of': 'kayci' };

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };

/** What the controller does with each resource, and nothing more. */
export const RULES: readonly Rule[] = [
  { apiGroups: [GROUP], resources: ['pipelines', 'triggers', 'runs'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [GROUP], resources: ['runs'], verbs: ['create', 'patch', 'delete'] },
  { apiGroups: [GROUP], resources: ['pipelines/status', 'triggers/status', 'runs/status'], verbs: ['get', 'update', 'patch'] },
  { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list', 'watch', 'create', 'delete'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['configmaps', 'persistentvolumeclaims'], verbs: ['create'] },
  { apiGroups: [''], resources: ['secrets'], verbs: ['get'] },
];

/** Leader election, in the controller's own namespace only. */
export const LEASE_RULES: readonly Rule[] = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'update'], resourceNames: [NAME] },
];

export function installManifests(options: InstallOptions): object[] {
  const ns = options.namespace ?? 'kayci-system';
  const meta = (name: string, namespaced = true) => ({ name, ...(namespaced ? { namespace: ns } : {}), labels: LABELS });
  const scoped = options.watchNamespace !== undefined;
  const subject = { kind: 'ServiceAccount', name: NAME, namespace: ns };
  const args = ['controller', `--lease-namespace=${ns}`, `--port=${PORT}`, ...(scoped ? [`--namespace=${options.watchNamespace}`] : [])];
  return [
    ...CRDS,
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: LABELS } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(NAME), automountServiceAccountToken: true },
    scoped
      ? { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { ...meta(NAME), namespace: options.watchNamespace }, rules: RULES }
      : { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta(NAME, false), rules: RULES },
    scoped
      ? { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { ...meta(NAME), namespace: options.watchNamespace }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: NAME }, subjects: [subject] }
      : { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: meta(NAME, false), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NAME }, subjects: [subject] },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta(`${NAME}-leader`), rules: LEASE_RULES },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: meta(`${NAME}-leader`), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${NAME}-leader` }, subjects: [subject] },
    deployment(options, ns, args),
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta(NAME), spec: { maxUnavailable: 1, selector: { matchLabels: LABELS } } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(NAME),
      spec: { selector: LABELS, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
    },
  ];
}

function deployment(options: InstallOptions, ns: string, args: string[]) {
  const probe = (path: string, initialDelaySeconds: number) => ({ httpGet: { path, port: 'http' }, initialDelaySeconds, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: NAME, namespace: ns, labels: LABELS },
    spec: {
      replicas: options.replicas ?? 2,
      selector: { matchLabels: LABELS },
      template: {
        metadata: { labels: LABELS },
        spec: {
          serviceAccountName: NAME,
          securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
          affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: LABELS } } }] } },
          containers: [
            {
              name: 'controller',
              image: options.image,
              args,
              ports: [{ name: 'http', containerPort: PORT, protocol: 'TCP' }],
              env: [
                { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              ],
              livenessProbe: probe('/healthz', 10),
              readinessProbe: probe('/readyz', 2),
              resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      },
    },
  };
}
