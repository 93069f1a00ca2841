// The webhook endpoint end to end: a signed GitHub push becomes one Run with the push's metadata,
// the replay meets the same Run, bad signatures and unknown Triggers create nothing.
import { describe, expect, it } from 'vitest';
import { githubHeaders, hookEnv, managerOf, NS, post, secretObject, triggerObject } from './helpers.ts';

const webhook = { webhook: { provider: 'github' as const, secretRefs: [{ name: 'hook-secret', key: 'token' }] } };

function push(sha = 'a'.repeat(40)) {
  return JSON.stringify({
    ref: 'refs/heads/main', after: sha, deleted: false,
    repository: { full_name: 'acme/svc', clone_url: 'https://github.com/acme/svc.git' },
    sender: { login: 'octocat' },
    commits: [{ added: ['src/a.go'], modified: ['README.md'], removed: [] }],
  });
}

describe('webhook intake', () => {
  it('a signed push makes one Run with its metadata; the replay meets the same Run', async () => {
    const env = await hookEnv(webhook);
    const body = push();
    const headers = githubHeaders('push', body, undefined, 'd-1');
    const first = await post(env.url(), body, headers);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const again = await post(env.url(), body, headers);
    expect(again).toMatchObject({ status: 200, body: { run: first.body.run, created: false } });
    const runs = env.runs();
    expect(runs).toHaveLength(1);
    const run = runs[0] as unknown as { spec: { metadata: Record<string, unknown>; pipelineSpec: unknown }; metadata: { labels: Record<string, string> } };
    expect(run.spec.metadata).toMatchObject({ provider: 'github', event: 'push', branch: 'main', ref: 'refs/heads/main', commitSha: 'a'.repeat(40), repo: 'acme/svc', actor: 'octocat', trigger: 'hook', changedFiles: ['src/a.go', 'README.md'] });
    expect(run.spec.pipelineSpec).toBeDefined();
    expect(run.metadata.labels).toMatchObject({ 'kayci.dev/pipeline': 'svc', 'kayci.dev/trigger': 'hook' });
    await env.server.waitFor(() => env.server.store.list('jobs', NS).length > 0, 5000, 'first job');
  });

  it('a wrong signature is 401 and makes nothing; an unknown Trigger is 404', async () => {
    const env = await hookEnv(webhook);
    const body = push();
    expect((await post(env.url(), body, githubHeaders('push', body, 'wrong'))).status).toBe(401);
    expect((await post(env.url('nope'), body, githubHeaders('push', body))).status).toBe(404);
    expect(env.runs()).toHaveLength(0);
  });

  it('fails closed: a Trigger whose Secret, key or value is missing accepts nothing', async () => {
    const env = await hookEnv(webhook);
    env.server.store.create(secretObject('no-key', { other: 'x' }));
    env.server.store.create(secretObject('empty', { token: '' }));
    const cases = { 'missing-secret': 'nowhere', 'missing-key': 'no-key', 'empty-value': 'empty' };
    for (const [name, secret] of Object.entries(cases)) env.server.store.create(triggerObject(name, { webhook: { provider: 'github', secretRefs: [{ name: secret, key: 'token' }] } }));
    const m = managerOf(env);
    await env.server.waitFor(() => Object.keys(cases).every((t) => m.context.triggers.get(NS, t)), 5000, 'triggers cached');
    const body = push();
    for (const name of Object.keys(cases)) {
      // Whatever the sender signs with, the empty secret included.
      for (const secret of ['', 'x', 'anything']) expect((await post(env.url(name), body, githubHeaders('push', body, secret))).status, `${name} ${secret}`).toBe(401);
    }
    expect(env.runs()).toHaveLength(0);
  });
});
