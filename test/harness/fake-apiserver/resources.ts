// The resource types the fake server serves: the built-in kinds kayci touches, plus one type per
// installed CustomResourceDefinition, and the discovery documents (/api, /apis, /apis/<g>/<v>)
// that client-node's KubernetesObjectApi reads to map a kind to its plural name.
import type { JSONSchemaProps } from '../../../src/api/schema.ts';
import { errors, type StatusCause } from './status.ts';
import { asArray, asObject, isObject, type KubeObject } from './types.ts';

export interface ResourceType {
  /** Unique id: `configmaps` for core, `jobs.batch`, `runs.kayci.dev`. */
  key: string;
  group: string;
  /** Served versions, the storage (preferred) version first. */
  versions: string[];
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  statusSubresource: boolean;
  /** Whether metadata.generation is kept (it counts spec changes). */
  generation: boolean;
  /** A custom resource of an installed CRD. */
  custom: boolean;
  /** PUT without metadata.resourceVersion is allowed (true for built-ins, false for custom resources). */
  allowUnconditionalUpdate: boolean;
  /** Field selectors beyond metadata.name and metadata.namespace. */
  fieldSelectors: string[];
  /** openAPIV3Schema by version, for custom resources. */
  schemas: Map<string, JSONSchemaProps>;
  /** Name of the CRD that defines it. */
  crdName?: string;
}

export const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function builtIn(group: string, version: string, kind: string, plural: string, opts: Partial<ResourceType> = {}): ResourceType {
  return {
    key: group ? `${plural}.${group}` : plural,
    group,
    versions: [version],
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    namespaced: true,
    shortNames: [],
    categories: [],
    statusSubresource: false,
    generation: false,
    custom: false,
    allowUnconditionalUpdate: true,
    fieldSelectors: [],
    schemas: new Map(),
    ...opts,
  };
}

function builtIns(): ResourceType[] {
  return [
    builtIn('', 'v1', 'Namespace', 'namespaces', { namespaced: false, shortNames: ['ns'], statusSubresource: true, fieldSelectors: ['status.phase'] }),
    builtIn('', 'v1', 'ConfigMap', 'configmaps', { shortNames: ['cm'] }),
    builtIn('', 'v1', 'Secret', 'secrets', { fieldSelectors: ['type'] }),
    builtIn('', 'v1', 'Pod', 'pods', {
      shortNames: ['po'], categories: ['all'], statusSubresource: true, generation: true,
      fieldSelectors: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
    }),
    builtIn('', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', { shortNames: ['pvc'], statusSubresource: true }),
    builtIn('', 'v1', 'Event', 'events', {
      shortNames: ['ev'],
      fieldSelectors: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'],
    }),
    builtIn('', 'v1', 'ServiceAccount', 'serviceaccounts', { shortNames: ['sa'] }),
    builtIn('batch', 'v1', 'Job', 'jobs', { categories: ['all'], statusSubresource: true, generation: true, fieldSelectors: ['status.successful'] }),
    builtIn('coordination.k8s.io', 'v1', 'Lease', 'leases'),
    builtIn('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', {
      namespaced: false, shortNames: ['crd', 'crds'], categories: ['api-extensions'], statusSubresource: true, generation: true,
    }),
  ];
}

/** The group and version of an apiVersion string: `batch/v1` → [batch, v1], `v1` → ['', v1]. */
export function splitApiVersion(apiVersion: string): [string, string] {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? ['', apiVersion] : [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)];
}

export function apiVersionOf(rt: ResourceType, version = rt.versions[0]!): string {
  return rt.group ? `${rt.group}/${version}` : version;
}

export class ResourceTypes {
  private readonly types = new Map<string, ResourceType>();

  constructor() {
    for (const rt of builtIns()) this.types.set(rt.key, rt);
  }

  all(): ResourceType[] {
    return [...this.types.values()];
  }

  /** The type served at /api(s)/<group>/<version>/<plural>, if that version is served. */
  byPath(group: string, version: string, plural: string): ResourceType | undefined {
    const rt = this.types.get(group ? `${plural}.${group}` : plural);
    return rt && rt.versions.includes(version) ? rt : undefined;
  }

  byGroupKind(group: string, kind: string): ResourceType | undefined {
    return this.all().find((rt) => rt.group === group && rt.kind === kind);
  }

