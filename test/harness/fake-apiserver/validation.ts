// What the real API server rejects (422 Invalid) for the built-in objects kayci sends: names,
// labels, annotations, owner references and finalizers; pod templates (containers, images,
// restartPolicy, volumes); Jobs (restartPolicy, podFailurePolicy, immutable template and
// selector); ConfigMaps, Secrets, Leases, Events, PersistentVolumeClaims, Namespaces. Messages
// follow the apimachinery field-error wording so tests can match on field and reason.
import type { ResourceType } from './resources.ts';
import type { StatusCause } from './status.ts';
import { asArray, asObject, clone, isObject, jsonEqual, type JsonObject, type KubeObject } from './types.ts';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

const SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const QUALIFIED_MSG = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MSG = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const ENV_MSG = "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')";
const CONFIG_KEY_MSG = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

function show(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? 'null';
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** Collects field errors with the reasons and wording of k8s.io/apimachinery/pkg/util/validation/field. */
export class Issues {
  readonly causes: StatusCause[] = [];

  private add(reason: string, field: string, message: string): void {
    this.causes.push({ reason, message, field });
  }
  required(field: string, detail?: string): void {
    this.add('FieldValueRequired', field, detail ? `Required value: ${detail}` : 'Required value');
  }
  invalid(field: string, value: unknown, detail: string): void {
    this.add('FieldValueInvalid', field, `Invalid value: ${show(value)}: ${detail}`);
  }
  notSupported(field: string, value: unknown, supported: readonly string[]): void {
    this.add('FieldValueNotSupported', field, `Unsupported value: ${show(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`);
  }
  duplicate(field: string, value: unknown): void {
    this.add('FieldValueDuplicate', field, `Duplicate value: ${show(value)}`);
  }
  forbidden(field: string, detail: string): void {
    this.add('FieldValueForbidden', field, `Forbidden: ${detail}`);
  }
  tooLong(field: string, max: number): void {
    this.add('FieldValueTooLong', field, `Too long: may not be more than ${max} bytes`);
  }
  tooMany(field: string, actual: number, max: number): void {
    this.add('FieldValueTooMany', field, `Too many: ${actual}: must have at most ${max} items`);
  }
  notFound(field: string, value: unknown): void {
    this.add('FieldValueNotFound', field, `Not found: ${show(value)}`);
  }
  typeInvalid(field: string, value: unknown, detail: string): void {
    this.add('FieldValueTypeInvalid', field, `Invalid value: ${show(value)}: ${detail}`);
  }
  immutable(field: string, value: unknown): void {
    this.invalid(field, value, 'field is immutable');
  }
}

export function subdomainProblems(name: string): string[] {
  const problems: string[] = [];
  if (name.length > 253) problems.push('must be no more than 253 characters');
  if (!DNS_SUBDOMAIN.test(name)) problems.push(SUBDOMAIN_MSG);
  return problems;
}

export function labelProblems(name: string): string[] {
  const problems: string[] = [];
  if (name.length > 63) problems.push('must be no more than 63 characters');
  if (!DNS_LABEL.test(name)) problems.push(LABEL_MSG);
  return problems;
}

function qualifiedNameProblems(key: string): string[] {
  const problems: string[] = [];
  const slash = key.split('/');
  let name = key;
  if (slash.length === 2) {
    const prefix = slash[0]!;
    name = slash[1]!;
    if (prefix.length === 0) problems.push('prefix part must be non-empty');
    else for (const p of subdomainProblems(prefix)) problems.push(`prefix part ${p}`);
  } else if (slash.length > 2) {
    return ["a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"];
  }
  if (name.length === 0) problems.push('name part must be non-empty');
  else if (name.length > 63) problems.push('name part must be no more than 63 characters');
  if (name.length > 0 && !QUALIFIED_NAME.test(name)) problems.push(QUALIFIED_MSG);
  return problems;
}

function labelValueProblems(value: string): string[] {
  const problems: string[] = [];
  if (value.length > 63) problems.push('must be no more than 63 characters');
  if (!LABEL_VALUE.test(value)) problems.push(LABEL_VALUE_MSG);
  return problems;
}

export type NameRule = 'subdomain' | 'label';

export function nameRule(rt: ResourceType): NameRule {
  return rt.key === 'namespaces' ? 'label' : 'subdomain';
}

export function validateName(field: string, name: string, rule: NameRule, issues: Issues): void {
  const problems = rule === 'label' ? labelProblems(name) : subdomainProblems(name);
  for (const p of problems) issues.invalid(field, name, p);
}

export function validateLabels(field: string, labels: unknown, issues: Issues): void {
  if (labels === undefined || labels === null) return;
  if (!isObject(labels)) {
    issues.typeInvalid(field, labels, 'must be a map of string keys to string values');
    return;
  }
  for (const [key, value] of Object.entries(labels)) {
    for (const p of qualifiedNameProblems(key)) issues.invalid(field, key, p);
    if (typeof value !== 'string') issues.typeInvalid(`${field}[${key}]`, value, 'must be a string');
    else for (const p of labelValueProblems(value)) issues.invalid(field, value, p);
  }
}

function validateAnnotations(field: string, annotations: unknown, issues: Issues): void {
  if (annotations === undefined || annotations === null) return;
  if (!isObject(annotations)) {
    issues.typeInvalid(field, annotations, 'must be a map of string keys to string values');
    return;
  }
  let size = 0;
  for (const [key, value] of Object.entries(annotations)) {
    for (const p of qualifiedNameProblems(key.toLowerCase())) issues.invalid(field, key, p);
    size += key.length + (typeof value === 'string' ? value.length : 0);
  }
  if (size > 256 * 1024) issues.tooLong(field, 256 * 1024);
}

function validateOwnerReferences(refs: unknown, issues: Issues): void {
  const field = 'metadata.ownerReferences';
  let controllers = 0;
  for (const raw of asArray(refs)) {
    const ref = asObject(raw);
    const apiVersion = typeof ref.apiVersion === 'string' ? ref.apiVersion : '';
    if (!apiVersion) issues.invalid(`${field}.apiVersion`, apiVersion, 'version must not be empty');
    else if (apiVersion.split('/').length > 2 || apiVersion.endsWith('/')) issues.invalid(`${field}.apiVersion`, apiVersion, 'unexpected GroupVersion string');
    if (!ref.kind) issues.invalid(`${field}.kind`, ref.kind ?? '', 'kind must not be empty');
    if (!ref.name) issues.invalid(`${field}.name`, ref.name ?? '', 'name must not be empty');
    if (!ref.uid) issues.invalid(`${field}.uid`, ref.uid ?? '', 'uid must not be empty');
    if (ref.controller === true) controllers++;
  }
  if (controllers > 1) issues.invalid(field, refs, 'Only one reference can have Controller set to true');
}

export function validateMetadata(rt: ResourceType, obj: KubeObject, old: KubeObject | undefined, issues: Issues): void {
  const meta = obj.metadata;
  if (!meta.name) issues.required('metadata.name', 'name or generateName is required');
  else validateName('metadata.name', meta.name, nameRule(rt), issues);
  if (rt.namespaced && !meta.namespace) issues.required('metadata.namespace');
  validateLabels('metadata.labels', meta.labels, issues);
  validateAnnotations('metadata.annotations', meta.annotations, issues);
  validateOwnerReferences(meta.ownerReferences, issues);
  const finalizers = asArray(meta.finalizers);
  finalizers.forEach((f, i) => {
    // Unqualified finalizers other than the standard ones only draw a warning on a real server.
    if (typeof f !== 'string') issues.typeInvalid(`metadata.finalizers[${i}]`, f, 'must be a string');
    else for (const p of qualifiedNameProblems(f)) issues.invalid(`metadata.finalizers[${i}]`, f, p);
  });
  if (old?.metadata.deletionTimestamp) {
    const before = new Set(asArray(old.metadata.finalizers));
    if (finalizers.some((f) => !before.has(f))) issues.forbidden('metadata.finalizers', 'no new finalizers can be added if the object is being deleted');
  }
}

// Pod specs

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];

