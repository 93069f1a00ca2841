// The pure part of feedback: what statuses a Run stands for (contexts, states, descriptions,
// links), where they go, and what was already asked for.
import { describe, expect, it } from 'vitest';
import type { JobStatus, Run, RunStatus } from '../../src/api/v1alpha1/run.ts';
import type { Trigger, TriggerSpec } from '../../src/api/v1alpha1/trigger.ts';
import { desiredStatuses, expandLogsUrl, formatDuration, jobDescription, runDescription } from '../../src/feedback/describe.ts';
import { OncePerRun, StatusLedger } from '../../src/feedback/ledger.ts';
import { githubState, gitlabState, statusRequest } from '../../src/feedback/statuses.ts';
import { destinationOf, isGithubRepo, isGitlabProject } from '../../src/feedback/target.ts';

const c = { template: { spec: { containers: [{ name: 'main', image: 'busybox' }] } } };

function run(status?: RunStatus, spec: Partial<Run['spec']> = {}): Run {
  return {
    apiVersion: 'kayci.dev/v1alpha1',
    kind: 'Run',
    metadata: { name: 'svc-abc', namespace: 'ci', uid: 'u1' },
    spec: {
      pipelineRef: { name: 'svc' },
      pipelineSpec: { jobs: [{ name: 'build', template: c }, { name: 'test', needs: ['build'], template: c }, { name: 'docs', template: c }] },
      metadata: { trigger: 'hook', repo: 'acme/svc', commitSha: 'a'.repeat(40), ref: 'refs/heads/main', branch: 'main' },
      ...spec,
    },
    status,
  } as Run;
}

const T0 = '2025-01-01T00:00:00Z';
const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();

