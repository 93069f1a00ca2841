import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CrdGenerationError, generateCrds } from '../../src/codegen/crds/generate.ts';
import { CRDS_FILE, renderCrdsJson } from '../../src/codegen/crds/write.ts';
import { validateSchema } from '../../src/api/index.ts';
import type { CustomResourceDefinition, JSONSchemaProps } from '../../src/api/schema.ts';

const API_DIR = path.resolve(import.meta.dirname, '../../src/api/v1alpha1');
const crds: CustomResourceDefinition[] = generateCrds();
const schemaOf = (crd: CustomResourceDefinition) => crd.spec.versions[0]!.schema.openAPIV3Schema;

interface SchemaNode {
  path: string;
  schema: JSONSchemaProps;
  /** A named property of an object (not an array item or a map value). */
  field: boolean;
}

/** Every node of a schema, depth first, with a readable path. */
function nodes(schema: JSONSchemaProps, at = '', field = false): SchemaNode[] {
  const out: SchemaNode[] = [{ path: at || '<root>', schema, field }];
  for (const [name, child] of Object.entries(schema.properties ?? {})) out.push(...nodes(child, at ? `${at}.${name}` : name, true));
  if (schema.items) out.push(...nodes(schema.items, `${at}[]`));
  if (schema.additionalProperties) out.push(...nodes(schema.additionalProperties, `${at}{}`));
  return out;
}

const everyNode = crds.flatMap((crd) => nodes(schemaOf(crd)).map((n) => ({ ...n, kind: crd.spec.names.kind, where: `${crd.spec.names.kind} ${n.path}` })));

/** The keys of JSONSchemaProps the generator may emit; anything else is a typo or a new feature to review. */
const KNOWN_KEYS = new Set([
  'type', 'format', 'description', 'properties', 'required', 'additionalProperties', 'items', 'enum', 'default', 'pattern',
  'minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems',
  'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys',
]);

const SCALARS = new Set(['string', 'integer', 'number', 'boolean']);

/** Collects every offending location, so one failure names all of them. */
const offenders = (check: (n: (typeof everyNode)[number]) => string | false | undefined) => everyNode.map((n) => check(n)).filter((x): x is string => typeof x === 'string');

