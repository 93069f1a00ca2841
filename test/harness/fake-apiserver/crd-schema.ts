// Custom resources against their CRD's structural schema, in the real server's order: unknown
// fields are pruned (reported as `Warning` headers, or a 400 under ?fieldValidation=Strict),
// nulls of non-nullable fields with a default are dropped, defaults are applied, and then the
// object is validated with src/api's validateSchema — the same checker synth uses.
import type { JSONSchemaProps } from '../../../src/api/schema.ts';
import { validateSchema } from '../../../src/api/validate-schema.ts';
import { errors, type StatusCause } from './status.ts';
import type { ResourceType } from './resources.ts';
import { clone, isObject, type JsonObject, type KubeObject } from './types.ts';

export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

const ROOT_KEEP = new Set(['apiVersion', 'kind', 'metadata']);

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/** Removes what the schema does not declare, in place; returns the paths it removed. */
export function prune(schema: JSONSchemaProps, value: unknown, path = '', removed: string[] = []): string[] {
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((item, i) => prune(schema.items!, item, join(path, i), removed));
    return removed;
  }
  if (!isObject(value)) return removed;
  const embedded = (schema as { 'x-kubernetes-embedded-resource'?: boolean })['x-kubernetes-embedded-resource'] === true;
  for (const key of Object.keys(value)) {
    if ((path === '' || embedded) && ROOT_KEEP.has(key)) continue;
    const props = schema.properties;
    const childSchema = props && Object.hasOwn(props, key) ? props[key] : schema.additionalProperties;
    if (childSchema) prune(childSchema, value[key], join(path, key), removed);
    else if (!schema['x-kubernetes-preserve-unknown-fields']) {
      removed.push(join(path, key));
      delete value[key];
    }
  }
  return removed;
}

/** Applies `default`s in place, where the parent object exists and the field is absent. */
export function applyDefaults(schema: JSONSchemaProps, value: unknown): void {
  if (Array.isArray(value)) {
    if (schema.items) for (const item of value) applyDefaults(schema.items, item);
    return;
  }
  if (!isObject(value)) return;
  for (const [key, propSchema] of Object.entries(schema.properties ?? {})) {
    const nullable = (propSchema as { nullable?: boolean }).nullable === true;
    if (value[key] === null && !nullable && propSchema.default !== undefined) delete value[key];
    if (value[key] === undefined && propSchema.default !== undefined) value[key] = clone(propSchema.default);
    if (value[key] !== undefined) applyDefaults(propSchema, value[key]);
  }
  if (schema.additionalProperties) {
    for (const [key, child] of Object.entries(value)) {
      if (!schema.properties || !Object.hasOwn(schema.properties, key)) applyDefaults(schema.additionalProperties, child);
    }
  }
}

/** apiVersion, kind and metadata are allowed at the root whether or not the schema lists them. */
function withRootFields(schema: JSONSchemaProps): JSONSchemaProps {
  const props = schema.properties ?? {};
  if (props.apiVersion && props.kind && props.metadata) return schema;
  return { ...schema, properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...props } };
}

function reasonOf(message: string): string {
  if (message.startsWith('Required value')) return 'FieldValueRequired';
  if (message.startsWith('Unsupported value')) return 'FieldValueNotSupported';
  if (message.startsWith('Duplicate value')) return 'FieldValueDuplicate';
  if (message.startsWith('Too long')) return 'FieldValueTooLong';
  if (message.startsWith('Too many')) return 'FieldValueTooMany';
  if (message.includes('must be of type')) return 'FieldValueTypeInvalid';
  return 'FieldValueInvalid';
}

/**
 * Prunes, defaults and validates a custom resource in place. Returns the warnings to send;
 * throws 400 for unknown fields under Strict. Schema violations are returned as causes.
 */
export function admitCustomResource(rt: ResourceType, version: string, obj: KubeObject, mode: FieldValidation, warnings: string[]): StatusCause[] {
  const schema = rt.schemas.get(version) ?? rt.schemas.get(rt.versions[0]!);
  if (!schema) return [];
  const removed = prune(schema, obj);
  if (removed.length && mode === 'Strict') {
    const list = removed.map((p) => `unknown field "${p}"`).join(', ');
    throw errors.badRequest(`${rt.kind} in version "${version}" cannot be handled as a ${rt.kind}: strict decoding error: ${list}`);
  }
  if (mode === 'Warn') for (const p of removed) warnings.push(`unknown field "${p}"`);
  applyDefaults(schema, obj);
  return validateSchema(withRootFields(schema), obj as unknown as JsonObject).map((e) => ({ reason: reasonOf(e.message), message: e.message, field: e.path }));
}
