// A time-boxed fuzz of validly signed deliveries: real payloads (octokit examples, GitLab's
// documented ones, a generic body) mutated by fast-check — values of other types, deleted keys,
// `__proto__`, `constructor` and `prototype` keys, huge strings, deep nesting, thousands of
// changed files, other event names, non-object roots. The endpoint never answers 5xx and never
// crashes, nothing pollutes Object.prototype, a delivery the mapping ignores makes no Run, and
// every Run made is valid (validateRun) with metadata inside the Run schema's caps.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateRun } from '../../src/api/index.ts';
import { DEFAULT_MAX_BYTES } from '../../src/controller/hooks/route.ts';
import { genericDelivery } from '../../src/webhook/generic.ts';
import { githubDelivery } from '../../src/webhook/github.ts';
import { gitlabDelivery } from '../../src/webhook/gitlab.ts';
import { genericHeaders, githubHeaders, gitlabHeaders, hookEnv, managerOf, NS, octokitExamples, post, SECRET, triggerObject } from './helpers.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Provider = 'github' | 'gitlab' | 'generic';

const NUM_RUNS = Number(process.env.KAYCI_FUZZ_RUNS ?? 400);
const TIME_LIMIT_MS = Number(process.env.KAYCI_FUZZ_MS ?? 10_000);
/** To replay a failure: the seed fast-check printed. */
const SEED = process.env.KAYCI_FUZZ_SEED === undefined ? undefined : Number(process.env.KAYCI_FUZZ_SEED);

interface Seed {
  readonly provider: Provider;
  readonly event: string;
  readonly payload: unknown;
}

function seeds(): Seed[] {
  const out: Seed[] = [];
  const examples = octokitExamples();
  // Every example of the events kayci maps, and one of each other event.
  const seen = new Set<string>();
  for (const ex of examples) {
    if (['push', 'pull_request', 'issue_comment'].includes(ex.event) || !seen.has(ex.event)) out.push({ provider: 'github', event: ex.event, payload: ex.payload });
    seen.add(ex.event);
  }
  // A comment on a pull request with a command, which the examples do not have.
  const ic = structuredClone(examples.find((ex) => ex.event === 'issue_comment' && ex.payload.action === 'created')!.payload) as Json;
  ic.issue.number = 2;
  ic.issue.pull_request = { url: 'https://api.github.com/repos/Codertocat/Hello-World/pulls/2' };
  ic.comment.body = '/test build\n/retest\n/cancel\n/ok-to-test';
  out.push({ provider: 'github', event: 'issue_comment', payload: ic });
  const gitlab = (name: string) => JSON.parse(readFileSync(new URL(`fixtures/gitlab/${name}.json`, import.meta.url), 'utf8')) as unknown;
  out.push({ provider: 'gitlab', event: 'Push Hook', payload: gitlab('push') });
  out.push({ provider: 'gitlab', event: 'Tag Push Hook', payload: gitlab('tag-push') });
  out.push({ provider: 'gitlab', event: 'Merge Request Hook', payload: gitlab('merge-request') });
  const note = gitlab('note-merge-request') as Json;
  note.object_attributes.note = '/test build';
  out.push({ provider: 'gitlab', event: 'Note Hook', payload: note });
  out.push({ provider: 'generic', event: '', payload: { ref: 'refs/heads/main', sha: 'c'.repeat(40), repo: 'acme/svc', repoUrl: 'https://git.example.com/acme/svc.git', actor: 'ci', jobs: ['build'] } });
  return out;
}

/** Paths the mappings read: mutations aim at them most of the time. */
const HOT: string[][] = [
  ['ref'], ['after'], ['deleted'], ['commits'], ['commits', '0', 'added'], ['commits', '0', 'modified'], ['repository', 'full_name'], ['repository', 'clone_url'], ['sender', 'login'],
  ['action'], ['number'], ['pull_request', 'number'], ['pull_request', 'head', 'sha'], ['pull_request', 'head', 'ref'], ['pull_request', 'head', 'repo'], ['pull_request', 'head', 'repo', 'full_name'],
  ['pull_request', 'base', 'ref'], ['pull_request', 'base', 'repo', 'full_name'], ['pull_request', 'author_association'], ['pull_request', 'user', 'login'],
  ['issue', 'number'], ['issue', 'pull_request'], ['comment', 'body'], ['comment', 'author_association'], ['comment', 'user', 'login'],
  ['checkout_sha'], ['total_commits_count'], ['user_username'], ['project', 'git_http_url'], ['project', 'path_with_namespace'],
  ['object_attributes', 'action'], ['object_attributes', 'iid'], ['object_attributes', 'last_commit', 'id'], ['object_attributes', 'oldrev'], ['object_attributes', 'source_project_id'],
  ['object_attributes', 'target_project_id'], ['object_attributes', 'author_id'], ['object_attributes', 'note'], ['object_attributes', 'noteable_type'], ['object_attributes', 'source_branch'],
  ['object_attributes', 'target_branch'], ['merge_request', 'iid'], ['user', 'id'], ['user', 'username'],
  ['sha'], ['branch'], ['tag'], ['repo'], ['repoUrl'], ['actor'], ['params'], ['jobs'], ['event'],
];