  /** Looks a type up by key (`jobs.batch`), plural (`jobs`), kind (`Job`) or short name. */
  resolve(name: string): ResourceType {
    const exact = this.types.get(name);
    if (exact) return exact;
    const matches = this.all().filter((rt) => rt.plural === name || rt.kind === name || rt.singular === name || rt.shortNames.includes(name));
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) throw new Error(`ambiguous resource ${JSON.stringify(name)}: ${matches.map((m) => m.key).join(', ')}`);
    throw new Error(`unknown resource ${JSON.stringify(name)}; known: ${[...this.types.keys()].join(', ')}`);
  }

  /** Registers (or re-registers) the custom resource type a CRD defines. */
  installCrd(crd: KubeObject): ResourceType {
    const spec = asObject(crd.spec);
    const names = asObject(spec.names);
    const kind = String(names.kind);
    const versions = asArray(spec.versions).filter(isObject).filter((v) => v.served !== false);
    const storage = versions.find((v) => v.storage === true) ?? versions[0];
    const ordered = storage ? [storage, ...versions.filter((v) => v !== storage)] : versions;
    const schemas = new Map<string, JSONSchemaProps>();
    for (const v of ordered) {
      const schema = asObject(asObject(v.schema).openAPIV3Schema);
      schemas.set(String(v.name), schema as JSONSchemaProps);
    }
    const rt: ResourceType = {
      key: `${String(names.plural)}.${String(spec.group)}`,
      group: String(spec.group),
      versions: ordered.map((v) => String(v.name)),
      kind,
      listKind: typeof names.listKind === 'string' ? names.listKind : `${kind}List`,
      plural: String(names.plural),
      singular: typeof names.singular === 'string' ? names.singular : kind.toLowerCase(),
      namespaced: spec.scope !== 'Cluster',
      shortNames: asArray(names.shortNames).map(String),
      categories: asArray(names.categories).map(String),
      statusSubresource: isObject(asObject(storage?.subresources).status),
      generation: true,
      custom: true,
      allowUnconditionalUpdate: false,
      fieldSelectors: [],
      schemas,
      crdName: crd.metadata.name,
    };
    this.types.set(rt.key, rt);
    return rt;
  }

  uninstallCrd(crdName: string): ResourceType | undefined {
    const rt = this.all().find((t) => t.crdName === crdName);
    if (rt) this.types.delete(rt.key);
    return rt;
  }

  // Discovery documents.

  apiVersions(serverAddress: string): object {
    return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
  }

  private groups(): Map<string, string[]> {
    const groups = new Map<string, string[]>();
    for (const rt of this.all()) {
      if (!rt.group) continue;
      const versions = groups.get(rt.group) ?? [];
      for (const v of rt.versions) if (!versions.includes(v)) versions.push(v);
      groups.set(rt.group, versions);
    }
    return groups;
  }

  apiGroup(name: string): object | undefined {
    const versions = this.groups().get(name);
    if (!versions) return undefined;
    const entries = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
    return { kind: 'APIGroup', apiVersion: 'v1', name, versions: entries, preferredVersion: entries[0] };
  }

  apiGroupList(): object {
    const groups = [...this.groups().keys()].sort().map((name) => {
      const { kind: _kind, apiVersion: _apiVersion, ...group } = this.apiGroup(name) as Record<string, unknown>;
      return group;
    });
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }

  apiResourceList(group: string, version: string): object | undefined {
    const types = this.all().filter((rt) => rt.group === group && rt.versions.includes(version));
    if (types.length === 0 && !(group === '' && version === 'v1')) return undefined;
    const resources: object[] = [];
    for (const rt of types) {
      resources.push({
        name: rt.plural, singularName: rt.singular, namespaced: rt.namespaced, kind: rt.kind, verbs: VERBS,
        ...(rt.shortNames.length ? { shortNames: rt.shortNames } : {}),
        ...(rt.categories.length ? { categories: rt.categories } : {}),
      });
      if (rt.statusSubresource) {
        resources.push({ name: `${rt.plural}/status`, singularName: '', namespaced: rt.namespaced, kind: rt.kind, verbs: ['get', 'patch', 'update'] });
      }
    }
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
  }
}

const CRD_RESOURCE = { group: 'apiextensions.k8s.io', plural: 'customresourcedefinitions', kind: 'CustomResourceDefinition' };

/** What the real server checks of a CRD before it serves it (the parts a test can get wrong). */
export function validateCrd(crd: KubeObject, existing: ResourceTypes): void {
  const causes: StatusCause[] = [];
  const spec = asObject(crd.spec);
  const names = asObject(spec.names);
  const name = crd.metadata.name ?? '';
  if (typeof spec.group !== 'string' || !spec.group.includes('.')) {
    causes.push({ reason: 'FieldValueInvalid', field: 'spec.group', message: `Invalid value: ${JSON.stringify(spec.group ?? '')}: should be a domain with at least one dot` });
  }
  if (typeof names.plural !== 'string' || !names.plural) causes.push({ reason: 'FieldValueRequired', field: 'spec.names.plural', message: 'Required value' });
  if (typeof names.kind !== 'string' || !names.kind) causes.push({ reason: 'FieldValueRequired', field: 'spec.names.kind', message: 'Required value' });
  if (typeof names.plural === 'string' && typeof spec.group === 'string' && name !== `${names.plural}.${spec.group}`) {
    causes.push({ reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: ${JSON.stringify(name)}: must be spec.names.plural+"."+spec.group` });
  }
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
    causes.push({ reason: 'FieldValueNotSupported', field: 'spec.scope', message: `Unsupported value: ${JSON.stringify(spec.scope ?? '')}: supported values: "Cluster", "Namespaced"` });
  }
  const versions = asArray(spec.versions);
  if (versions.length === 0) causes.push({ reason: 'FieldValueRequired', field: 'spec.versions', message: 'Required value: must have exactly one version marked as storage version' });
  const storage = versions.filter((v) => isObject(v) && v.storage === true).length;
  if (versions.length > 0 && storage !== 1) {
    causes.push({ reason: 'FieldValueInvalid', field: 'spec.versions', message: `Invalid value: ${storage}: must have exactly one version marked as storage version` });
  }
  versions.forEach((v, i) => {
    if (!isObject(asObject(asObject(v).schema).openAPIV3Schema)) {
      causes.push({ reason: 'FieldValueRequired', field: `spec.versions[${i}].schema.openAPIV3Schema`, message: 'Required value: schemas are required' });
    }
  });
  const clash = existing.all().find((rt) => rt.group === spec.group && rt.plural === names.plural && rt.crdName !== name);
  if (clash) causes.push({ reason: 'FieldValueDuplicate', field: 'spec.names.plural', message: `Duplicate value: ${JSON.stringify(names.plural)}` });
  if (causes.length) throw errors.invalid(CRD_RESOURCE, name, causes);
}
