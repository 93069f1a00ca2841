// Exactly once: every delivery that makes a Run (the mapped octokit examples, a held fork pull
// request, GitLab's documented payloads, a generic delivery, a `/test` comment) sent 10 times,
// 5 at a time, as senders do on timeouts and as duplicates arrive concurrently. Each delivery
// makes one Run: one create the API server accepted, every answer 2xx, one of them "created".
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { githubDelivery } from '../../src/webhook/github.ts';
import { genericHeaders, githubHeaders, gitlabHeaders, hookEnv, managerOf, NS, octokitExamples, post, runCreates, SECRET, triggerObject, type Response } from './helpers.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const REPLAYS = 10;
const CONCURRENT = 5;
const secretRefs = [{ name: 'hook-secret', key: 'token' }];

interface Delivery {
  readonly what: string;
  readonly url: string;
  readonly body: string;
  readonly headers: Record<string, string>;
}

/** Sends each delivery REPLAYS times, CONCURRENT at a time; answers the responses per delivery. */
async function replay(deliveries: readonly Delivery[]): Promise<Response[][]> {
  const out: Response[][] = [];
  for (const d of deliveries) {
    const answers: Response[] = [];
    for (let sent = 0; sent < REPLAYS; sent += CONCURRENT) {
      answers.push(...(await Promise.all(Array.from({ length: Math.min(CONCURRENT, REPLAYS - sent) }, () => post(d.url, d.body, d.headers)))));
    }
    out.push(answers);
  }
  return out;
}

function gitlabFixture(name: string): string {
  return readFileSync(new URL(`fixtures/gitlab/${name}.json`, import.meta.url), 'utf8');
}

describe('replayed deliveries', () => {
  it(`each mapped delivery sent ${REPLAYS}× (${CONCURRENT} at a time) makes exactly one Run`, async () => {
    const env = await hookEnv({ webhook: { provider: 'github', secretRefs } });
    env.server.store.create(triggerObject('gl', { webhook: { provider: 'gitlab', secretRefs } }));
    env.server.store.create(triggerObject('plain', { webhook: { provider: 'generic', secretRefs } }));
    const m = managerOf(env);
    await env.server.waitFor(() => m.context.triggers.get(NS, 'gl') && m.context.triggers.get(NS, 'plain'), 5000, 'triggers cached');

    const deliveries: Delivery[] = [];
    for (const ex of octokitExamples()) {
      if (githubDelivery(ex.event, ex.payload).kind !== 'build') continue;
      const body = JSON.stringify(ex.payload);
      deliveries.push({ what: `${ex.event}#${ex.index}`, url: env.url(), body, headers: githubHeaders(ex.event, body, SECRET, `replay-${ex.event}-${ex.index}`) });
    }
    const mapped = deliveries.length;
    expect(mapped).toBeGreaterThanOrEqual(10);
    // A pull request from a fork by a first-time contributor: held, and its duplicates never cancel it.
    const pr = structuredClone(octokitExamples().find((ex) => ex.event === 'pull_request' && ex.payload.action === 'opened')!.payload) as Json;
    pr.number = pr.pull_request.number = 77;
    pr.pull_request.head.repo = { ...pr.pull_request.head.repo, full_name: 'mallory/Hello-World' };
    pr.pull_request.author_association = 'FIRST_TIME_CONTRIBUTOR';
    const fork = JSON.stringify(pr);
    deliveries.push({ what: 'fork pull_request', url: env.url(), body: fork, headers: githubHeaders('pull_request', fork, SECRET, 'replay-fork') });
    for (const [event, name] of [['Push Hook', 'push'], ['Tag Push Hook', 'tag-push'], ['Merge Request Hook', 'merge-request']] as const) {
      deliveries.push({ what: `GitLab ${event}`, url: env.url('gl'), body: gitlabFixture(name), headers: gitlabHeaders(event, SECRET, `replay-gitlab-${name}`) });
    }
    const generic = JSON.stringify({ ref: 'refs/heads/main', sha: 'c'.repeat(40), repo: 'acme/svc', params: {} });
    deliveries.push({ what: 'generic', url: env.url('plain'), body: generic, headers: genericHeaders(generic) });

    const answers = await replay(deliveries);
    const problems: string[] = [];
    answers.forEach((a, i) => {
      const what = deliveries[i]!.what;
      // One answer says it created the Run (201); the others met it (200).
      const statuses = a.map((r) => r.status).sort().join(' ');
      if (statuses !== [...Array<number>(REPLAYS - 1).fill(200), 201].join(' ')) problems.push(`${what}: ${statuses}`);
      if (new Set(a.map((r) => r.body.run)).size !== 1) problems.push(`${what}: answers name ${new Set(a.map((r) => r.body.run)).size} Runs`);
    });
    expect(problems).toEqual([]);
    // Runs in the store, and creates the API server accepted: one per delivery.
    const runs = env.runs() as Json[];
    expect(runs).toHaveLength(deliveries.length);
    expect(runCreates(env, 201)).toBe(deliveries.length);
    expect(new Set(answers.map((a) => a[0]!.body.run))).toEqual(new Set(runs.map((r) => r.metadata.name)));
    // The held fork Run was not cancelled by its own duplicates.
    const held = runs.find((r) => r.metadata.labels['kayci.dev/pull-request'] === '77')!;
    expect(held.spec).toMatchObject({ hold: true, untrusted: true });
    expect(held.spec.cancel).not.toBe(true);

    // A `/test` comment replayed: one Run for the comment, whatever the number of copies.
    await env.server.waitFor(() => m.context.runs.list(NS).length === runs.length, 5000, 'runs cached');
    const ic = structuredClone(octokitExamples().find((ex) => ex.event === 'issue_comment' && ex.payload.action === 'created')!.payload) as Json;
    ic.issue.number = 2;
    ic.issue.pull_request = { url: 'https://api.github.com/repos/Codertocat/Hello-World/pulls/2' };
    ic.comment.body = '/test';
    const comment = JSON.stringify(ic);
    const [commentAnswers] = await replay([{ what: 'comment', url: env.url(), body: comment, headers: githubHeaders('issue_comment', comment, SECRET, 'replay-comment') }]);
    expect(commentAnswers!.map((r) => r.status)).toEqual(Array(REPLAYS).fill(200));
    const actions = commentAnswers!.map((r) => (r.body.actions as string[])[0]!);
    expect(actions.filter((a) => a.startsWith('/test: started '))).toHaveLength(1);
    expect(actions.filter((a) => a.startsWith('/test: already started '))).toHaveLength(REPLAYS - 1);
    expect(env.runs()).toHaveLength(deliveries.length + 1);
    expect(runCreates(env, 201)).toBe(deliveries.length + 1);

    const sent = (deliveries.length + 1) * REPLAYS;
    // Copies met in the cache or in flight are not sent to the API server at all (one create per
    // delivery here, typically); without that, every copy would be a create answered 409.
    expect(runCreates(env)).toBeLessThan(sent / 2);
    console.log(`[webhook] replay: ${deliveries.length + 1} deliveries (${mapped} octokit, 1 held fork, 3 GitLab, 1 generic, 1 /test comment) × ${REPLAYS} (${CONCURRENT} concurrent) = ${sent} POSTs, all 2xx: ${env.runs().length} Runs, ${runCreates(env, 201)} run creates accepted of ${runCreates(env)} attempted`);
  });
});
