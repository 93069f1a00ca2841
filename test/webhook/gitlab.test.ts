// GitLab deliveries exactly as GitLab documents them (fixtures/gitlab, from the "Webhook events"
// page): Push Hook, Tag Push Hook, Merge Request Hook and Note Hook on a merge request, verified
// by the secret token (X-Gitlab-Token) or the signing token (Standard Webhooks headers, `whsec_`
// secret), and mapped field by field. Access levels are looked up at the Trigger's API URL with
// its token, never at a URL from the payload.
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { OutgoingRequest } from '../../src/feedback/http.ts';
import { gitlabHeaders, hookEnv, managerOf, NS, post, runCreates, SECRET, secretObject } from './helpers.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function fixture(name: string): string {
  return readFileSync(new URL(`fixtures/gitlab/${name}.json`, import.meta.url), 'utf8');
}

const SIGNING_KEY = randomBytes(32);
const WHSEC = `whsec_${SIGNING_KEY.toString('base64')}`;
const API = 'https://gitlab.example.com/api/v4';

/** A GitLab Trigger verified by the secret token or the signing token, with a feedback token for access lookups. */
const trigger = {
  webhook: { provider: 'gitlab' as const, secretRefs: [{ name: 'hook-secret', key: 'token' }, { name: 'hook-signing', key: 'key' }] },
  feedback: { apiUrl: API, tokenSecretRef: { name: 'gitlab-api', key: 'token' } },
};

/** GitLab's member API as the test's GitLab answers it: user id → access level. */
function gitlabApi(levels: Record<string, number>) {
  const requests: OutgoingRequest[] = [];
  const send = async (r: OutgoingRequest) => {
    requests.push(r);
    const m = /\/members\/all\/(\d+)$/.exec(new URL(r.url).pathname);
    if (r.method === 'GET' && m) {
      const level = levels[m[1]!];
      return level === undefined ? { status: 404, body: '{"message":"404 Not found"}' } : { status: 200, body: JSON.stringify({ id: Number(m[1]), access_level: level }) };
    }
    return { status: 201, body: '{}' };
  };
  return { send, requests };
}

async function gitlabEnv(levels: Record<string, number> = {}) {
  const api = gitlabApi(levels);
  const env = await hookEnv(trigger, { send: api.send });
  env.server.store.create(secretObject('hook-signing', { key: WHSEC }));
  env.server.store.create(secretObject('gitlab-api', { token: 'glpat-test' }));
  return { env, api };
}

