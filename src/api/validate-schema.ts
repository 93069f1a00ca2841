// Checks a value against a structural schema the way the Kubernetes API server does for custom
// resources with strict field validation: types, required fields, enums, bounds, patterns,
// list-map key uniqueness, and unknown fields. Returns every error; never throws on any input.
import { fieldPath, type FieldError } from './errors.ts';
import { DNS_LABEL, toDnsLabel } from './names.ts';
import type { JSONSchemaProps } from './schema.ts';

export function validateSchema(schema: JSONSchemaProps, value: unknown, path = ''): FieldError[] {
  const errors: FieldError[] = [];
  check(schema, value, path, errors);
  return errors;
}

const patternCache = new Map<string, RegExp>();
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Plain words for the patterns the kayci types use. */
const PATTERN_HINTS: Record<string, (value: string) => string> = {
  [DNS_LABEL.source]: (v) => `must be a DNS label: lower case letters, digits and '-', starting and ending with a letter or digit (e.g. ${JSON.stringify(toDnsLabel(v))})`,
  '^[a-zA-Z][a-zA-Z0-9_-]*$': () => "must start with a letter and hold only letters, digits, '_' and '-'",
};

function regex(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    re = new RegExp(pattern, 'u');
    patternCache.set(pattern, re);
  }
  return re;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function check(schema: JSONSchemaProps, value: unknown, path: string, errors: FieldError[]): void {
  const actual = typeOf(value);
  if (schema.type) {
    const ok = actual === schema.type || (schema.type === 'number' && actual === 'integer');
    if (!ok) {
      errors.push({ path, message: `Invalid value: ${actual}: must be of type ${schema.type}` });
      return;
    }
  }
  if (schema.enum && !schema.enum.includes(value as string)) {
    const allowed = schema.enum.map((v) => JSON.stringify(v)).join(', ');
    errors.push({ path, message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${allowed}` });
  }
  if (typeof value === 'string') checkString(schema, value, path, errors);
  if (typeof value === 'number') checkNumber(schema, value, path, errors);
  if (Array.isArray(value)) checkArray(schema, value, path, errors);
  if (isPlainObject(value)) checkObject(schema, value, path, errors);
}

function checkString(schema: JSONSchemaProps, value: string, path: string, errors: FieldError[]): void {
  const length = [...value].length;
  if (schema.maxLength !== undefined && length > schema.maxLength) {
    errors.push({ path, message: `Too long: may not be more than ${schema.maxLength} characters (got ${length})` });
  }
  if (schema.minLength !== undefined && length < schema.minLength) {
    errors.push({ path, message: `Invalid value: ${JSON.stringify(value)}: must be at least ${schema.minLength} characters` });
  }
  if (schema.pattern !== undefined && !regex(schema.pattern).test(value)) {
    const hint = Object.hasOwn(PATTERN_HINTS, schema.pattern) ? PATTERN_HINTS[schema.pattern] : undefined;
    errors.push({ path, message: `Invalid value: ${JSON.stringify(value)}: ${hint ? hint(value) : `must match ${schema.pattern}`}` });
  }
  if (schema.format === 'date-time' && (!RFC3339.test(value) || Number.isNaN(Date.parse(value)))) {
    errors.push({ path, message: `Invalid value: ${JSON.stringify(value)}: must be an RFC 3339 date-time` });
  }
}

const INT32 = 2 ** 31;

function checkNumber(schema: JSONSchemaProps, value: number, path: string, errors: FieldError[]): void {
  if (schema.minimum !== undefined && value < schema.minimum) {
    errors.push({ path, message: `Invalid value: ${value}: must be greater than or equal to ${schema.minimum}` });
  }
  if (schema.maximum !== undefined && value > schema.maximum) {
    errors.push({ path, message: `Invalid value: ${value}: must be less than or equal to ${schema.maximum}` });
  }
  if (schema.format === 'int32' && (value < -INT32 || value >= INT32)) {
    errors.push({ path, message: `Invalid value: ${value}: must fit in 32 bits` });
  }
  if (schema.format === 'int64' && !Number.isSafeInteger(value)) {
    errors.push({ path, message: `Invalid value: ${value}: must be a safe 64-bit integer` });
  }
}

function checkArray(schema: JSONSchemaProps, value: unknown[], path: string, errors: FieldError[]): void {
  if (schema.maxItems !== undefined && value.length > schema.maxItems) {
    errors.push({ path, message: `Too many: ${value.length}: must have at most ${schema.maxItems} items` });
  }
  if (schema.minItems !== undefined && value.length < schema.minItems) {
    errors.push({ path, message: `Invalid value: ${value.length} items: must have at least ${schema.minItems}` });
  }
  if (schema.items) {
    value.forEach((item, i) => check(schema.items!, item, fieldPath(path, i), errors));
  }
  const keys = schema['x-kubernetes-list-map-keys'];
  if (schema['x-kubernetes-list-type'] === 'map' && keys) {
    const seen = new Map<string, number>();
    value.forEach((item, i) => {
      if (!isPlainObject(item)) return;
      const key = JSON.stringify(keys.map((k) => item[k]));
      const first = seen.get(key);
      if (first !== undefined) {
        const what = keys.map((k) => `${k} ${JSON.stringify(item[k])}`).join(', ');
        const at = keys.length === 1 ? fieldPath(fieldPath(path, i), keys[0]!) : fieldPath(path, i);
        errors.push({ path: at, message: `Duplicate value: ${what} is already used by ${fieldPath(path, first)}` });
      } else {
        seen.set(key, i);
      }
    });
  }
}

function checkObject(schema: JSONSchemaProps, value: Record<string, unknown>, path: string, errors: FieldError[]): void {
  for (const name of schema.required ?? []) {
    if (value[name] === undefined || value[name] === null) {
      errors.push({ path: fieldPath(path, name), message: 'Required value' });
    }
  }
  const props = schema.properties;
  const extra = schema.additionalProperties;
  for (const [key, child] of Object.entries(value)) {
    if (child === undefined) continue;
    const at = fieldPath(path, key);
    const childSchema = props && Object.hasOwn(props, key) ? props[key] : extra;
    if (childSchema) {
      check(childSchema, child, at, errors);
    } else if (props && !schema['x-kubernetes-preserve-unknown-fields']) {
      // A bare `type: object` (metadata) accepts anything: the API server owns its shape.
      errors.push({ path: at, message: 'unknown field' });
    }
  }
}
