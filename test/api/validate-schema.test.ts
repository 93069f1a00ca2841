import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { validateSchema } from '../../src/api/index.ts';
import type { JSONSchemaProps } from '../../src/api/schema.ts';

const obj = (properties: Record<string, JSONSchemaProps>, extra: JSONSchemaProps = {}): JSONSchemaProps => ({ type: 'object', properties, ...extra });

const listMap = (keys: string[]): JSONSchemaProps => ({
  type: 'array',
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': keys,
  items: obj({ name: { type: 'string' }, port: { type: 'integer' }, value: { type: 'string' } }, { required: keys }),
});

describe('validateSchema', () => {
  // Each row: schema, a value it accepts.
  const valid: [string, JSONSchemaProps, unknown][] = [
    ['integer', { type: 'integer' }, 3],
    ['integer given as 3.0 (JSON has one number type)', { type: 'integer' }, 3.0],
    ['number accepts an integer', { type: 'number' }, 3],
    ['number accepts a fraction', { type: 'number' }, 0.5],
    ['string', { type: 'string' }, ''],
    ['boolean', { type: 'boolean' }, false],
    ['array', { type: 'array', items: { type: 'string' } }, ['a', 'b']],
    ['no type accepts anything', {}, { any: ['thing'] }],
    ['enum', { type: 'string', enum: ['a', 'b'] }, 'b'],
    ['minimum and maximum are inclusive', obj({ lo: { type: 'integer', minimum: 1 }, hi: { type: 'integer', maximum: 10 } }), { lo: 1, hi: 10 }],
    ['maxLength counts characters, not UTF-16 units or bytes', { type: 'string', maxLength: 3 }, '😀é中'],
    ['minLength counts characters', { type: 'string', minLength: 2 }, '😀😀'],
    ['pattern', { type: 'string', pattern: '^[0-9a-f]{7,64}$' }, 'abcdef0'],
    ['pattern with a Unicode class', { type: 'string', pattern: '^\\S+$' }, 'ünïcödé'],
    ['minItems and maxItems are inclusive', obj({ a: { type: 'array', minItems: 1, maxItems: 2 } }), { a: [1, 2] }],
    ['list-map with distinct keys', listMap(['name']), [{ name: 'a' }, { name: 'b' }]],
    ['list-map with two keys, distinct as a pair', listMap(['name', 'port']), [{ name: 'a', port: 80 }, { name: 'a', port: 443 }, { name: 'b', port: 80 }]],
    ['known fields', obj({ a: { type: 'string' } }), { a: 'x' }],
    ['undefined fields are absent', obj({ a: { type: 'string' } }), { a: undefined, b: undefined }],
    ['preserve-unknown-fields keeps unknown fields', obj({ a: { type: 'string' } }, { 'x-kubernetes-preserve-unknown-fields': true }), { a: 'x', b: { c: [1] } }],
    ['preserve-unknown-fields without properties', { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, { anything: { goes: true } }],
    ['additionalProperties map', { type: 'object', additionalProperties: { type: 'string' } }, { a: 'x', 'kayci.dev/b': 'y' }],
    ['date-time UTC', { type: 'string', format: 'date-time' }, '2026-11-21T08:25:00Z'],
    ['date-time with an offset and fraction', { type: 'string', format: 'date-time' }, '2026-11-21T08:25:00.123+02:00'],
    ['int32 bounds', obj({ lo: { type: 'integer', format: 'int32' }, hi: { type: 'integer', format: 'int32' } }), { lo: -(2 ** 31), hi: 2 ** 31 - 1 }],
    ['int64 up to the largest safe integer', { type: 'integer', format: 'int64' }, Number.MAX_SAFE_INTEGER],
    ['bare metadata object accepts anything', obj({ metadata: { type: 'object' } }), { metadata: { name: 'x', labels: { a: 'b' }, whatever: [1, { two: 3 }] } }],
    ['required field present', obj({ a: { type: 'string' } }, { required: ['a'] }), { a: '' }],
  ];

  it.each(valid)('accepts: %s', (_name, schema, value) => {
    expect(validateSchema(schema, value)).toEqual([]);
  });

  // Each row: schema, a value, and every error it must produce, exactly (paths and message patterns).
  const cases: [string, JSONSchemaProps, unknown, [string, RegExp][]][] = [
    ['integer given a fraction', { type: 'integer' }, 1.5, [['', /^Invalid value: number: must be of type integer$/]]],
    ['integer given a string', { type: 'integer' }, '1', [['', /^Invalid value: string: must be of type integer$/]]],
    ['number given a string', { type: 'number' }, '0.5', [['', /must be of type number$/]]],
    ['string given null', { type: 'string' }, null, [['', /^Invalid value: null: must be of type string$/]]],
    ['object given an array', { type: 'object' }, [], [['', /^Invalid value: array: must be of type object$/]]],
    ['array given an object', { type: 'array' }, {}, [['', /must be of type array/]]],
    ['boolean given a string', { type: 'boolean' }, 'true', [['', /must be of type boolean/]]],
    ['required missing', obj({ a: { type: 'string' }, b: { type: 'string' } }, { required: ['a', 'b'] }), { b: 'x' }, [['a', /^Required value$/]]],
    ['required null', obj({ a: { type: 'string' } }, { required: ['a'] }), { a: null }, [['a', /^Required value$/], ['a', /must be of type string/]]],
    ['enum', { type: 'string', enum: ['a', 'b'] }, 'c', [['', /^Unsupported value: "c": supported values: "a", "b"$/]]],
    ['minimum', { type: 'integer', minimum: 1 }, 0, [['', /^Invalid value: 0: must be greater than or equal to 1$/]]],
    ['maximum', { type: 'integer', maximum: 10 }, 11, [['', /^Invalid value: 11: must be less than or equal to 10$/]]],
    ['maxLength in characters', { type: 'string', maxLength: 2 }, '😀😀😀', [['', /^Too long: may not be more than 2 characters \(got 3\)$/]]],
    ['minLength in characters', { type: 'string', minLength: 3 }, '😀😀', [['', /must be at least 3 characters/]]],
    ['pattern', { type: 'string', pattern: '^[0-9]+$' }, '12a', [['', /^Invalid value: "12a": must match \^\[0-9\]\+\$$/]]],
    ['pattern of a DNS label, in plain words', { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' }, 'Build_Image', [['', /must be a DNS label: .*\(e.g. "build-image"\)/]]],
    ['pattern of a parameter name, in plain words', { type: 'string', pattern: '^[a-zA-Z][a-zA-Z0-9_-]*$' }, '1st', [['', /must start with a letter and hold only letters, digits, '_' and '-'/]]],
    ['minItems', { type: 'array', minItems: 1 }, [], [['', /^Invalid value: 0 items: must have at least 1$/]]],
    ['maxItems', { type: 'array', maxItems: 2 }, [1, 2, 3], [['', /^Too many: 3: must have at most 2 items$/]]],
    ['item type', { type: 'array', items: { type: 'string' } }, ['a', 1, 'b', null], [['[1]', /must be of type string/], ['[3]', /must be of type string/]]],
    ['list-map duplicate key', listMap(['name']), [{ name: 'a' }, { name: 'b' }, { name: 'a' }], [['[2].name', /^Duplicate value: name "a" is already used by \[0\]$/]]],
    ['list-map duplicate key pair', listMap(['name', 'port']), [{ name: 'a', port: 80 }, { name: 'a', port: 80 }], [['[1]', /^Duplicate value: name "a", port 80 is already used by \[0\]$/]]],
    ['list-map items missing their key', listMap(['name']), [{ value: 'x' }], [['[0].name', /^Required value$/]]],
    ['unknown field', obj({ a: { type: 'string' } }), { a: 'x', b: 1 }, [['b', /^unknown field$/]]],
    ['unknown field deep down', obj({ a: obj({ b: { type: 'array', items: obj({ c: { type: 'string' } }) } }) }), { a: { b: [{ c: 'x' }, { d: 'y' }] } }, [['a.b[1].d', /^unknown field$/]]],
    ['unknown field named like an Object.prototype member', obj({ a: { type: 'string' } }), { constructor: 'x', toString: 'y' }, [['constructor', /^unknown field$/], ['toString', /^unknown field$/]]],
    ['preserve-unknown-fields still checks known fields', obj({ a: { type: 'string' } }, { 'x-kubernetes-preserve-unknown-fields': true }), { a: 1, b: 2 }, [['a', /must be of type string/]]],
    ['additionalProperties value type', { type: 'object', additionalProperties: { type: 'string' } }, { a: 'x', b: 2 }, [['b', /must be of type string/]]],
    ['date-time', { type: 'string', format: 'date-time' }, 'yesterday', [['', /^Invalid value: "yesterday": must be an RFC 3339 date-time$/]]],
    ['date-time with a month 13', { type: 'string', format: 'date-time' }, '2026-13-01T00:00:00Z', [['', /RFC 3339 date-time/]]],
    ['int32 above', { type: 'integer', format: 'int32' }, 2 ** 31, [['', /^Invalid value: 2147483648: must fit in 32 bits$/]]],
    ['int32 below', { type: 'integer', format: 'int32' }, -(2 ** 31) - 1, [['', /must fit in 32 bits/]]],
    ['int64 beyond safe integers', { type: 'integer', format: 'int64' }, 2 ** 53, [['', /must be a safe 64-bit integer/]]],
    ['several problems with one string', { type: 'string', maxLength: 2, pattern: '^[a-z]+$' }, 'ABC', [['', /Too long/], ['', /must match/]]],
  ];

  it.each(cases)('rejects: %s', (_name, schema, value, expected) => {
    const errors = validateSchema(schema, value);
    expect(errors, JSON.stringify(errors, null, 1)).toHaveLength(expected.length);
    for (const [path, pattern] of expected) {
      expect(errors.filter((e) => e.path === path).map((e) => e.message), `${path} in ${JSON.stringify(errors, null, 1)}`).toEqual(expect.arrayContaining([expect.stringMatching(pattern)]));
    }
  });

  // The API server checks `format: date-time` with strfmt's IsDateTime: a full date, a `T`, a
  // time. Date.parse accepts far more (a bare year, a date without time, English dates).
  it('rejects date-times the API server rejects', () => {
    const schema: JSONSchemaProps = { type: 'string', format: 'date-time' };
    const accepted = ['1', '2026', '2026-11-21', 'Nov 21 2026', 'Sat, 21 Nov 2026 08:25:00 GMT'].filter((v) => validateSchema(schema, v).length === 0);
    expect(accepted).toEqual([]);
  });

  it('prefixes paths with the given root', () => {
    const schema = obj({ jobs: { type: 'array', items: obj({ name: { type: 'string' } }, { required: ['name'] }) } });
    expect(validateSchema(schema, { jobs: [{}] }, 'spec')).toEqual([{ path: 'spec.jobs[0].name', message: 'Required value' }]);
    expect(validateSchema({ type: 'string' }, 1, 'spec.x')).toEqual([{ path: 'spec.x', message: 'Invalid value: integer: must be of type string' }]);
  });

  it('stops at a type error: no further checks on a value of the wrong type', () => {
    expect(validateSchema(obj({ a: { type: 'string' } }, { required: ['a'] }), [])).toHaveLength(1);
  });

  it('never throws, whatever the value (property)', () => {
    const schema = obj({
      a: { type: 'string', maxLength: 3, pattern: '^x', format: 'date-time', enum: ['x'] },
      b: { type: 'integer', minimum: 0, maximum: 5, format: 'int32' },
      c: listMap(['name']),
      d: { type: 'object', additionalProperties: { type: 'number' } },
      e: { type: 'object' },
    }, { required: ['a'] });
    fc.assert(fc.property(fc.anything({ withNullPrototype: true, withObjectString: true }), (value) => {
      expect(Array.isArray(validateSchema(schema, value))).toBe(true);
      expect(Array.isArray(validateSchema(schema, { a: value, b: value, c: value, d: value, e: value }))).toBe(true);
    }));
  });
});