function validateContainers(path: string, list: unknown, volumes: Set<string>, names: Set<string>, required: boolean, issues: Issues): void {
  const containers = asArray(list);
  if (required && containers.length === 0) issues.required(path);
  containers.forEach((raw, i) => {
    const c = asObject(raw);
    const at = `${path}[${i}]`;
    if (typeof c.name !== 'string' || !c.name) issues.required(`${at}.name`);
    else {
      for (const p of labelProblems(c.name)) issues.invalid(`${at}.name`, c.name, p);
      if (names.has(c.name)) issues.duplicate(`${at}.name`, c.name);
      names.add(c.name);
    }
    if (typeof c.image !== 'string' || !c.image.trim()) issues.required(`${at}.image`);
    if (c.imagePullPolicy !== undefined && !PULL_POLICIES.includes(String(c.imagePullPolicy))) issues.notSupported(`${at}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES);
    if (c.terminationMessagePolicy !== undefined && !TERMINATION_MESSAGE_POLICIES.includes(String(c.terminationMessagePolicy))) {
      issues.notSupported(`${at}.terminationMessagePolicy`, c.terminationMessagePolicy, TERMINATION_MESSAGE_POLICIES);
    }
    asArray(c.env).forEach((rawEnv, j) => {
      const e = asObject(rawEnv);
      const ep = `${at}.env[${j}]`;
      if (typeof e.name !== 'string' || !e.name) issues.required(`${ep}.name`);
      else if (!ENV_NAME.test(e.name)) issues.invalid(`${ep}.name`, e.name, ENV_MSG);
      if (e.value !== undefined && e.value !== '' && e.valueFrom !== undefined) {
        issues.invalid(`${ep}.valueFrom`, '', 'may not be specified when `value` is not empty');
      }
    });
    const mountPaths = new Set<string>();
    asArray(c.volumeMounts).forEach((rawMount, j) => {
      const m = asObject(rawMount);
      const mp = `${at}.volumeMounts[${j}]`;
      if (typeof m.name !== 'string' || !m.name) issues.required(`${mp}.name`);
      else if (!volumes.has(m.name)) issues.notFound(`${mp}.name`, m.name);
      if (typeof m.mountPath !== 'string' || !m.mountPath) issues.required(`${mp}.mountPath`);
      else if (mountPaths.has(m.mountPath)) issues.invalid(`${mp}.mountPath`, m.mountPath, 'must be unique');
      else mountPaths.add(m.mountPath);
    });
  });
}

export function validatePodSpec(path: string, rawSpec: unknown, issues: Issues): void {
  const spec = asObject(rawSpec);
  const volumes = new Set<string>();
  asArray(spec.volumes).forEach((raw, i) => {
    const v = asObject(raw);
    const at = `${path}.volumes[${i}]`;
    if (typeof v.name !== 'string' || !v.name) issues.required(`${at}.name`);
    else {
      for (const p of labelProblems(v.name)) issues.invalid(`${at}.name`, v.name, p);
      if (volumes.has(v.name)) issues.duplicate(`${at}.name`, v.name);
      volumes.add(v.name);
    }
    if (Object.keys(v).filter((k) => k !== 'name').length === 0) issues.required(at, 'must specify a volume type');
  });
  const names = new Set<string>();
  validateContainers(`${path}.initContainers`, spec.initContainers, volumes, names, false, issues);
  validateContainers(`${path}.containers`, spec.containers, volumes, names, true, issues);
  if (spec.restartPolicy !== undefined && !RESTART_POLICIES.includes(String(spec.restartPolicy))) {
    issues.notSupported(`${path}.restartPolicy`, spec.restartPolicy, RESTART_POLICIES);
  }
  if (spec.activeDeadlineSeconds !== undefined && !(Number(spec.activeDeadlineSeconds) > 0)) {
    issues.invalid(`${path}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, 'must be greater than or equal to 1');
  }
  if (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName) {
    for (const p of subdomainProblems(spec.serviceAccountName)) issues.invalid(`${path}.serviceAccountName`, spec.serviceAccountName, p);
  }
}

function containerNames(podSpec: JsonObject): string[] {
  return [...asArray(podSpec.containers), ...asArray(podSpec.initContainers)].map((c) => String(asObject(c).name));
}

// Jobs

const POD_FAILURE_ACTIONS = ['Count', 'FailIndex', 'FailJob', 'Ignore'];

function validatePodFailurePolicy(spec: JsonObject, podSpec: JsonObject, issues: Issues): void {
  const path = 'spec.podFailurePolicy';
  const policy = asObject(spec.podFailurePolicy);
  if (podSpec.restartPolicy !== 'Never') {
    issues.invalid('spec.template.spec.restartPolicy', podSpec.restartPolicy ?? '', 'only "Never" is supported when podFailurePolicy is specified');
  }
  const rules = asArray(policy.rules);
  if (rules.length > 20) issues.tooMany(`${path}.rules`, rules.length, 20);
  const names = containerNames(podSpec);
  rules.forEach((raw, i) => {
    const rule = asObject(raw);
    const at = `${path}.rules[${i}]`;
    if (!POD_FAILURE_ACTIONS.includes(String(rule.action))) issues.notSupported(`${at}.action`, rule.action ?? '', POD_FAILURE_ACTIONS);
    else if (rule.action === 'FailIndex' && spec.backoffLimitPerIndex === undefined) {
      issues.invalid(`${at}.action`, rule.action, 'requires the backoffLimitPerIndex to be set');
    }
    const hasCodes = rule.onExitCodes !== undefined && rule.onExitCodes !== null;
    const hasConds = Array.isArray(rule.onPodConditions) && rule.onPodConditions.length > 0;
    if (hasCodes && hasConds) issues.invalid(at, '', 'specifying both OnExitCodes and OnPodConditions is not supported');
    if (!hasCodes && !hasConds) issues.invalid(at, '', 'specifying one of OnExitCodes and OnPodConditions is required');
    if (hasCodes) {
      const codes = asObject(rule.onExitCodes);
      const cp = `${at}.onExitCodes`;
      if (codes.containerName !== undefined && !names.includes(String(codes.containerName))) {
        issues.invalid(`${cp}.containerName`, codes.containerName, 'must be one of the container or initContainer names in the pod template');
      }
      if (codes.operator !== 'In' && codes.operator !== 'NotIn') issues.notSupported(`${cp}.operator`, codes.operator ?? '', ['In', 'NotIn']);
      const values = asArray(codes.values);
      if (values.length === 0) issues.invalid(`${cp}.values`, values, 'at least one value is required');
      if (values.length > 255) issues.tooMany(`${cp}.values`, values.length, 255);
      let prev: number | undefined;
      values.forEach((v, j) => {
        const n = Number(v);
        if (codes.operator === 'In' && n === 0) issues.invalid(`${cp}.values[${j}]`, n, 'must not be 0 for the In operator');
        if (prev !== undefined && n === prev) issues.duplicate(`${cp}.values[${j}]`, n);
        else if (prev !== undefined && n < prev) issues.invalid(`${cp}.values[${j}]`, n, 'must be ordered');
        prev = n;
      });
    }
    asArray(rule.onPodConditions).forEach((rawCond, j) => {
      const cond = asObject(rawCond);
      const cp = `${at}.onPodConditions[${j}]`;
      if (typeof cond.type !== 'string' || !cond.type) issues.required(`${cp}.type`);
      else for (const p of qualifiedNameProblems(cond.type)) issues.invalid(`${cp}.type`, cond.type, p);
      if (cond.status !== undefined && !['True', 'False', 'Unknown'].includes(String(cond.status))) {
        issues.notSupported(`${cp}.status`, cond.status, ['True', 'False', 'Unknown']);
      }
    });
  });
}

function nonNegative(spec: JsonObject, key: string, issues: Issues, strictlyPositive = false): void {
  const v = spec[key];
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || !Number.isInteger(v)) issues.typeInvalid(`spec.${key}`, v, 'must be an integer');
  else if (strictlyPositive ? v <= 0 : v < 0) issues.invalid(`spec.${key}`, v, strictlyPositive ? 'must be greater than 0' : 'must be greater than or equal to 0');
}