describe('CRD generation', () => {
  it('the committed crds.gen.json is up to date', () => {
    const committed = readFileSync(CRDS_FILE, 'utf8');
    expect(renderCrdsJson(), `${path.relative(process.cwd(), CRDS_FILE)} is stale: the v1alpha1 types changed. Run \`npm run crds\` and commit the result.`).toBe(committed);
  });

  it('is deterministic', () => {
    expect(JSON.stringify(generateCrds())).toBe(JSON.stringify(crds));
  });

  it('writes one CRD per kind with names, category, short names, status subresource', () => {
    expect(crds.map((c) => c.spec.names.kind)).toEqual(['Pipeline', 'Trigger', 'Run']);
    for (const crd of crds) {
      const { names } = crd.spec;
      expect(crd.apiVersion).toBe('apiextensions.k8s.io/v1');
      expect(crd.kind).toBe('CustomResourceDefinition');
      expect(crd.metadata.name).toBe(`${names.plural}.kayci.dev`);
      expect(crd.spec.group).toBe('kayci.dev');
      expect(crd.spec.scope).toBe('Namespaced');
      expect(names.listKind).toBe(`${names.kind}List`);
      expect(names.singular).toBe(names.kind.toLowerCase());
      expect(names.categories).toContain('kayci');
      expect(names.shortNames.length).toBeGreaterThan(0);
      for (const s of names.shortNames) expect(s).toMatch(/^[a-z]+$/);
      expect(crd.spec.versions).toHaveLength(1);
      const [version] = crd.spec.versions;
      expect(version).toMatchObject({ name: 'v1alpha1', served: true, storage: true, subresources: { status: {} } });
    }
    const shortNames = crds.flatMap((c) => c.spec.names.shortNames);
    expect(new Set(shortNames).size).toBe(shortNames.length);
  });

  it('has printer columns kubectl accepts', () => {
    for (const crd of crds) {
      const columns = crd.spec.versions[0]!.additionalPrinterColumns as { name: string; type: string; jsonPath: string; priority?: number }[];
      expect(columns.length, crd.spec.names.kind).toBeGreaterThan(0);
      expect(new Set(columns.map((c) => c.name)).size, `${crd.spec.names.kind}: column names are unique`).toBe(columns.length);
      for (const c of columns) {
        expect(c.jsonPath, `${crd.spec.names.kind} column ${c.name}`).toMatch(/^\./);
        expect(['string', 'integer', 'number', 'boolean', 'date']).toContain(c.type);
        if (c.priority !== undefined) expect([0, 1]).toContain(c.priority);
      }
    }
  });

  describe('schemas are structural', () => {
    it('every node has a type, unless it preserves unknown fields', () => {
      expect(offenders((n) => !n.schema.type && !n.schema['x-kubernetes-preserve-unknown-fields'] && n.where)).toEqual([]);
    });

    it('every array has items; properties and additionalProperties are never both set', () => {
      expect(offenders((n) => n.schema.type === 'array' && !n.schema.items && n.where)).toEqual([]);
      expect(offenders((n) => n.schema.properties !== undefined && n.schema.additionalProperties !== undefined && n.where)).toEqual([]);
    });

    it('uses only known schema keys, formats, and keywords on the types they apply to', () => {
      expect(offenders((n) => Object.keys(n.schema).some((k) => !KNOWN_KEYS.has(k)) && `${n.where}: ${Object.keys(n.schema).join(', ')}`)).toEqual([]);
      expect(offenders((n) => n.schema.format !== undefined && !['int32', 'int64', 'date-time'].includes(n.schema.format) && n.where)).toEqual([]);
      expect(offenders((n) => n.schema.format?.startsWith('int') && n.schema.type !== 'integer' && n.where)).toEqual([]);
      expect(offenders((n) => n.schema.format === 'date-time' && n.schema.type !== 'string' && n.where)).toEqual([]);
      expect(offenders((n) => (n.schema.pattern !== undefined || n.schema.maxLength !== undefined || n.schema.minLength !== undefined) && n.schema.type !== 'string' && n.where)).toEqual([]);
      expect(offenders((n) => (n.schema.minimum !== undefined || n.schema.maximum !== undefined) && n.schema.type !== 'integer' && n.where)).toEqual([]);
      expect(offenders((n) => (n.schema.minItems !== undefined || n.schema.maxItems !== undefined || n.schema['x-kubernetes-list-type'] !== undefined) && n.schema.type !== 'array' && n.where)).toEqual([]);
      expect(offenders((n) => n.schema.enum?.some((v) => typeof v !== n.schema.type) && n.where)).toEqual([]);
      expect(offenders((n) => n.schema.required?.some((r) => !n.schema.properties?.[r]) && `${n.where}: required ${n.schema.required?.join(', ')}`)).toEqual([]);
    });

    it('patterns compile and avoid what RE2 (the API server) lacks: lookaround and backreferences', () => {
      expect(offenders((n) => {
        const p = n.schema.pattern;
        if (p === undefined) return false;
        try {
          new RegExp(p, 'u');
        } catch (e) {
          return `${n.where}: ${String(e)}`;
        }
        return /\(\?[=!<]|\\[1-9]/.test(p) && `${n.where}: ${p}`;
      })).toEqual([]);
    });

    it('list-maps name their keys, and each key is a required scalar of the item', () => {
      const maps = everyNode.filter((n) => n.schema['x-kubernetes-list-type'] === 'map');
      expect(maps.length).toBeGreaterThan(0);
      expect(offenders((n) => n.schema['x-kubernetes-list-map-keys'] !== undefined && n.schema['x-kubernetes-list-type'] !== 'map' && n.where)).toEqual([]);
      const problems: string[] = [];
      for (const n of maps) {
        const keys = n.schema['x-kubernetes-list-map-keys'] ?? [];
        const item = n.schema.items;
        if (keys.length === 0) problems.push(`${n.where}: no x-kubernetes-list-map-keys`);
        if (item?.type !== 'object') problems.push(`${n.where}: items are not objects`);
        for (const k of keys) {
          if (!item?.required?.includes(k)) problems.push(`${n.where}: key ${k} is not required in the item`);
          if (!SCALARS.has(item?.properties?.[k]?.type ?? '')) problems.push(`${n.where}: key ${k} is not a scalar`);
        }
      }
      expect(problems).toEqual([]);
    });

    it('root apiVersion and kind are strings, metadata is exactly {type: object}, spec is required', () => {
      for (const crd of crds) {
        const root = schemaOf(crd);
        expect(root.type).toBe('object');
        expect(root.properties!.apiVersion).toMatchObject({ type: 'string' });
        expect(root.properties!.kind).toMatchObject({ type: 'string' });
        expect(root.properties!.metadata).toEqual({ type: 'object' });
        expect(root.required).toContain('spec');
        expect(root.properties!.spec!.type).toBe('object');
        expect(root.properties!.status?.type).toBe('object');
        expect(Object.keys(root.properties!).sort()).toEqual(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
      }
    });

    it('every spec field has a description', () => {
      expect(offenders((n) => n.field && /^spec(\.|\[|$)/.test(n.path) && !n.schema.description?.trim() && n.where)).toEqual([]);
    });

    it('every default validates against its own node', () => {
      const defaults = everyNode.filter((n) => n.schema.default !== undefined);
      expect(defaults.length).toBeGreaterThan(0);
      expect(defaults.flatMap((n) => validateSchema(n.schema, n.schema.default, n.where).map((e) => `${e.path}: ${e.message}`))).toEqual([]);
    });

    it('embedded Job templates are preserved as is, and only they and nothing else', () => {
      const preserved = everyNode.filter((n) => n.schema['x-kubernetes-preserve-unknown-fields']).map((n) => n.where);
      expect(preserved).toEqual(expect.arrayContaining(['Pipeline spec.jobs[].template', 'Pipeline spec.notify[].template']));
      for (const p of preserved) expect(p).toMatch(/\.template$/);
      expect(offenders((n) => n.schema['x-kubernetes-preserve-unknown-fields'] === true && n.schema.type !== 'object' && n.where)).toEqual([]);
    });
  });

  describe('rejects what it does not understand', () => {
    const dirs: string[] = [];
    afterAll(() => {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });

    /** A copy of the api folder's type sources with one text replaced (which must be there once). */
    function apiCopy(file: string, from: string, to: string): string {
      const dir = mkdtempSync(path.join(tmpdir(), 'kayci-crds-'));
      dirs.push(dir);
      for (const f of ['meta.ts', 'pipeline.ts', 'trigger.ts', 'run.ts']) copyFileSync(path.join(API_DIR, f), path.join(dir, f));
      if (file) {
        const source = readFileSync(path.join(dir, file), 'utf8');
        expect(source.split(from).length - 1, `${JSON.stringify(from)} occurs once in ${file}`).toBe(1);
        writeFileSync(path.join(dir, file), source.replace(from, to));
      }
      return dir;
    }

    it('generates the same CRDs from an unmodified copy', () => {
      expect(generateCrds(apiCopy('', '', ''))).toEqual(crds);
    });

    // Each row: file, text to replace, replacement, and the error message expected.
    const cases: [string, string, string, string, RegExp][] = [
      ['a field typed number', 'pipeline.ts', 'retries?: Int32;', 'retries?: number;', /^Pipeline\.spec\.jobs\[\]\.retries: use Int32 or Int64, not number$/],
      ['a union with a number literal', 'trigger.ts', "provider: 'github' | 'gitlab' | 'generic';", "provider: 'github' | 'gitlab' | 42;", /^Trigger\.spec\.webhook\.provider: unions must be of string literals, found 42$/],
      ['a union with a boolean literal', 'pipeline.ts', "status?: 'success' | 'failure' | 'always';", "status?: 'success' | 'failure' | true;", /^Pipeline\.spec\.jobs\[\]\.when\.status: unions must be of string literals, found true$/],
      ['a union with string', 'run.ts', "provider?: 'github' | 'gitlab' | 'generic' | 'schedule' | 'manual' | 'local';", "provider?: 'github' | string;", /^Run\.spec\.metadata\.provider: unions must be of string literals, found string$/],
      ['an optional union with undefined', 'trigger.ts', 'timeZone?: string;', 'timeZone?: string | undefined;', /^Trigger\.spec\.schedule\.timeZone: unions must be of string literals, found string$/],
      ['a @default that is not JSON', 'pipeline.ts', '@default "success"', '@default success', /^Pipeline\.spec\.jobs\[\]\.when\.status: @default must be JSON, got success$/],
      ['a @maximum that is not a number', 'pipeline.ts', '@maximum 10', '@maximum ten', /^Pipeline\.spec\.jobs\[\]\.retries: @maximum must be a number, got ten$/],
      ['an undeclared type', 'pipeline.ts', 'when?: When;', 'when?: Whenever;', /^type Whenever is not declared in meta\.ts, pipeline\.ts, trigger\.ts, run\.ts$/],
      ['a method', 'trigger.ts', 'users?: string[];', 'users?: string[];\n  isTrusted(user: string): boolean;', /^Trigger\.spec\.commands\.trust: /],
      ['an index signature', 'trigger.ts', 'users?: string[];', 'users?: string[];\n  [user: string]: unknown;', /^Trigger\.spec\.commands\.trust: /],
      ['an interface that extends another', 'trigger.ts', 'export interface Schedule {', 'export interface Schedule extends Trust {', /^Trigger\.spec\.schedule: /],
      ['a misspelled schema tag', 'trigger.ts', '@maxItems 256', '@maxitems 256', /^Trigger\.spec\.commands\.trust\.users: .*@maxitems/],
      ['@preserveUnknownFields on a property, where it is not applied', 'pipeline.ts', '/** When the job runs; by default when every job it needs succeeded. */', '/**\n   * When the job runs; by default when every job it needs succeeded.\n   * @preserveUnknownFields\n   */', /^Pipeline\.spec\.jobs\[\]\.when: .*@preserveUnknownFields/],
      ['a tuple', 'pipeline.ts', 'needs?: string[];', 'needs?: [string, string];', /^Pipeline\.spec\.jobs\[\]\.needs: unsupported type \[string, string\]$/],
      ['a map with number keys', 'run.ts', 'results?: Record<string, string>;', 'results?: Record<number, string>;', /Record/],
      ['any', 'trigger.ts', 'branch?: string;', 'branch?: any;', /^Trigger\.spec\.schedule\.branch: unsupported type any$/],
    ];

    it.each(cases)('%s', (_name, file, from, to, message) => {
      const dir = apiCopy(file, from, to);
      let error: unknown;
      try {
        generateCrds(dir);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CrdGenerationError);
      expect((error as Error).message).toMatch(message);
    });
  });
});
