// Commit statuses end to end: a signed push becomes a Run (fake Kubernetes API server), the
// controller posts statuses to a recording GitHub Enterprise / self-managed GitLab API on
// loopback, at the address and with the token the Trigger names. Every request is checked
// against the provider's published description.
import { afterAll, describe, expect, it } from 'vitest';
import type { PipelineSpec } from '../../src/api/v1alpha1/pipeline.ts';
import { phaseOf } from '../controller/setup.ts';
import { githubHeaders, gitlabHeaders, hookEnv, NS, post, secretObject, type HookEnv } from '../webhook/helpers.ts';
import { byContext, fakeForge, githubChecker, gitlabChecker, type Forge } from './forge.ts';

const SHA = 'c0ffee'.padEnd(40, '0');
const LOGS = 'https://logs.example.com/{namespace}/{pipeline}/{run}?job={job}';
const hookSecret = [{ name: 'hook-secret', key: 'token' }];
const tokenSecretRef = { name: 'forge-token', key: 'token' };

/** build → test (fails), and docs, filtered out on main. */
function threeJobs(): PipelineSpec {
  const c = { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.37', command: ['true'] }] } } };
  return { jobs: [{ name: 'build', template: c }, { name: 'test', needs: ['build'], template: c }, { name: 'docs', when: { branches: ['release/*'] }, template: c }] } as unknown as PipelineSpec;
}

async function leading(env: HookEnv): Promise<void> {
  await env.server.waitFor(() => env.managers[0]!.leader.isLeader(), 10_000, 'leadership');
}

/** Waits for the Run to finish and its statuses to be final in every context. */
async function settled(env: HookEnv, forge: Forge, run: string, field: 'context' | 'name', contexts: number): Promise<void> {
  await phaseOf(env.server, run);
  await env.server.waitFor(() => {
    const seen = byContext(forge.requests, field);
    return seen.size === contexts && [...seen.values()].every((l) => !['pending', 'running'].includes(l.at(-1)!.state));
  }, 20_000, 'final statuses').catch((e) => { console.log(JSON.stringify(forge.requests.map((r) => [r.path, r.body]))); throw e; });
  await env.managers[0]!.feedback.idle();
}

const counts = { github: 0, gitlab: 0 };
const github = githubChecker();
const gitlab = gitlabChecker();
afterAll(() => {
  console.log(`[feedback] ${counts.github} GitHub status requests valid against @octokit/openapi ${github.version} (${github.descriptions.join(', ')}: POST /repos/{owner}/{repo}/statuses/{sha})`);
  console.log(`[feedback] ${counts.gitlab} GitLab status requests valid against GitLab's documented commit status API (POST /projects/:id/statuses/:sha)`);
});

function expectOrdered(seen: Map<string, { state: string; description: string }[]>): void {
  for (const [context, list] of seen) {
    // Each change once: no two consecutive requests of a context say the same.
    for (let i = 1; i < list.length; i++) expect([context, list[i]]).not.toEqual([context, list[i - 1]]);
    expect([context, list[0]!.state]).toEqual([context, 'pending']);
  }
}

describe('commit statuses', () => {
  it('GitHub Enterprise: pending for every job first, then final states; skipped is success; the Run fails', async () => {
    const forge = await fakeForge();
    const apiUrl = `${forge.url}/api/v3`;
    const env = await hookEnv({ webhook: { provider: 'github', secretRefs: hookSecret }, feedback: { apiUrl, tokenSecretRef, logsUrl: LOGS } }, {}, threeJobs());
    env.server.store.create(secretObject('forge-token', { token: 'ghs_status_token' }));
    env.server.jobs.behave((job) => ({ afterMs: 50, ...(job.metadata?.labels?.['kayci.dev/job'] === 'test' ? { outcome: 'fail' as const, exitCode: 1 } : {}) }));
    await leading(env);
    const body = JSON.stringify({ ref: 'refs/heads/main', after: SHA, repository: { full_name: 'acme/svc', clone_url: 'https://github.com/acme/svc.git' }, sender: { login: 'octocat' }, commits: [] });
    const res = await post(env.url(), body, githubHeaders('push', body));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const run = String(res.body.run);
    await settled(env, forge, run, 'context', 4);
    expect(await phaseOf(env.server, run)).toBe('Failed');

    for (const r of forge.requests) {
      expect(github.check(r, '/api/v3')).toEqual([]);
      expect(r.path).toBe(`/api/v3/repos/acme/svc/statuses/${SHA}`);
      expect(r.headers.authorization).toBe('Bearer ghs_status_token');
      counts.github++;
    }
    const seen = byContext(forge.requests, 'context');
    expect([...seen.keys()].sort()).toEqual(['kayci/svc', 'kayci/svc/build', 'kayci/svc/docs', 'kayci/svc/test']);
    expectOrdered(seen);
    const last = (c: string) => seen.get(c)!.at(-1)!;
    expect(last('kayci/svc/build')).toMatchObject({ state: 'success', description: expect.stringMatching(/^succeeded in \d+ s$/) });
    expect(last('kayci/svc/test')).toMatchObject({ state: 'failure', description: 'failed: exit code 1' });
    expect(last('kayci/svc/docs')).toMatchObject({ state: 'success', description: 'skipped: filtered out (branch "main" matches none of release/*)' });
    expect(last('kayci/svc')).toMatchObject({ state: 'failure', description: expect.stringMatching(/^failed: test \(1 succeeded, 1 failed, 1 skipped/) });
    expect(last('kayci/svc/test').target_url).toBe(`https://logs.example.com/${NS}/svc/${run}?job=test`);
    expect(last('kayci/svc').target_url).toBe(`https://logs.example.com/${NS}/svc/${run}?job=`);
    expect(env.managers[0]!.metrics.render()).toMatch(/kayci_feedback_requests_total\{kind="status",result="ok"\} \d+/);
  });

  it('self-managed GitLab: PRIVATE-TOKEN, /projects/:id/statuses/:sha with name, ref and state; skipped is skipped', async () => {
    const forge = await fakeForge();
    const apiUrl = `${forge.url}/api/v4`;
    const env = await hookEnv({ webhook: { provider: 'gitlab', secretRefs: hookSecret }, feedback: { apiUrl, tokenSecretRef, logsUrl: LOGS, context: 'ci' } }, {}, threeJobs());
    env.server.store.create(secretObject('forge-token', { token: 'glpat-status-token' }));
    env.server.jobs.behave((job) => ({ afterMs: 50, ...(job.metadata?.labels?.['kayci.dev/job'] === 'test' ? { outcome: 'fail' as const, exitCode: 1 } : {}) }));
    await leading(env);
    // A push as GitLab documents it (the fields kayci reads).
    const body = JSON.stringify({
      object_kind: 'push', event_name: 'push', before: '0'.repeat(40), after: SHA, checkout_sha: SHA, ref: 'refs/heads/main', user_username: 'jsmith', total_commits_count: 1,
      project: { path_with_namespace: 'group/sub/svc', git_http_url: 'https://gitlab.example.com/group/sub/svc.git' },
      commits: [{ id: SHA, added: ['a.go'], modified: [], removed: [] }],
    });
    const res = await post(env.url(), body, gitlabHeaders('Push Hook'));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const run = String(res.body.run);
    await settled(env, forge, run, 'name', 4);

    for (const r of forge.requests) {
      expect(gitlab.check(r, '/api/v4', 'group/sub/svc')).toEqual([]);
      expect(r.path).toBe(`/api/v4/projects/group%2Fsub%2Fsvc/statuses/${SHA}`);
      expect(r.headers['private-token']).toBe('glpat-status-token');
      expect(r.headers.authorization).toBeUndefined();
      expect((r.body as { ref: string }).ref).toBe('main');
      counts.gitlab++;
    }
    const seen = byContext(forge.requests, 'name');
    expect([...seen.keys()].sort()).toEqual(['ci/svc', 'ci/svc/build', 'ci/svc/docs', 'ci/svc/test']);
    expectOrdered(seen);
    const states = (c: string) => seen.get(c)!.map((s) => s.state);
    // GitLab refuses a transition to the state a status is in: never the same state twice in a row.
    for (const c of seen.keys()) expect(states(c).filter((s, i, a) => i > 0 && s === a[i - 1])).toEqual([]);
    // `running` shows when the controller saw the job running (a fast job may finish unseen).
    expect(states('ci/svc/build').join()).toMatch(/^pending(,running)?,success$/);
    expect(states('ci/svc/test').join()).toMatch(/^pending(,running)?,failed$/);
    expect(states('ci/svc/docs')).toEqual(['pending', 'skipped']);
    expect(states('ci/svc').at(-1)).toBe('failed');
  });

  it('a refused status (4xx) is not retried; a 5xx is, until it passes', async () => {
    const forge = await fakeForge();
    let unavailable = 2;
    forge.answer((r) => {
      const context = (r.body as { context?: string }).context;
      if (context === 'kayci/svc/build') return 422;
      if (context === 'kayci/svc' && unavailable > 0) {
        unavailable--;
        return 503;
      }
      return undefined;
    });
    const lines: string[] = [];
    const { jsonLogger } = await import('../../src/controller/log.ts');
    const env = await hookEnv({ webhook: { provider: 'github', secretRefs: hookSecret }, feedback: { apiUrl: `${forge.url}/api/v3`, tokenSecretRef } }, { log: jsonLogger((l) => lines.push(l), 'warn') }, threeJobs());
    env.server.store.create(secretObject('forge-token', { token: 'ghs_status_token' }));
    await leading(env);
    const body = JSON.stringify({ ref: 'refs/heads/main', after: SHA, repository: { full_name: 'acme/svc' }, sender: { login: 'octocat' }, commits: [] });
    const res = await post(env.url(), body, githubHeaders('push', body));
    const run = String(res.body.run);
    await phaseOf(env.server, run);
    await env.server.waitFor(() => forge.requests.some((r) => (r.body as { context: string }).context === 'kayci/svc' && r.status === 201 && (r.body as { state: string }).state === 'success'), 20_000, 'the overall status, after retries');
    await env.managers[0]!.feedback.idle();
    const build = forge.requests.filter((r) => (r.body as { context: string }).context === 'kayci/svc/build');
    // One request per change (waiting, running if seen, succeeded), none repeated after its 422.
    expect(build.map((r) => (r.body as { description: string }).description).join()).toMatch(/^waiting to start(,running)?,succeeded in \d+ s$/);
    expect(forge.requests.filter((r) => r.status === 503)).toHaveLength(2);
    const warned = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'commit status not posted');
    expect(warned).toHaveLength(build.length);
    expect(String(warned[0]!.error)).toMatch(/422 .*refused by the test/);
    expect(env.managers[0]!.metrics.feedback.get({ kind: 'status', result: 'failed' })).toBe(build.length);
  });
});