function validateJob(job: KubeObject, old: KubeObject | undefined, issues: Issues): void {
  const spec = asObject(job.spec);
  const template = asObject(spec.template);
  const podSpec = asObject(template.spec);
  const name = job.metadata.name ?? '';
  if (name.length > 63) issues.invalid('spec.template.labels', name, 'must be no more than 63 characters');
  for (const key of ['parallelism', 'completions', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex']) nonNegative(spec, key, issues);
  nonNegative(spec, 'activeDeadlineSeconds', issues, true);
  if (spec.completionMode !== undefined && !['NonIndexed', 'Indexed'].includes(String(spec.completionMode))) {
    issues.notSupported('spec.completionMode', spec.completionMode, ['NonIndexed', 'Indexed']);
  }
  validateLabels('spec.template.metadata.labels', asObject(template.metadata).labels, issues);
  validatePodSpec('spec.template.spec', podSpec, issues);
  if (podSpec.restartPolicy !== 'OnFailure' && podSpec.restartPolicy !== 'Never') {
    issues.notSupported('spec.template.spec.restartPolicy', podSpec.restartPolicy ?? '', ['OnFailure', 'Never']);
  }
  if (spec.podFailurePolicy !== undefined && spec.podFailurePolicy !== null) validatePodFailurePolicy(spec, podSpec, issues);
  if (spec.manualSelector !== true) {
    const expected = { matchLabels: { 'batch.kubernetes.io/controller-uid': job.metadata.uid } };
    if (spec.selector !== undefined && !jsonEqual(spec.selector, expected) && !old) {
      issues.invalid('spec.selector', spec.selector, '`selector` not auto-generated');
    }
  } else if (!isObject(spec.selector)) {
    issues.required('spec.selector');
  }
  if (old) {
    const oldSpec = asObject(old.spec);
    for (const key of ['selector', 'template', 'completionMode', 'podFailurePolicy', 'backoffLimitPerIndex']) {
      if (!jsonEqual(spec[key], oldSpec[key])) issues.immutable(`spec.${key}`, spec[key] ?? null);
    }
  }
}

// Other kinds

function validateDataKeys(field: string, data: unknown, issues: Issues): number {
  let size = 0;
  for (const [key, value] of Object.entries(asObject(data))) {
    if (!CONFIG_KEY.test(key)) issues.invalid(field, key, CONFIG_KEY_MSG);
    if (key.length > 253) issues.invalid(field, key, 'must be no more than 253 characters');
    size += typeof value === 'string' ? value.length : 0;
  }
  return size;
}

const MAX_DATA = 1024 * 1024;

function validateConfigMap(cm: KubeObject, issues: Issues): void {
  let size = validateDataKeys('data', cm.data, issues);
  size += validateDataKeys('binaryData', cm.binaryData, issues);
  for (const key of Object.keys(asObject(cm.data))) {
    if (Object.hasOwn(asObject(cm.binaryData), key)) issues.invalid('data', key, 'duplicate of key present in binaryData');
  }
  if (size > MAX_DATA) issues.tooLong('', MAX_DATA);
}

function validateSecret(secret: KubeObject, issues: Issues): void {
  let size = 0;
  for (const [key, value] of Object.entries(asObject(secret.data))) {
    if (!CONFIG_KEY.test(key)) issues.invalid('data', key, CONFIG_KEY_MSG);
    size += Buffer.from(String(value), 'base64').length;
  }
  if (size > MAX_DATA) issues.tooLong('data', MAX_DATA);
}

function validateLease(lease: KubeObject, issues: Issues): void {
  const spec = asObject(lease.spec);
  if (spec.leaseDurationSeconds !== undefined && !(Number(spec.leaseDurationSeconds) > 0)) {
    issues.invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0');
  }
  if (spec.leaseTransitions !== undefined && Number(spec.leaseTransitions) < 0) {
    issues.invalid('spec.leaseTransitions', spec.leaseTransitions, 'must be greater than or equal to 0');
  }
}

function validateEvent(event: KubeObject, issues: Issues): void {
  const involved = asObject(event.involvedObject);
  if (involved.namespace !== undefined && involved.namespace !== '' && involved.namespace !== event.metadata.namespace) {
    issues.invalid('involvedObject.namespace', involved.namespace, 'does not match event.namespace');
  }
}

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];

function validatePvc(pvc: KubeObject, old: KubeObject | undefined, issues: Issues): void {
  const spec = asObject(pvc.spec);
  const modes = asArray(spec.accessModes);
  if (modes.length === 0) issues.required('spec.accessModes', 'at least 1 access mode is required');
  modes.forEach((m, i) => {
    if (!ACCESS_MODES.includes(String(m))) issues.notSupported(`spec.accessModes[${i}]`, m, ACCESS_MODES);
  });
  if (asObject(asObject(spec.resources).requests).storage === undefined) issues.required('spec.resources[storage]');
  if (old) {
    const a = clone(spec);
    const b = clone(asObject(old.spec));
    delete a.resources;
    delete b.resources;
    delete a.volumeName;
    delete b.volumeName;
    if (!jsonEqual(a, b)) issues.forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims');
  }
}

const POD_MUTABLE = ['activeDeadlineSeconds', 'tolerations', 'terminationGracePeriodSeconds', 'schedulingGates'];

function validatePod(pod: KubeObject, old: KubeObject | undefined, issues: Issues): void {
  validatePodSpec('spec', pod.spec, issues);
  if (!old) return;
  const a = clone(asObject(pod.spec));
  const b = clone(asObject(old.spec));
  for (const key of POD_MUTABLE) {
    delete a[key];
    delete b[key];
  }
  for (const spec of [a, b]) {
    for (const list of ['containers', 'initContainers']) for (const c of asArray(spec[list])) delete asObject(c).image;
  }
  if (!jsonEqual(a, b)) {
    issues.forbidden('spec', 'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)');
  }
}

/** Kind-specific validation of a built-in object (custom resources are validated by their schema). */
export function validateKind(rt: ResourceType, obj: KubeObject, old: KubeObject | undefined, issues: Issues): void {
  switch (rt.key) {
    case 'jobs.batch': return validateJob(obj, old, issues);
    case 'pods': return validatePod(obj, old, issues);
    case 'configmaps': return validateConfigMap(obj, issues);
    case 'secrets': return validateSecret(obj, issues);
    case 'leases.coordination.k8s.io': return validateLease(obj, issues);
    case 'events': return validateEvent(obj, issues);
    case 'persistentvolumeclaims': return validatePvc(obj, old, issues);
    default:
  }
}