describe('descriptions', () => {
  it('durations read like people write them', () => {
    expect([0, 400, 42_000, 60_000, 185_000, 3_600_000, 3_725_000].map(formatDuration)).toEqual(['0 s', '0 s', '42 s', '1 min', '3 min 5 s', '1 h', '1 h 2 min']);
  });

  it.each<[JobStatus | undefined, string]>([
    [undefined, 'waiting to start'],
    [{ name: 'x', phase: 'Running' }, 'running'],
    [{ name: 'x', phase: 'Running', attempts: 2 }, 'running (attempt 2)'],
    [{ name: 'x', phase: 'Succeeded', startTime: at(0), completionTime: at(42) }, 'succeeded in 42 s'],
    [{ name: 'x', phase: 'Failed', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit; container main exited with code 1' }, 'failed: exit code 1'],
    [{ name: 'x', phase: 'Failed', attempts: 3, reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit; container build exited with code 137 (OOMKilled)' }, 'failed: exit code 137 (OOMKilled) in container build after 3 attempts'],
    [{ name: 'x', phase: 'Failed', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' }, 'failed: timed out'],
    [{ name: 'x', phase: 'Failed', reason: 'JobLost', message: 'its Job x-1 disappeared while running' }, 'failed: its Job x-1 disappeared while running'],
    [{ name: 'x', phase: 'Skipped', reason: 'FilteredOut', message: 'branch "main" matches none of release/*' }, 'skipped: filtered out (branch "main" matches none of release/*)'],
    [{ name: 'x', phase: 'Skipped', reason: 'NeedsFailed', message: 'build did not succeed' }, 'skipped: build did not succeed'],
    [{ name: 'x', phase: 'Skipped', reason: 'NoFailure', message: 'runs only after a failure, and nothing failed' }, 'skipped: runs only after a failure'],
    [{ name: 'x', phase: 'Cancelled', reason: 'RunCancelled' }, 'cancelled'],
  ])('job %j → %s', (job, text) => {
    expect(jobDescription(job, run({ phase: 'Running' }))).toBe(text);
  });

  it('a held Run and its jobs wait for /ok-to-test; a queued one says so', () => {
    const held = run({ phase: 'Pending', reason: 'AwaitingApproval' }, { hold: true });
    expect(runDescription(held)).toBe('waiting for /ok-to-test');
    expect(jobDescription(undefined, held)).toBe('waiting for /ok-to-test');
    // Before the controller wrote anything, the hold alone says it.
    expect(runDescription(run(undefined, { hold: true }))).toBe('waiting for /ok-to-test');
    expect(runDescription(run({ phase: 'Pending', reason: 'Queued', message: 'waiting for 1 earlier run' }))).toBe('queued behind an earlier run');
  });

  it('the Run: duration and skips on success, the failed jobs on failure, supersession on cancel', () => {
    const jobs: JobStatus[] = [{ name: 'build', phase: 'Succeeded' }, { name: 'docs', phase: 'Skipped', reason: 'FilteredOut' }];
    expect(runDescription(run({ phase: 'Succeeded', reason: 'AllSucceeded', startTime: at(0), completionTime: at(65), jobs }))).toBe('succeeded in 1 min 5 s (1 skipped)');
    expect(runDescription(run({ phase: 'Succeeded', reason: 'NothingToRun' }))).toBe('succeeded: every job was skipped');
    expect(runDescription(run({ phase: 'Failed', reason: 'JobFailed', message: 'failed: test (1 succeeded, 1 failed, 1 skipped, 0 cancelled)' }))).toBe('failed: test (1 succeeded, 1 failed, 1 skipped, 0 cancelled)');
    expect(runDescription(run({ phase: 'Failed', reason: 'TooLarge', message: 'too big' }))).toBe('failed: TooLarge (too big)');
    expect(runDescription(run({ phase: 'Cancelled', reason: 'Superseded' }))).toBe('cancelled: superseded by a newer run');
    expect(runDescription(run({ phase: 'Running' }))).toBe('running');
  });
});

describe('logsUrl', () => {
  it('substitutes percent-encoded values; {job} is empty for the Run', () => {
    const t = 'https://logs.example.com/{namespace}/{pipeline}/{run}?job={job}';
    expect(expandLogsUrl(t, { namespace: 'ci', pipeline: 'svc', run: 'r-1', job: 'build' })).toBe('https://logs.example.com/ci/svc/r-1?job=build');
    expect(expandLogsUrl(t, { namespace: 'ci', pipeline: 'svc', run: 'r-1', job: '' })).toBe('https://logs.example.com/ci/svc/r-1?job=');
    // A value can neither add path segments nor a query nor change the host.
    expect(expandLogsUrl('https://logs.example.com/{run}', { namespace: 'ci', pipeline: 'svc', run: '../x?y=1#z' })).toBe('https://logs.example.com/..%2Fx%3Fy%3D1%23z');
    // In the host, an encoded value is no valid host at all: no link rather than another host.
    expect(expandLogsUrl('https://{run}.logs.example.com/', { namespace: 'ci', pipeline: 'svc', run: 'evil.com/' })).toBeUndefined();
    expect(expandLogsUrl('https://{run}.logs.example.com/', { namespace: 'ci', pipeline: 'svc', run: 'r-1' })).toBe('https://r-1.logs.example.com/');
    expect(expandLogsUrl('http://h/{job}', { namespace: 'a', pipeline: 'b', run: 'c' })).toBe('http://h/');
  });

  it('is left out when missing or not http(s)', () => {
    expect(expandLogsUrl(undefined, { namespace: 'a', pipeline: 'b', run: 'c' })).toBeUndefined();
    expect(expandLogsUrl('javascript:alert(1)//{run}', { namespace: 'a', pipeline: 'b', run: 'c' })).toBeUndefined();
    expect(expandLogsUrl('{run}', { namespace: 'a', pipeline: 'b', run: 'https://evil' })).toBeUndefined();
  });
});

describe('desired statuses', () => {
  const logsUrl = 'https://logs.example.com/{namespace}/{run}/{job}';

  it('a new Run: every selected job pending, then the Run, contexts <context>/<pipeline>[/<job>]', () => {
    const s = desiredStatuses(run(), { logsUrl });
    expect(s.map((x) => [x.context, x.phase, x.description])).toEqual([
      ['kayci/svc/build', 'Pending', 'waiting to start'],
      ['kayci/svc/test', 'Pending', 'waiting to start'],
      ['kayci/svc/docs', 'Pending', 'waiting to start'],
      ['kayci/svc', 'Pending', 'pending'],
    ]);
    expect(s.map((x) => x.targetUrl)).toEqual(['https://logs.example.com/ci/svc-abc/build', 'https://logs.example.com/ci/svc-abc/test', 'https://logs.example.com/ci/svc-abc/docs', 'https://logs.example.com/ci/svc-abc/']);
    expect(desiredStatuses(run(), { context: 'ci.acme' })[0]).toMatchObject({ context: 'ci.acme/svc/build', targetUrl: undefined });
  });

  it('only the selected jobs (named ones and what they need)', () => {
    expect(desiredStatuses(run(undefined, { jobs: ['test'] })).map((x) => x.context)).toEqual(['kayci/svc/build', 'kayci/svc/test', 'kayci/svc']);
    // Unknown names: the Run fails on its own; only its own status is shown.
    expect(desiredStatuses(run(undefined, { jobs: ['nope'] })).map((x) => x.context)).toEqual(['kayci/svc']);
    expect(desiredStatuses(run(undefined, { pipelineSpec: undefined })).map((x) => x.context)).toEqual(['kayci/svc']);
  });

  it('a finished Run leaves nothing pending: jobs that never ran end Cancelled', () => {
    const failed = run({ phase: 'Failed', reason: 'JobFailed', jobs: [{ name: 'build', phase: 'Failed', message: 'container main exited with code 2' }, { name: 'test', phase: 'Skipped', reason: 'NeedsFailed', message: 'build did not succeed' }, { name: 'docs', phase: 'Running' }] });
    const s = desiredStatuses(failed);
    expect(s.map((x) => [x.phase, githubState(x.phase), gitlabState(x.phase), x.description])).toEqual([
      ['Failed', 'failure', 'failed', 'failed: exit code 2'],
      ['Skipped', 'success', 'skipped', 'skipped: build did not succeed'],
      ['Cancelled', 'error', 'canceled', 'not run: the run failed (JobFailed)'],
      ['Failed', 'failure', 'failed', 'failed: JobFailed'],
    ]);
    const tooLarge = desiredStatuses(run({ phase: 'Failed', reason: 'TooLarge', message: 'too big' }));
    expect(tooLarge.every((x) => x.phase !== 'Pending' && x.phase !== 'Running')).toBe(true);
    const cancelled = desiredStatuses(run({ phase: 'Cancelled', reason: 'Superseded', jobs: [{ name: 'build', phase: 'Succeeded' }] }));
    expect(cancelled.map((x) => [githubState(x.phase), x.description])).toEqual([
      ['success', 'succeeded'],
      ['error', 'cancelled: superseded by a newer run'],
      ['error', 'cancelled: superseded by a newer run'],
      ['error', 'cancelled: superseded by a newer run'],
    ]);
  });

  it('states: GitHub has no skipped or running, GitLab has both', () => {
    expect(['Pending', 'Running', 'Succeeded', 'Failed', 'Skipped', 'Cancelled'].map(githubState)).toEqual(['pending', 'pending', 'success', 'failure', 'success', 'error']);
    expect(['Pending', 'Running', 'Succeeded', 'Failed', 'Skipped', 'Cancelled'].map(gitlabState)).toEqual(['pending', 'running', 'success', 'failed', 'skipped', 'canceled']);
  });
});

describe('destination', () => {
  const trigger = (spec: Partial<TriggerSpec>): Trigger => ({ apiVersion: 'kayci.dev/v1alpha1', kind: 'Trigger', metadata: { name: 'hook', namespace: 'ci' }, spec: { pipelineRef: { name: 'svc' }, ...spec } });
  const tokenSecretRef = { name: 'gh', key: 'token' };
  const github = trigger({ webhook: { provider: 'github', secretRefs: [tokenSecretRef] }, feedback: { tokenSecretRef } });

  it('the provider defaults to the webhook\'s, the API to the public one', () => {
    expect(destinationOf(run(), github)).toEqual({ ok: true, destination: { provider: 'github', apiUrl: 'https://api.github.com', repo: 'acme/svc', sha: 'a'.repeat(40) } });
    const gl = trigger({ webhook: { provider: 'gitlab', secretRefs: [tokenSecretRef] }, feedback: { tokenSecretRef, apiUrl: 'https://gitlab.example.com/api/v4' } });
    expect(destinationOf(run(undefined, { metadata: { trigger: 'hook', repo: 'g/sub/p', commitSha: 'b'.repeat(40), ref: 'refs/merge-requests/3/head', branch: 'feature' } }), gl)).toEqual({ ok: true, destination: { provider: 'gitlab', apiUrl: 'https://gitlab.example.com/api/v4', repo: 'g/sub/p', sha: 'b'.repeat(40), ref: 'feature' } });
    expect(destinationOf(run(), trigger({ webhook: { provider: 'generic', secretRefs: [tokenSecretRef] }, feedback: { tokenSecretRef } }))).toMatchObject({ ok: false });
  });

  it('nothing without feedback, a repository or a commit', () => {
    expect(destinationOf(run(), trigger({}))).toBeUndefined();
    expect(destinationOf(run(undefined, { metadata: { trigger: 'hook', commitSha: 'a'.repeat(40) } }), github)).toBeUndefined();
    expect(destinationOf(run(undefined, { metadata: { trigger: 'hook', repo: 'a/b' } }), github)).toBeUndefined();
  });

  it('a repository or commit that is not plain path segments is refused', () => {
    for (const repo of ['acme', 'a/b/c', '../x', 'a/..', 'a/b?x=1', 'a/b#c', 'evil.com:80/x', 'a/b%2F', '//evil.com/x', 'a b/c', 'https://evil.com/a/b']) {
      expect([repo, isGithubRepo(repo)]).toEqual([repo, false]);
      expect(destinationOf(run(undefined, { metadata: { trigger: 'hook', repo, commitSha: 'a'.repeat(40) } }), github)).toMatchObject({ ok: false });
    }
    for (const repo of ['acme/svc', 'Code-rtocat/Hello-World', 'a_b/c.d']) expect(isGithubRepo(repo)).toBe(true);
    for (const repo of ['g/p', 'g/sub/p', '42']) expect(isGitlabProject(repo)).toBe(true);
    for (const repo of ['p', 'g/../p', 'g/p?x', '']) expect(isGitlabProject(repo)).toBe(false);
    expect(destinationOf(run(undefined, { metadata: { trigger: 'hook', repo: 'a/b', commitSha: 'main/../x' } }), github)).toMatchObject({ ok: false });
  });

  it('requests: the path percent-encoded under the configured base, the token in its header', () => {
    const gh = statusRequest({ provider: 'github', apiUrl: 'http://127.0.0.1:1/api/v3/', token: 't0k', repo: 'acme/svc', sha: 'abc1234' }, { context: 'kayci/svc', phase: 'Skipped', description: 'x'.repeat(200) });
    expect(gh.url).toBe('http://127.0.0.1:1/api/v3/repos/acme/svc/statuses/abc1234');
    expect(gh.headers.Authorization).toBe('Bearer t0k');
    expect(gh.body).toEqual({ state: 'success', context: 'kayci/svc', description: `${'x'.repeat(139)}…` });
    const gl = statusRequest({ provider: 'gitlab', apiUrl: 'https://gitlab.example.com/api/v4', token: 't0k', repo: 'g/sub/p', sha: 'abc1234', ref: 'main' }, { context: 'kayci/svc/build', phase: 'Running', description: 'running', targetUrl: `https://l/${'y'.repeat(300)}` });
    expect(gl.url).toBe('https://gitlab.example.com/api/v4/projects/g%2Fsub%2Fp/statuses/abc1234');
    expect(gl.headers['PRIVATE-TOKEN']).toBe('t0k');
    // GitLab refuses a target_url over 255 characters: the status goes without its link.
    expect(gl.body).toEqual({ state: 'running', name: 'kayci/svc/build', description: 'running', ref: 'main' });
  });
});

describe('ledger', () => {
  it('each change once per (run, context); forgetting a run or clearing posts it again', () => {
    const l = new StatusLedger();
    const pending = { state: 'pending', description: 'waiting to start' };
    expect(l.update('u1', 'kayci/svc/build', pending)).toBe(true);
    expect(l.update('u1', 'kayci/svc/build', { ...pending })).toBe(false);
    expect(l.update('u2', 'kayci/svc/build', pending)).toBe(true);
    expect(l.update('u1', 'kayci/svc', pending)).toBe(true);
    expect(l.update('u1', 'kayci/svc/build', { state: 'pending', description: 'running' })).toBe(true);
    expect(l.update('u1', 'kayci/svc/build', { state: 'pending', description: 'running', targetUrl: 'https://x' })).toBe(true);
    expect(l.update('u1', 'kayci/svc/build', { state: 'success', description: 'succeeded in 1 s', targetUrl: 'https://x' })).toBe(true);
    expect(l.update('u1', 'kayci/svc/build', { state: 'success', description: 'succeeded in 1 s', targetUrl: 'https://x' })).toBe(false);
    l.forget('u1');
    expect(l.update('u1', 'kayci/svc/build', { state: 'success', description: 'succeeded in 1 s', targetUrl: 'https://x' })).toBe(true);
    expect(l.update('u2', 'kayci/svc/build', pending)).toBe(false);
    l.clear();
    expect(l.update('u2', 'kayci/svc/build', pending)).toBe(true);
  });

  it('once per run and key', () => {
    const o = new OncePerRun();
    expect(o.first('u1', 'Failed/0')).toBe(true);
    expect(o.first('u1', 'Failed/0')).toBe(false);
    expect(o.first('u1', 'Failed/1')).toBe(true);
    expect(o.first('u2', 'Failed/0')).toBe(true);
    o.forget('u1');
    expect(o.first('u1', 'Failed/0')).toBe(true);
  });
});