/** Every path of a JSON value (objects and arrays), to aim at anything. */
function allPaths(v: unknown, at: string[] = [], out: string[][] = []): string[][] {
  if (typeof v === 'object' && v !== null) {
    for (const k of Object.keys(v)) {
      out.push([...at, k]);
      if (out.length < 5000) allPaths((v as Json)[k], [...at, k], out);
    }
  }
  return out;
}

const DEEP = '\u0001deep:';

type Mutation =
  | { kind: 'set'; hot: boolean; at: number; value: unknown }
  | { kind: 'delete'; hot: boolean; at: number }
  | { kind: 'poison'; hot: boolean; at: number; key: '__proto__' | 'constructor' | 'prototype'; value: unknown }
  | { kind: 'huge'; hot: boolean; at: number; size: number; unit: string }
  | { kind: 'deep'; hot: boolean; at: number; depth: number; open: '[' | '{"a":' }
  | { kind: 'files'; count: number; length: number }
  | { kind: 'event'; event: string }
  | { kind: 'root'; value: unknown };

const pollution = fc.constantFrom<unknown>({ polluted: 'yes' }, { prototype: { polluted: 'yes' } }, { constructor: { prototype: { polluted: 'yes' } } }, 'polluted', [{ polluted: 1 }]);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('set' as const), hot: fc.boolean(), at: fc.nat(), value: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom<unknown>('', '0', '-1', '1e21', 'refs/heads/', 'refs/tags/x', 'a'.repeat(40), 'A'.repeat(40), '../../etc/passwd', 'https://attacker.example/x', '\u0000', 'main\nKAYCI_X=1', 12345678901234, -1, 1.5, 1e21, NaN, true, null, [], {})) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), hot: fc.boolean(), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('poison' as const), hot: fc.boolean(), at: fc.nat(), key: fc.constantFrom('__proto__' as const, 'constructor' as const, 'prototype' as const), value: pollution }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('huge' as const), hot: fc.constant(true), at: fc.nat(), size: fc.integer({ min: 300, max: 3_000_000 }), unit: fc.constantFrom('a', '0', '/', 'é', '😀', '\u0000', ' ') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deep' as const), hot: fc.boolean(), at: fc.nat(), depth: fc.integer({ min: 50, max: 100_000 }), open: fc.constantFrom('[' as const, '{"a":' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('files' as const), count: fc.integer({ min: 1, max: 5000 }), length: fc.integer({ min: 1, max: 1500 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('event' as const), event: fc.constantFrom('push', 'pull_request', 'issue_comment', 'ping', 'create', 'Push Hook', 'Tag Push Hook', 'Merge Request Hook', 'Note Hook', '', '__proto__', 'constructor') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('root' as const), value: fc.constantFrom<unknown>(null, 0, 'push', [], [{}], true) }) },
);

/** Applies the mutations to a copy of the payload; answers the body text and the event header. */
function mutate(seed: Seed, mutations: Mutation[]): { text: string; event: string } {
  let payload = structuredClone(seed.payload);
  let event = seed.event;
  const deep: string[] = [];
  for (const m of mutations) {
    if (m.kind === 'event') {
      event = m.event;
      continue;
    }
    if (m.kind === 'root') {
      payload = m.value;
      continue;
    }
    if (typeof payload !== 'object' || payload === null) continue;
    if (m.kind === 'files') {
      (payload as Json).commits = [{ id: 'f'.repeat(40), added: Array.from({ length: m.count }, (_, i) => `${i}/`.padEnd(m.length, 'x')), modified: [], removed: [] }];
      continue;
    }
    const paths = m.hot ? HOT : allPaths(payload);
    const path = paths[m.at % Math.max(1, paths.length)];
    if (!path) continue;
    // The container the last key lives in, created along the way when missing.
    let at: Json = payload as Json;
    for (const key of path.slice(0, -1)) {
      if (typeof at[key] !== 'object' || at[key] === null) at[key] = {};
      at = at[key] as Json;
    }
    const key = path[path.length - 1]!;
    // Own properties, whatever the key (`__proto__` too), holding copies (the arbitraries share constants).
    const put = (k: string, v: unknown) => Object.defineProperty(at, k, { value: structuredClone(v), enumerable: true, configurable: true, writable: true });
    if (m.kind === 'set') put(key, m.value);
    else if (m.kind === 'delete') delete at[key];
    else if (m.kind === 'poison') {
      put(m.key, m.value);
      if (typeof at[key] === 'object' && at[key] !== null) Object.defineProperty(at[key], m.key, { value: structuredClone(m.value), enumerable: true, configurable: true, writable: true });
    } else if (m.kind === 'huge') put(key, m.unit.repeat(Math.ceil(m.size / m.unit.length)));
    else if (m.kind === 'deep') {
      deep.push(`${m.open.repeat(m.depth)}1${(m.open === '[' ? ']' : '}').repeat(m.depth)}`);
      put(key, `${DEEP}${deep.length - 1}`);
    }
  }
  let text = JSON.stringify(payload) ?? 'null';
  deep.forEach((nested, i) => (text = text.replace(JSON.stringify(`${DEEP}${i}`), nested)));
  return { text, event };
}

function mapped(provider: Provider, event: string, text: string): string {
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    return 'unparsable';
  }
  if (provider === 'github') return githubDelivery(event, payload).kind;
  if (provider === 'gitlab') return gitlabDelivery(event, payload).kind;
  return genericDelivery(payload).kind;
}

