// JSON Schema validators for the SBOMs the recipes write, built from the formats' own schemas.
//
// CycloneDX 1.6: from the CycloneDX project's JavaScript library (npm
// @cyclonedx/cyclonedx-library, res/schema/), its offline copy of the official schema with the
// `$ref`s to the SPDX license list and JSF pointed at the bundled copies (res/schema/README.md).
//
// SPDX 2.3: no npm package carries the SPDX document schema, so it comes from the syft module
// (the syft this repository pins, v1.33.0), which vendors the SPDX project's
// schemas/spdx-schema.json for its own tests: read from the Go module cache, downloaded into it
// from the Go module proxy when missing, and pinned here by sha256.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import formatsModule, { type FormatsPlugin } from 'ajv-formats';

const require = createRequire(import.meta.url);
// ajv-formats is CommonJS: Node hands over module.exports (the plugin, with itself as .default).
const addFormats = ((formatsModule as { default?: FormatsPlugin }).default ?? formatsModule) as FormatsPlugin;

const SYFT_MODULE = 'github.com/anchore/syft@v1.33.0';
const SPDX_SCHEMA_SHA256 = 'c2e139546ef93597d3b1214d1d452369d0b536af6c6d6500dbd25c582034aa7c';

function ajv(): Ajv {
  // The official schemas use keywords Ajv's strict mode does not know (e.g. `meta:enum`).
  const a = new Ajv({ strict: false, allErrors: true });
  addFormats(a);
  // Formats CycloneDX uses that ajv-formats does not define.
  a.addFormat('iri-reference', /^\S+$/);
  a.addFormat('idn-email', /^[^\s@]+@[^\s@]+$/);
  return a;
}

export function spdxValidator(): ValidateFunction {
  const schemaPath = path.join(syftModuleDir(), 'schema', 'spdx-json', 'spdx-schema-2.3.json');
  const text = readFileSync(schemaPath);
  const sum = createHash('sha256').update(text).digest('hex');
  if (sum !== SPDX_SCHEMA_SHA256) throw new Error(`${schemaPath} has sha256 ${sum}, not the pinned ${SPDX_SCHEMA_SHA256}`);
  return ajv().compile(JSON.parse(text.toString('utf8')) as object);
}

export function cyclonedxValidator(version = '1.6'): ValidateFunction {
  const dir = path.join(path.dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')), 'res', 'schema');
  const load = (file: string) => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { $id?: string };
  const a = ajv();
  // The BOM schema refers to these by file name, relative to its own $id.
  for (const file of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json']) {
    const { $id: _id, ...schema } = load(file);
    a.addSchema(schema, `http://cyclonedx.org/schema/${file}`);
  }
  return a.compile(load(`bom-${version}.SNAPSHOT.schema.json`));
}

function syftModuleDir(): string {
  const cache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  const dir = path.join(cache, SYFT_MODULE.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`));
  if (existsSync(dir)) return dir;
  const info = JSON.parse(execFileSync('go', ['mod', 'download', '-json', SYFT_MODULE], { encoding: 'utf8', env: { ...process.env, GOFLAGS: '-mod=mod' } })) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`go mod download ${SYFT_MODULE}: ${info.Error ?? 'no directory'}`);
  return info.Dir;
}
