// Untrusted forks and pull request commands, end to end against the fake API server: a fork's
// pull request by someone untrusted waits (no Job, not even a request for one) until a trusted
// `/ok-to-test`, which starts that Run only, at its commit, with no Secret and no service-account
// token in any Job; a newer commit supersedes the held Run; a trusted author's fork runs at once.
// Then `/test [job…]`, `/retest` (what failed, and what was skipped because of it) and `/cancel`.
import { describe, expect, it } from 'vitest';
import type { PipelineSpec } from '../../src/api/v1alpha1/pipeline.ts';
import { phaseOf } from '../controller/setup.ts';
import { githubHeaders, hookEnv, managerOf, NS, octokitExamples, post, SECRET, type HookEnv } from './helpers.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const webhook = { webhook: { provider: 'github' as const, secretRefs: [{ name: 'hook-secret', key: 'token' }] } };
const SHA_A = 'a'.repeat(40);
const SHA_B = 'b'.repeat(40);

/** Jobs whose templates reach for credentials every way a pod can. */
function credentialed(): PipelineSpec {
  const template = (job: string) => ({
    template: {
      spec: {
        serviceAccountName: 'deployer',
        automountServiceAccountToken: true,
        containers: [{
          name: job,
          image: 'busybox:1.37',
          command: ['true'],
          env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'deploy', key: 'token' } } }, { name: 'PLAIN', value: 'x' }],
          envFrom: [{ secretRef: { name: 'deploy-env' } }, { configMapRef: { name: 'settings' } }],
          volumeMounts: [{ name: 'creds', mountPath: '/creds' }, { name: 'sa', mountPath: '/sa' }, { name: 'vault', mountPath: '/vault' }, { name: 'scratch', mountPath: '/tmp/s' }],
        }],
        volumes: [
          { name: 'creds', secret: { secretName: 'deploy-files' } },
          { name: 'sa', projected: { sources: [{ serviceAccountToken: { path: 'token' } }, { secret: { name: 'more' } }] } },
          { name: 'vault', csi: { driver: 'secrets-store.csi.k8s.io' } },
          { name: 'scratch', emptyDir: {} },
        ],
      },
    },
  });
  return {
    retention: { succeeded: 10_000, failed: 10_000 },
    jobs: [
      { name: 'build', template: template('build') },
      { name: 'lint', template: template('lint') },
      { name: 'test', needs: ['build'], template: template('test') },
    ],
  } as PipelineSpec;
}

/** The octokit `opened` example as a pull request from a fork, by someone of the given association. */
function forkPr(number: number, sha: string, association: string, action = 'opened'): string {
  const p = structuredClone(octokitExamples().find((ex) => ex.event === 'pull_request' && ex.payload.action === 'opened')!.payload) as Json;
  p.action = action;
  p.number = p.pull_request.number = number;
  p.pull_request.head.sha = sha;
  p.pull_request.head.repo = { ...p.pull_request.head.repo, full_name: `mallory/Hello-World`, fork: true };
  p.pull_request.author_association = association;
  p.pull_request.user = { ...p.pull_request.user, login: 'mallory' };
  return JSON.stringify(p);
}

/** A pull request from a branch of the repository itself. */
function ownPr(number: number, sha: string): string {
  const p = structuredClone(octokitExamples().find((ex) => ex.event === 'pull_request' && ex.payload.action === 'opened')!.payload) as Json;
  p.number = p.pull_request.number = number;
  p.pull_request.head.sha = sha;
  return JSON.stringify(p);
}

/** An issue_comment on pull request `number` by someone of the given association. */
function comment(number: number, text: string, association: string, login = 'commenter'): string {
  const p = structuredClone(octokitExamples().find((ex) => ex.event === 'issue_comment' && ex.payload.action === 'created')!.payload) as Json;
  p.issue.number = number;
  p.issue.pull_request = { url: `https://api.github.com/repos/Codertocat/Hello-World/pulls/${number}` };
  p.comment.body = text;
  p.comment.author_association = association;
  p.comment.user = { ...p.comment.user, login };
  return JSON.stringify(p);
}

let deliveries = 0;
async function send(env: HookEnv, event: string, body: string) {
  return post(env.url(), body, githubHeaders(event, body, SECRET, `fork-test-${deliveries++}`));
}