const CAPS: Record<string, number> = { trigger: 253, event: 64, repoUrl: 2048, repo: 512, ref: 1024, branch: 1024, tag: 1024, prBaseRef: 1024, actor: 256 };

/** Why a Run's metadata is outside the Run schema, if it is. */
function metadataProblems(metadata: Json | undefined): string[] {
  const problems: string[] = [];
  for (const [k, v] of Object.entries(metadata ?? {})) {
    if (k === 'changedFiles') {
      if (!Array.isArray(v) || v.length > 3000 || v.some((f) => typeof f !== 'string')) problems.push('changedFiles');
    } else if (typeof v !== 'string' || v === '') problems.push(`${k}: not a non-empty string`);
    else if (k === 'commitSha' && !/^[0-9a-f]{7,64}$/.test(v)) problems.push(`commitSha ${v.slice(0, 80)}`);
    else if (k === 'prNumber' && !/^[0-9]{1,12}$/.test(v)) problems.push(`prNumber ${v.slice(0, 80)}`);
    else if (k === 'provider' && !['github', 'gitlab', 'generic'].includes(v)) problems.push(`provider ${v}`);
    else if (CAPS[k] !== undefined && [...v].length > CAPS[k]!) problems.push(`${k}: ${[...v].length} characters`);
    else if (/[\u0000-\u001f\u007f]/.test(v)) problems.push(`${k}: control characters`);
  }
  return problems;
}