function signed(body: string, id: string, timestamp: number, key: Buffer = SIGNING_KEY): Record<string, string> {
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${signature}`, 'idempotency-key': id };
}

describe('GitLab: documented payloads', () => {
  it('Push Hook, Tag Push Hook, Merge Request Hook: one Run each with the documented fields', async () => {
    const { env } = await gitlabEnv();
    const runOf = async (event: string, body: string) => {
      const res = await post(env.url(), body, gitlabHeaders(event));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return env.server.store.get('runs', NS, res.body.run as string) as Json;
    };

    const push = await runOf('Push Hook', fixture('push'));
    // The payload lists 2 of the push's 4 commits (total_commits_count): its changed files are
    // not all known, so none are recorded and path filters cannot wrongly skip the push.
    expect(push.spec.metadata).toEqual({ trigger: 'hook', provider: 'gitlab', event: 'push', ref: 'refs/heads/master', branch: 'master', commitSha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7', repo: 'mike/diaspora', repoUrl: 'http://example.com/mike/diaspora.git', actor: 'jsmith' });

    const tag = await runOf('Tag Push Hook', fixture('tag-push'));
    expect(tag.spec.metadata).toEqual({ trigger: 'hook', provider: 'gitlab', event: 'tag', ref: 'refs/tags/v1.0.0', tag: 'v1.0.0', commitSha: '82b3d5ae55f7080f1e6022629cdb57bfae7cccc7', repo: 'jsmith/example', repoUrl: 'http://example.com/jsmith/example.git' });

    const mr = await runOf('Merge Request Hook', fixture('merge-request'));
    expect(mr.spec.metadata).toEqual({ trigger: 'hook', provider: 'gitlab', event: 'pull_request', ref: 'refs/merge-requests/1/head', branch: 'ms-viewport', commitSha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7', prNumber: '1', prBaseRef: 'master', repo: 'gitlabhq/gitlab-test', repoUrl: 'http://example.com/gitlabhq/gitlab-test.git', actor: 'root' });
    expect(mr.spec.hold).not.toBe(true);
    expect(mr.metadata.labels['kayci.dev/pull-request']).toBe('1');

    // A complete push (every commit listed) records its changed files, for path filters.
    const complete = JSON.parse(fixture('push')) as Json;
    complete.total_commits_count = complete.commits.length;
    const full = await runOf('Push Hook', JSON.stringify(complete));
    expect(full.spec.metadata.changedFiles).toEqual(['CHANGELOG', 'app/controller/application.rb']);
    expect(env.runs()).toHaveLength(4);
    console.log('[webhook] GitLab documented payloads: Push Hook, Tag Push Hook, Merge Request Hook → 3 Runs with the documented fields (+1 complete push with its changed files)');
  });

  it('merge request actions that do not change the code, a deleted branch and other events are ignored with a reason', async () => {
    const { env } = await gitlabEnv();
    const mr = JSON.parse(fixture('merge-request')) as Json;
    const variants: [string, string][] = [];
    for (const action of ['close', 'merge', 'approved', 'update']) variants.push(['Merge Request Hook', JSON.stringify({ ...mr, object_attributes: { ...mr.object_attributes, action } })]);
    const deleted = JSON.parse(fixture('push')) as Json;
    Object.assign(deleted, { after: '0000000000000000000000000000000000000000', checkout_sha: null, commits: [], total_commits_count: 0 });
    variants.push(['Push Hook', JSON.stringify(deleted)]);
    variants.push(['Note Hook', fixture('note-merge-request')]); // "This MR needs work.": no command
    variants.push(['Issue Hook', JSON.stringify({ object_kind: 'issue', object_attributes: { action: 'open', iid: 23 } })]);
    variants.push(['Pipeline Hook', JSON.stringify({ object_kind: 'pipeline' })]);
    for (const [event, body] of variants) {
      const res = await post(env.url(), body, gitlabHeaders(event));
      expect(res.status, `${event}: ${JSON.stringify(res.body)}`).toBe(202);
      expect(res.body.ignored).toEqual(expect.any(String));
    }
    // An update that brings new commits (oldrev) runs.
    const pushed = { ...mr, object_attributes: { ...mr.object_attributes, action: 'update', oldrev: '95790bf891e76fee5e1747ab589903a6a1f80f22' } };
    expect((await post(env.url(), JSON.stringify(pushed), gitlabHeaders('Merge Request Hook'))).status).toBe(201);
    expect(env.runs()).toHaveLength(1);
    console.log(`[webhook] GitLab: ${variants.length} deliveries ignored with a reason, 1 update with new commits → 1 Run`);
  });

  it('X-Gitlab-Token: the right token is accepted; a wrong, empty or missing one is 401', async () => {
    const { env } = await gitlabEnv();
    const body = fixture('push');
    const cases: [string, Record<string, string>, number][] = [
      ['wrong token', gitlabHeaders('Push Hook', `${SECRET}x`), 401],
      ['prefix of the token', gitlabHeaders('Push Hook', SECRET.slice(0, -1)), 401],
      ['empty token', gitlabHeaders('Push Hook', ''), 401],
      ['no token', (({ 'x-gitlab-token': _, ...h }) => h)(gitlabHeaders('Push Hook')), 401],
      ['the right token', gitlabHeaders('Push Hook'), 201],
    ];
    for (const [what, headers, status] of cases) expect((await post(env.url(), body, headers)).status, what).toBe(status);
    expect(env.runs()).toHaveLength(1);
    console.log(`[webhook] GitLab X-Gitlab-Token: ${cases.length} cases, 4 × 401 and 1 × 201`);
  });

  it('signing token (webhook-signature): right → accepted; wrong key, tampered body, other id, expired or future timestamp → 401', async () => {
    const { env } = await gitlabEnv();
    const body = fixture('tag-push');
    const now = Math.floor(Date.now() / 1000);
    const noToken = (h: Record<string, string>) => ({ 'x-gitlab-event': 'Tag Push Hook', ...h });
    const cases: [string, Record<string, string>, string, number][] = [
      ['wrong key', noToken(signed(body, 'msg-1', now, randomBytes(32))), body, 401],
      ['tampered body', noToken(signed(body, 'msg-2', now)), body.replace('v1.0.0', 'v1.0.1'), 401],
      ['signature for another webhook-id', noToken({ ...signed(body, 'msg-3', now), 'webhook-id': 'msg-4', 'idempotency-key': 'msg-4' }), body, 401],
      ['expired (10 minutes old)', noToken(signed(body, 'msg-5', now - 600)), body, 401],
      ['from the future (10 minutes)', noToken(signed(body, 'msg-6', now + 600)), body, 401],
      ['no timestamp', noToken((({ 'webhook-timestamp': _, ...h }) => h)(signed(body, 'msg-7', now))), body, 401],
      // A wrong signature is not rescued by a right secret token: the sender said it signs.
      ['wrong signature, right X-Gitlab-Token', { ...gitlabHeaders('Tag Push Hook'), ...signed(body, 'msg-8', now, randomBytes(32)) }, body, 401],
      ['right signature', noToken(signed(body, 'msg-9', now)), body, 201],
      ['right signature among several', noToken({ ...signed(body, 'msg-10', now), 'webhook-signature': `v1,${randomBytes(32).toString('base64')} ${signed(body, 'msg-10', now)['webhook-signature']}` }), body, 201],
    ];
    for (const [what, headers, sent, status] of cases) expect((await post(env.url(), sent, headers)).status, what).toBe(status);
    // webhook-id is the delivery (the Idempotency-Key): each accepted one made its own Run.
    const runs = env.runs() as Json[];
    expect(runs.map((r) => r.metadata.annotations['kayci.dev/delivery']).sort()).toEqual(['msg-10', 'msg-9']);
    expect(runs[0]!.spec.metadata.tag).toBe('v1.0.0');
    console.log(`[webhook] GitLab signing token: ${cases.length} cases, ${cases.filter((c) => c[3] === 401).length} × 401 and ${cases.filter((c) => c[3] === 201).length} × 201`);
  });

  it('Note Hook on a merge request: commands from members (access level looked up at the Trigger’s API URL); runs are per project', async () => {
    // root (id 1) is a Maintainer; user 8 is a Reporter (below Developer).
    const { env, api } = await gitlabEnv({ '1': 40, '8': 20 });
    const m = managerOf(env);
    const note = JSON.parse(fixture('note-merge-request')) as Json;
    const command = (text: string, user = note.user) => JSON.stringify({ ...note, user, object_attributes: { ...note.object_attributes, note: text } });

    // The documented merge request is !1 of gitlabhq/gitlab-test; the documented note is on !1 of
    // gitlab-org/gitlab-test. Same number, another project: nothing to repeat there.
    expect((await post(env.url(), fixture('merge-request'), gitlabHeaders('Merge Request Hook'))).status).toBe(201);
    await env.server.waitFor(() => m.context.runs.list(NS).length === 1, 5000, 'run cached');
    const other = await post(env.url(), command('/test'), gitlabHeaders('Note Hook'));
    expect(other.status).toBe(200);
    expect(other.body.actions).toEqual([expect.stringMatching(/has no run to repeat yet/)]);

    // The same merge request in the note's project: /test repeats its run.
    const mr = JSON.parse(fixture('merge-request')) as Json;
    mr.project = note.project;
    mr.object_attributes.source_project_id = mr.object_attributes.target_project_id = 5;
    const first = await post(env.url(), JSON.stringify(mr), gitlabHeaders('Merge Request Hook'));
    expect(first.status).toBe(201);
    await env.server.waitFor(() => m.context.runs.list(NS).length === 2, 5000, 'run cached');
    const again = await post(env.url(), command('/test build'), gitlabHeaders('Note Hook'));
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.actions).toEqual([expect.stringMatching(/^\/test: started svc-[0-9a-f]{12} \(build\)$/)]);
    const repeat = env.server.store.get('runs', NS, /svc-[0-9a-f]{12}/.exec((again.body.actions as string[])[0]!)![0]) as Json;
    expect(repeat.spec).toMatchObject({ jobs: ['build'], metadata: { repo: 'gitlab-org/gitlab-test', prNumber: '1', commitSha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7', actor: 'root' } });

    // A Reporter's command and an unknown user's command are ignored.
    const reporter = await post(env.url(), command('/test', { ...note.user, id: 8, username: 'reporter' }), gitlabHeaders('Note Hook'));
    const stranger = await post(env.url(), command('/test', { ...note.user, id: 77, username: 'stranger' }), gitlabHeaders('Note Hook'));
    expect([reporter.status, stranger.status]).toEqual([202, 202]);
    expect(reporter.body.ignored).toMatch(/not trusted/);
    expect(env.runs()).toHaveLength(3);

    // Every lookup went to the Trigger's API with its token, for the project of the payload.
    const lookups = api.requests.filter((r) => r.method === 'GET');
    expect(lookups.length).toBeGreaterThanOrEqual(4);
    for (const r of lookups) {
      expect(r.url.startsWith(`${API}/projects/gitlab-org%2Fgitlab-test/members/all/`), r.url).toBe(true);
      expect(r.headers['PRIVATE-TOKEN']).toBe('glpat-test');
    }
    console.log(`[webhook] GitLab Note Hook: /test from a Maintainer → 1 Run (build), from a Reporter and a non-member → ignored, on another project's !1 → nothing to repeat; ${lookups.length} access lookups, all at the Trigger's API URL`);
  });

  it('a merge request from a fork runs only when its author is a member, whoever triggered the event', async () => {
    // user 1 (root) is a Maintainer; the merge request's author (51) is not a member.
    const { env } = await gitlabEnv({ '1': 40 });
    const mr = JSON.parse(fixture('merge-request')) as Json;
    mr.object_attributes.source_project_id = 99; // a fork of project 14
    // Opened by its author: held.
    const opened = { ...mr, user: { ...mr.user, id: 51, username: 'contributor' } };
    const a = await post(env.url(), JSON.stringify(opened), gitlabHeaders('Merge Request Hook'));
    expect(a.body).toMatchObject({ created: true, held: true });
    // New commits in the fork's branch, with the Maintainer as the event's user (a rebase from
    // the UI): still the contributor's code, still held.
    const rebased = { ...mr, object_attributes: { ...mr.object_attributes, action: 'update', oldrev: '95790bf891e76fee5e1747ab589903a6a1f80f22', last_commit: { ...mr.object_attributes.last_commit, id: 'b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327' } } };
    const b = await post(env.url(), JSON.stringify(rebased), gitlabHeaders('Merge Request Hook'));
    expect(b.body).toMatchObject({ created: true, held: true });
    // A fork merge request whose author is a member runs.
    const member = { ...mr, object_attributes: { ...mr.object_attributes, iid: 2, author_id: 1 } };
    const c = await post(env.url(), JSON.stringify(member), gitlabHeaders('Merge Request Hook'));
    expect(c.status).toBe(201);
    expect(c.body.held).toBeUndefined();
    expect(runCreates(env, 201)).toBe(3);
    console.log('[webhook] GitLab fork merge requests: contributor-authored → held (also when a Maintainer triggered the update), member-authored → runs');
  });
});