const run = (env: HookEnv, name: string) => env.server.store.get('runs', NS, name) as Json;
const jobsOf = (env: HookEnv, name: string) => (env.server.store.list('jobs', NS) as Json[]).filter((j) => j.metadata.labels['kayci.dev/run'] === name);
const jobCreates = (env: HookEnv) => env.server.requestsMatching({ verb: 'create', resource: 'jobs' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the controller's cache holds `count` Runs (commands read Runs from it). */
async function cached(env: HookEnv, count: number): Promise<void> {
  await env.server.waitFor(() => managerOf(env).context.runs.list(NS).length === count, 5000, `${count} runs cached`);
}

/** Every way a Job's pod could reach a credential; empty when there is none. */
function credentials(job: Json): string[] {
  const pod = job.spec.template.spec;
  const found: string[] = [];
  if (pod.serviceAccountName) found.push(`serviceAccountName ${pod.serviceAccountName}`);
  if (pod.serviceAccount) found.push(`serviceAccount ${pod.serviceAccount}`);
  if (pod.automountServiceAccountToken !== false) found.push('service-account token mounted');
  for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
    for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) found.push(`env ${e.name} from Secret ${e.valueFrom.secretKeyRef.name}`);
    for (const e of c.envFrom ?? []) if (e.secretRef) found.push(`envFrom Secret ${e.secretRef.name}`);
  }
  for (const v of pod.volumes ?? []) {
    if (v.secret) found.push(`volume ${v.name}: Secret`);
    if (v.csi) found.push(`volume ${v.name}: CSI`);
    for (const s of v.projected?.sources ?? []) if (s.secret || s.serviceAccountToken) found.push(`volume ${v.name}: projected credential`);
  }
  return found;
}