describe('fuzzed, validly signed deliveries', () => {
  it(`${NUM_RUNS} mutated payloads (or ${TIME_LIMIT_MS / 1000} s): no 5xx, no crash, no pollution, no Run from an ignored payload, every Run valid`, async () => {
    const secretRefs = [{ name: 'hook-secret', key: 'token' }];
    const env = await hookEnv({ webhook: { provider: 'github', secretRefs } });
    env.server.store.create(triggerObject('gl', { webhook: { provider: 'gitlab', secretRefs } }));
    env.server.store.create(triggerObject('plain', { webhook: { provider: 'generic', secretRefs } }));
    const m = managerOf(env);
    await env.server.waitFor(() => m.context.triggers.get(NS, 'gl') && m.context.triggers.get(NS, 'plain'), 5000, 'triggers cached');
    // A run of pull request #2 and of the GitLab merge request, for the commands to act on.
    const all = seeds();
    for (const s of all.filter((x) => (x.event === 'pull_request' && (x.payload as Json).action === 'opened') || x.event === 'Merge Request Hook').slice(0, 2)) {
      const body = JSON.stringify(s.payload);
      const res = s.provider === 'github' ? await post(env.url(), body, githubHeaders(s.event, body)) : await post(env.url('gl'), body, gitlabHeaders(s.event));
      expect(res.status).toBe(201);
    }

    // Mostly payloads that make Runs or commands, so that mutations reach the code that does.
    const runs0 = all.filter((x) => mapped(x.provider, x.event, JSON.stringify(x.payload)) !== 'ignore');
    const seedArb = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...runs0) }, { weight: 1, arbitrary: fc.constantFrom(...all) });
    const protoBefore = Object.getOwnPropertyNames(Object.prototype).map((k) => [k, Object.getOwnPropertyDescriptor(Object.prototype, k)!.value] as const);
    const counts = { sent: 0, created: 0, started: 0, met: 0, ignored: 0, commands: 0, refused: 0, fivexx: 0 };
    const statuses = new Map<number, number>();
    const byExpectation = new Map<string, number>();
    const runsBefore = env.runs().length;
    const made = new Set<string>();
    const createdFromIgnored: string[] = [];
    let n = 0;
    let last: Promise<unknown> = Promise.resolve();

    await fc.assert(
      fc.asyncProperty(seedArb, fc.array(mutation, { minLength: 1, maxLength: 4 }), (seed, mutations) => {
        // The time limit may leave the last delivery running: it is awaited before counting.
        const done = deliver(seed, mutations);
        last = done.catch(() => undefined);
        return done;
      }),
      { numRuns: NUM_RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false, endOnFailure: true, ...(SEED !== undefined ? { seed: SEED } : {}) },
    );
    await last;

    async function deliver(seed: Seed, mutations: Mutation[]): Promise<void> {
      const { text, event } = mutate(seed, mutations);
      const id = `fuzz-${n++}`;
      const want = Buffer.byteLength(text) > DEFAULT_MAX_BYTES[seed.provider] ? 'oversize' : mapped(seed.provider, event, text);
      byExpectation.set(want, (byExpectation.get(want) ?? 0) + 1);
      const url = seed.provider === 'github' ? env.url() : seed.provider === 'gitlab' ? env.url('gl') : env.url('plain');
      const headers = seed.provider === 'github' ? githubHeaders(event, text, SECRET, id) : seed.provider === 'gitlab' ? gitlabHeaders(event, SECRET, id) : genericHeaders(text, SECRET, id);
      const res = await post(url, text, headers);
      counts.sent++;
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 500) counts.fivexx++;
      expect(res.status, `${seed.provider} ${event} ${JSON.stringify(mutations).slice(0, 500)} → ${JSON.stringify(res.body).slice(0, 500)}`).toBeLessThan(500);
      if (res.status === 201) {
        counts.created++;
        made.add(res.body.run as string);
      } else if (res.status === 200 && 'run' in res.body) counts.met++;
      else if (res.status === 200) {
        counts.commands++;
        for (const a of res.body.actions as string[]) {
          const started = /^\/(?:test|retest): started (\S+)/.exec(a);
          if (started) {
            counts.started++;
            made.add(started[1]!);
          }
        }
      } else if (res.status === 202) counts.ignored++;
      else counts.refused++;
      if (want !== 'build' && want !== 'comment' && 'run' in res.body) createdFromIgnored.push(`${seed.provider} ${event}: ${JSON.stringify(mutations).slice(0, 300)}`);
      if (want === 'ignore') expect(res.status).toBe(202);
      if (want === 'unparsable') expect(res.status).toBe(400);
      if (want === 'oversize') expect(res.status).toBe(413);
    }

    expect(createdFromIgnored).toEqual([]);
    // No prototype was touched, and a fresh object has nothing it should not.
    expect(({} as Json).polluted).toBeUndefined();
    expect(([] as unknown as Json).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).map((k) => [k, Object.getOwnPropertyDescriptor(Object.prototype, k)!.value] as const)).toEqual(protoBefore);
    // Every Run made is one the API accepts, with metadata inside the schema, and a commit to build.
    const runs = env.runs() as Json[];
    const invalid: string[] = [];
    for (const run of runs) {
      const errors = validateRun(run);
      const problems = metadataProblems(run.spec.metadata);
      if (errors.length > 0 || problems.length > 0) invalid.push(`${run.metadata.name}: ${[...errors.map((e) => `${e.path}: ${e.message}`), ...problems].join('; ').slice(0, 500)}`);
      if (run.spec.metadata.provider !== 'generic' && !run.spec.metadata.commitSha) invalid.push(`${run.metadata.name}: no commit to build`);
    }
    expect(invalid).toEqual([]);
    const unexplained = runs.filter((r) => !made.has(r.metadata.name)).map((r) => `${r.metadata.name} ${r.metadata.annotations['kayci.dev/delivery']}`);
    expect(unexplained).toHaveLength(runsBefore);
    expect(runs.length - runsBefore).toBe(counts.created + counts.started);
    // Still serving: a plain valid delivery after the storm.
    const body = JSON.stringify({ ref: 'refs/heads/main', after: 'b'.repeat(40), repository: { full_name: 'acme/svc' } });
    expect((await post(env.url(), body, githubHeaders('push', body))).status).toBe(201);
    console.log(`[webhook] fuzz: ${counts.sent} mutated, signed deliveries (${[...byExpectation].map(([k, v]) => `${v} ${k}`).join(', ')}): ${counts.created} Runs created, ${counts.commands} commands answered (${counts.started} Runs started), ${counts.ignored} ignored with a reason, ${counts.refused} refused (4xx: ${[...statuses].filter(([s]) => s >= 400 && s < 500).map(([s, c]) => `${c}×${s}`).join(' ') || 'none'}), ${counts.fivexx} 5xx, 0 Runs from ignored payloads, ${runs.length} Runs all valid, Object.prototype unchanged`);
  });
});
