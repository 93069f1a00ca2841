// Test doubles for where feedback goes: a recording HTTP server on loopback that answers like
// GitHub, GitLab, Slack or a Matrix homeserver would (or with the status a test asks for), and
// checks of each commit-status request against what the providers publish — GitHub's REST
// description from @octokit/openapi (api.github.com and the latest GitHub Enterprise Server),
// GitLab's documented commit status API.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import { afterEach } from 'vitest';

export interface Recorded {
  readonly seq: number;
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
  readonly status: number;
}

export interface Forge {
  readonly url: string;
  readonly requests: Recorded[];
  /** Answers the next requests with this status instead (a function of the request). */
  answer(fn: (r: Omit<Recorded, 'status' | 'seq'>) => number | undefined): void;
  close(): Promise<void>;
}

const open: Forge[] = [];
afterEach(async () => {
  for (const f of open.splice(0)) await f.close();
});

let seq = 0;

/** A loopback HTTP server that records every request (body parsed as JSON when it is). */
export async function fakeForge(): Promise<Forge> {
  const requests: Recorded[] = [];
  let answer: (r: Omit<Recorded, 'status' | 'seq'>) => number | undefined = () => undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // Recorded as text.
      }
      const r = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
      const status = answer(r) ?? (req.method === 'PUT' ? 200 : 201);
      requests.push({ ...r, status, seq: seq++ });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status >= 400 ? JSON.stringify({ message: 'Validation Failed', errors: [{ resource: 'Status', code: 'custom', message: 'refused by the test' }] }) : JSON.stringify({ id: requests.length }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const forge: Forge = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    answer(fn) {
      answer = fn;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  open.push(forge);
  return forge;
}

const require = createRequire(import.meta.url);
const GITHUB_PATH = '/repos/{owner}/{repo}/statuses/{sha}';

interface Operation {
  readonly parameters: { $ref?: string; name?: string; in?: string; required?: boolean }[];
  readonly requestBody: { required: boolean; content: Record<string, { schema: object }> };
}

/** One published GitHub REST description: the operation that creates a commit status. */
function githubOperation(file: string): { version: string; op: Operation; params: string[] } {
  const spec = JSON.parse(readFileSync(require.resolve(`@octokit/openapi/generated/${file}`), 'utf8')) as {
    info: { version: string };
    paths: Record<string, Record<string, Operation>>;
    components: { parameters: Record<string, { name: string; in: string }> };
  };
  const op = spec.paths[GITHUB_PATH]?.post;
  if (!op) throw new Error(`${file} has no POST ${GITHUB_PATH}`);
  const params = op.parameters.map((p) => (p.$ref ? spec.components.parameters[p.$ref.split('/').pop()!]!.name : p.name!));
  return { version: spec.info.version, op, params };
}

export interface Checked {
  readonly valid: number;
  readonly errors: string[];
}

/** Validates GitHub commit-status requests made under `base` (e.g. `/api/v3`). */
export function githubChecker(): { readonly version: string; readonly descriptions: string[]; check(r: Recorded, base: string): string[] } {
  const pkg = require('@octokit/openapi/package.json') as { version: string };
  const ajv = new Ajv({ strict: false, allErrors: true });
  const ops = ['api.github.com.json', 'ghes-3.19.json'].map((file) => {
    const { op, params } = githubOperation(file);
    if (params.join(',') !== 'owner,repo,sha') throw new Error(`${file}: unexpected path parameters ${params.join(',')}`);
    return { file, validate: ajv.compile(op.requestBody.content['application/json']!.schema) as ValidateFunction };
  });
  const template = new RegExp(`^${GITHUB_PATH.replace(/\{[a-z]+\}/g, '([^/?#]+)')}$`);
  return {
    version: pkg.version,
    descriptions: ops.map((o) => o.file),
    check(r, base) {
      const errors: string[] = [];
      if (r.method !== 'POST') errors.push(`method ${r.method}`);
      if (!r.path.startsWith(`${base}/`)) errors.push(`path ${r.path} is not under ${base}`);
      const m = template.exec(r.path.slice(base.length));
      if (!m) errors.push(`path ${r.path} does not match ${GITHUB_PATH}`);
      else if (m.slice(1).some((p) => decodeURIComponent(p) === '' || decodeURIComponent(p).includes('/'))) errors.push(`path parameters of ${r.path}`);
      if (!String(r.headers['content-type']).startsWith('application/json')) errors.push(`content-type ${r.headers['content-type']}`);
      for (const o of ops) if (!o.validate(r.body)) errors.push(`${o.file}: ${ajv.errorsText(o.validate.errors)}`);
      return errors;
    },
  };
}

/**
 * GitLab's "Set the pipeline status of a commit" (POST /projects/:id/statuses/:sha), as its API
 * documentation (doc/api/commits.md) lists the attributes: state one of pending, running,
 * success, failed, canceled, skipped; ref, target_url and description at most 255 characters;
 * `name` or `context`; coverage; pipeline_id.
 */
export const GITLAB_STATUS_SCHEMA = {
  type: 'object',
  required: ['state'],
  additionalProperties: false,
  properties: {
    state: { enum: ['pending', 'running', 'success', 'failed', 'canceled', 'skipped'] },
    ref: { type: 'string', maxLength: 255 },
    name: { type: 'string' },
    context: { type: 'string' },
    target_url: { type: 'string', maxLength: 255 },
    description: { type: 'string', maxLength: 255 },
    coverage: { type: 'number' },
    pipeline_id: { type: 'integer' },
  },
} as const;

export function gitlabChecker(): { check(r: Recorded, base: string, project: string): string[] } {
  const ajv = new Ajv({ strict: true, allErrors: true });
  const validate = ajv.compile(GITLAB_STATUS_SCHEMA);
  return {
    check(r, base, project) {
      const errors: string[] = [];
      if (r.method !== 'POST') errors.push(`method ${r.method}`);
      const m = /^\/projects\/([^/?#]+)\/statuses\/([0-9a-f]{7,64})$/.exec(r.path.startsWith(`${base}/`) ? r.path.slice(base.length) : '');
      if (!m) errors.push(`path ${r.path} does not match ${base}/projects/:id/statuses/:sha`);
      // The project is its URL-encoded path: one segment, slashes as %2F.
      else if (decodeURIComponent(m[1]!) !== project) errors.push(`project ${m[1]} is not ${project} URL-encoded`);
      if (!String(r.headers['content-type']).startsWith('application/json')) errors.push(`content-type ${r.headers['content-type']}`);
      if (!validate(r.body)) errors.push(ajv.errorsText(validate.errors));
      return errors;
    },
  };
}

/** The statuses of each context in the order they arrived: `[state, description]`. */
export function byContext(requests: readonly Recorded[], field: 'context' | 'name'): Map<string, { state: string; description: string; target_url?: string }[]> {
  const out = new Map<string, { state: string; description: string; target_url?: string }[]>();
  for (const r of [...requests].sort((a, b) => a.seq - b.seq)) {
    const body = r.body as Record<string, string>;
    const list = out.get(body[field]!) ?? [];
    list.push({ state: body.state!, description: body.description!, target_url: body.target_url });
    out.set(body[field]!, list);
  }
  return out;
}