describe('untrusted forks', () => {
  it('a fork’s pull request by an untrusted author waits for a trusted /ok-to-test, then runs that Run only, at its commit, without credentials', async () => {
    const env = await hookEnv(webhook, {}, credentialed());
    const held = await send(env, 'pull_request', forkPr(10, SHA_A, 'CONTRIBUTOR'));
    expect(held.body).toMatchObject({ created: true, held: true });
    expect(held.status).toBe(201);
    const name = held.body.run as string;
    // Another fork's pull request, also held: the approval of #10 must not start it.
    const other = await send(env, 'pull_request', forkPr(11, SHA_B, 'FIRST_TIME_CONTRIBUTOR'));
    expect(other.body.held).toBe(true);

    await env.server.waitFor(() => run(env, name).status?.reason === 'AwaitingApproval', 5000, 'awaiting approval');
    expect(run(env, name).status).toMatchObject({ phase: 'Pending', reason: 'AwaitingApproval' });
    expect(run(env, name).spec).toMatchObject({ hold: true, untrusted: true, metadata: { commitSha: SHA_A, prNumber: '10' } });
    // Give the controller every chance to make something for it.
    await sleep(1000);
    expect(env.server.store.list('jobs', NS)).toHaveLength(0);
    expect(jobCreates(env)).toHaveLength(0);
    expect(env.server.store.list('configmaps', NS).filter((c) => c.metadata?.labels?.['kayci.dev/run'] === name)).toHaveLength(0);

    // Untrusted commenters, the pull request's own author included, cannot approve it.
    await cached(env, 2);
    for (const [association, login] of [['NONE', 'passerby'], ['CONTRIBUTOR', 'mallory'], ['FIRST_TIME_CONTRIBUTOR', 'newcomer']]) {
      const res = await send(env, 'issue_comment', comment(10, '/ok-to-test', association!, login));
      expect(res.status).toBe(202);
      expect(res.body.ignored).toMatch(/not trusted/);
    }
    await sleep(500);
    expect(jobCreates(env)).toHaveLength(0);
    expect(run(env, name).spec.hold).toBe(true);

    // A member approves: that Run, at the commit it was held for.
    const ok = await send(env, 'issue_comment', comment(10, 'Looked at it.\n/ok-to-test', 'MEMBER', 'maintainer'));
    expect(ok.status).toBe(200);
    expect(ok.body.actions).toEqual([`/ok-to-test: started ${name} at ${SHA_A}`]);
    expect(await phaseOf(env.server, name)).toBe('Succeeded');
    const jobs = jobsOf(env, name);
    expect(jobs.map((j) => j.metadata.labels['kayci.dev/job']).sort()).toEqual(['build', 'lint', 'test']);
    expect(env.server.store.list('jobs', NS)).toHaveLength(3);
    const leaks = jobs.flatMap((j) => credentials(j).map((c) => `${j.metadata.name}: ${c}`));
    expect(leaks).toEqual([]);
    // What is not a credential stays: plain env, ConfigMap envFrom, an emptyDir.
    const pod = jobs[0]!.spec.template.spec;
    expect(pod.containers[0].env.map((e: Json) => e.name)).toContain('PLAIN');
    expect(pod.containers[0].envFrom).toContainEqual({ configMapRef: { name: 'settings' } });
    expect(pod.volumes.map((v: Json) => v.name)).toContain('scratch');
    // The commit built is the one held: the per-run variables say so.
    const cm = (env.server.store.list('configmaps', NS) as Json[]).find((c) => c.metadata.labels?.['kayci.dev/run'] === name)!;
    expect(cm.data).toMatchObject({ KAYCI_COMMIT_SHA: SHA_A, KAYCI_PR_NUMBER: '10' });
    // #11 still waits.
    const otherRun = run(env, other.body.run as string);
    expect(otherRun.spec.hold).toBe(true);
    expect(jobsOf(env, otherRun.metadata.name)).toHaveLength(0);
    console.log(`[webhook] fork: untrusted fork PR held (AwaitingApproval, 0 Jobs, 0 job creates after 1 s), 3 untrusted /ok-to-test ignored (0 Jobs), member /ok-to-test → ${jobs.length} Jobs for that Run only at ${SHA_A.slice(0, 7)}, ${leaks.length} credential references; the other fork's PR still held`);
  });

  it('a newer commit on the fork supersedes the held Run; the approval starts the newer one only', async () => {
    const env = await hookEnv(webhook, {}, credentialed());
    const first = await send(env, 'pull_request', forkPr(12, SHA_A, 'NONE'));
    expect(first.body.held).toBe(true);
    await cached(env, 1);
    const second = await send(env, 'pull_request', forkPr(12, SHA_B, 'NONE', 'synchronize'));
    expect(second.body).toMatchObject({ created: true, held: true });
    const older = first.body.run as string;
    const newer = second.body.run as string;
    expect(run(env, older).spec.cancel).toBe(true);
    expect(await phaseOf(env.server, older)).toBe('Cancelled');
    await env.server.waitFor(() => run(env, newer).status?.reason === 'AwaitingApproval', 5000, 'newer awaiting approval');
    expect(jobCreates(env)).toHaveLength(0);

    await cached(env, 2);
    const ok = await send(env, 'issue_comment', comment(12, '/ok-to-test', 'OWNER', 'owner'));
    expect(ok.body.actions).toEqual([`/ok-to-test: started ${newer} at ${SHA_B}`]);
    expect(await phaseOf(env.server, newer)).toBe('Succeeded');
    expect(jobsOf(env, older)).toHaveLength(0);
    expect(jobsOf(env, newer)).toHaveLength(3);
    expect(jobsOf(env, newer).flatMap(credentials)).toEqual([]);
    console.log('[webhook] fork: second push → new held Run, older held Run cancelled (0 Jobs); /ok-to-test → 3 Jobs for the newer commit only, 0 credential references');
  });

  it('a fork’s pull request by a trusted author (MEMBER) runs at once, with its credentials', async () => {
    const env = await hookEnv(webhook, {}, credentialed());
    const res = await send(env, 'pull_request', forkPr(13, SHA_A, 'MEMBER'));
    expect(res.status).toBe(201);
    expect(res.body.held).toBeUndefined();
    const name = res.body.run as string;
    expect(run(env, name).spec.untrusted).not.toBe(true);
    expect(await phaseOf(env.server, name)).toBe('Succeeded');
    const jobs = jobsOf(env, name);
    expect(jobs).toHaveLength(3);
    for (const j of jobs) {
      const pod = j.spec.template.spec;
      expect(pod.serviceAccountName).toBe('deployer');
      expect(pod.containers[0].env).toContainEqual({ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'deploy', key: 'token' } } });
      expect(pod.volumes.map((v: Json) => v.name)).toEqual(expect.arrayContaining(['creds', 'sa', 'vault']));
    }
    console.log(`[webhook] fork: MEMBER-authored fork PR → runs at once, ${jobs.length} Jobs with their Secrets and service account`);
  });
});

