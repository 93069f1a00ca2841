// Checks shared by every kind: apiVersion, kind, metadata.name, size, and the structural schema.
import { API_VERSION } from '../meta.ts';
import { dnsLabelProblem, dnsSubdomainProblem } from '../../names.ts';
import type { FieldError } from '../../errors.ts';
import type { JSONSchemaProps } from '../../schema.ts';
import { validateSchema } from '../../validate-schema.ts';

/** etcd's default request limit; the API server rejects larger objects. */
export const MAX_OBJECT_BYTES = 1.5 * 1024 * 1024;

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function validateObject(kind: string, schema: JSONSchemaProps, obj: unknown, nameRule: 'label' | 'subdomain'): FieldError[] {
  if (!isObject(obj)) return [{ path: '', message: `Invalid value: expected a ${kind} object` }];
  const errors: FieldError[] = [];
  if (obj.apiVersion !== API_VERSION) {
    errors.push({ path: 'apiVersion', message: `Unsupported value: ${JSON.stringify(obj.apiVersion)}: must be ${JSON.stringify(API_VERSION)}` });
  }
  if (obj.kind !== kind) errors.push({ path: 'kind', message: `Unsupported value: ${JSON.stringify(obj.kind)}: must be ${JSON.stringify(kind)}` });
  const name = isObject(obj.metadata) ? obj.metadata.name : undefined;
  if (typeof name !== 'string') {
    errors.push({ path: 'metadata.name', message: 'Required value' });
  } else {
    const problem = nameRule === 'label' ? dnsLabelProblem(name) : dnsSubdomainProblem(name);
    if (problem) errors.push({ path: 'metadata.name', message: `Invalid value: ${problem}` });
  }
  errors.push(...validateSchema(schema, obj));
  const bytes = Buffer.byteLength(JSON.stringify(obj));
  if (bytes > MAX_OBJECT_BYTES) {
    errors.push({ path: '', message: `Too large: ${bytes} bytes; the API server stores at most ${MAX_OBJECT_BYTES} bytes per object. Split the ${kind}.` });
  }
  return errors;
}
