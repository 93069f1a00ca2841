// The Kubernetes resources the controller reads and writes, and their REST paths.
import { GROUP, VERSION } from '../../api/v1alpha1/meta.ts';

export interface Resource {
  /** '' for the core group. */
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
}

const r = (group: string, version: string, plural: string, kind: string): Resource => ({ group, version, plural, kind });

export const RESOURCES = {
  pipelines: r(GROUP, VERSION, 'pipelines', 'Pipeline'),
  triggers: r(GROUP, VERSION, 'triggers', 'Trigger'),
  runs: r(GROUP, VERSION, 'runs', 'Run'),
  jobs: r('batch', 'v1', 'jobs', 'Job'),
  pods: r('', 'v1', 'pods', 'Pod'),
  configmaps: r('', 'v1', 'configmaps', 'ConfigMap'),
  secrets: r('', 'v1', 'secrets', 'Secret'),
  pvcs: r('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim'),
  events: r('', 'v1', 'events', 'Event'),
  leases: r('coordination.k8s.io', 'v1', 'leases', 'Lease'),
} as const;

export type ResourceName = keyof typeof RESOURCES;

export function apiVersionOf(resource: Resource): string {
  return resource.group ? `${resource.group}/${resource.version}` : resource.version;
}

/** `/api/v1/namespaces/ns/pods/name/status`, or the cluster-wide collection without a namespace. */
export function resourcePath(resource: Resource, namespace?: string, name?: string, subresource?: string): string {
  const base = resource.group ? `/apis/${resource.group}/${resource.version}` : `/api/${resource.version}`;
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const item = name ? `/${encodeURIComponent(name)}` : '';
  return `${base}${ns}/${resource.plural}${item}${subresource ? `/${subresource}` : ''}`;
}