describe('pull request commands', () => {
  it('/test [job…], an unknown job, /retest after failures, /cancel', async () => {
    const env = await hookEnv(webhook, {}, credentialed());
    const jobNames = (name: string) => jobsOf(env, name).map((j) => j.metadata.labels['kayci.dev/job']).sort();
    const actionsOf = async (text: string, expected = 200) => {
      const res = await send(env, 'issue_comment', comment(20, text, 'COLLABORATOR', 'collaborator'));
      expect(res.status, JSON.stringify(res.body)).toBe(expected);
      return res.body.actions as string[];
    };
    const started = (action: string) => /started (svc-[0-9a-f]{12})/.exec(action)![1]!;

    const pr = await send(env, 'pull_request', ownPr(20, SHA_A));
    expect(pr.status).toBe(201);
    expect(await phaseOf(env.server, pr.body.run as string)).toBe('Succeeded');
    let runs = 1;
    await cached(env, runs);

    // /test build: build only.
    const [testBuild] = await actionsOf('/test build');
    expect(testBuild).toMatch(/^\/test: started svc-[0-9a-f]{12} \(build\)$/);
    const buildOnly = started(testBuild!);
    expect(run(env, buildOnly).spec).toMatchObject({ jobs: ['build'], metadata: { commitSha: SHA_A, prNumber: '20', actor: 'collaborator' } });
    expect(await phaseOf(env.server, buildOnly)).toBe('Succeeded');
    expect(jobNames(buildOnly)).toEqual(['build']);
    await cached(env, ++runs);

    // An unknown job: answered with the reason, nothing made.
    const [unknown] = await actionsOf('/test build nope');
    expect(unknown).toBe('/test: the pipeline has no job nope (jobs: build, lint, test)');
    expect(env.runs()).toHaveLength(runs);

    // lint fails: /retest runs lint alone.
    env.server.jobs.behave((job) => (job.metadata.labels?.['kayci.dev/job'] === 'lint' ? { outcome: 'fail' } : undefined));
    const failing = started((await actionsOf('/test'))[0]!);
    expect(await phaseOf(env.server, failing)).toBe('Failed');
    await cached(env, ++runs);
    env.server.jobs.behave();
    await env.server.waitFor(() => managerOf(env).context.runs.get(NS, failing)?.status?.phase === 'Failed', 5000, 'failure cached');
    const [retestLint] = await actionsOf('/retest');
    expect(retestLint).toMatch(/^\/retest: started svc-[0-9a-f]{12} \(lint\)$/);
    const lintOnly = started(retestLint!);
    expect(await phaseOf(env.server, lintOnly)).toBe('Succeeded');
    expect(jobNames(lintOnly)).toEqual(['lint']);
    await cached(env, ++runs);

    // build fails, so test is skipped: /retest runs build and test again (lint had passed).
    env.server.jobs.behave((job) => (job.metadata.labels?.['kayci.dev/job'] === 'build' ? { outcome: 'fail' } : undefined));
    const broken = started((await actionsOf('/test'))[0]!);
    expect(await phaseOf(env.server, broken)).toBe('Failed');
    expect(run(env, broken).status.jobs.find((j: Json) => j.name === 'test')).toMatchObject({ phase: 'Skipped', reason: 'NeedsFailed' });
    await cached(env, ++runs);
    env.server.jobs.behave();
    await env.server.waitFor(() => managerOf(env).context.runs.get(NS, broken)?.status?.phase === 'Failed', 5000, 'failure cached');
    const [retestBuild] = await actionsOf('/retest');
    expect(retestBuild).toMatch(/^\/retest: started svc-[0-9a-f]{12} \(build, test\)$/);
    const rebuilt = started(retestBuild!);
    expect(await phaseOf(env.server, rebuilt)).toBe('Succeeded');
    expect(jobNames(rebuilt)).toEqual(['build', 'test']);
    await cached(env, ++runs);
    await env.server.waitFor(() => managerOf(env).context.runs.get(NS, rebuilt)?.status?.phase === 'Succeeded', 5000, 'success cached');
    expect(await actionsOf('/retest')).toEqual([`/retest: no job failed in the last run ${rebuilt}`]);

    // /cancel stops the running Run.
    env.server.jobs.behave(() => ({ outcome: 'hang' }));
    const hanging = started((await actionsOf('/test'))[0]!);
    await env.server.waitFor(() => jobsOf(env, hanging).length > 0, 5000, 'a job running');
    await cached(env, ++runs);
    expect(await actionsOf('/cancel')).toEqual([`/cancel: cancelled ${hanging}`]);
    expect(await phaseOf(env.server, hanging)).toBe('Cancelled');
    await env.server.waitFor(() => managerOf(env).context.runs.get(NS, hanging)?.status?.phase === 'Cancelled', 5000, 'cancel cached');
    expect(await actionsOf('/cancel')).toEqual(['/cancel: no run of pull request #20 is in progress']);

    // Commands from someone untrusted do nothing.
    const res = await send(env, 'issue_comment', comment(20, '/test\n/cancel', 'NONE', 'passerby'));
    expect(res.status).toBe(202);
    expect(env.runs()).toHaveLength(runs);
    console.log(`[webhook] commands: /test build → 1 Job (build); /test nope → "no job nope", 0 Runs; /retest after lint failed → lint only; /retest after build failed (test skipped) → build, test; /cancel → Cancelled; untrusted commands → ignored; ${runs} Runs in all`);
  });
});
