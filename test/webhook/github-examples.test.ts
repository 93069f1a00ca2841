// Every example payload of @octokit/webhooks-examples through the real endpoint: signed as GitHub
// signs, each is accepted with the metadata the payload says (push, tag, pull_request opened,
// synchronize, reopened), read as a command (issue_comment on a pull request), or answered 2xx
// with the reason it is ignored; never a 5xx. The same examples tampered with are 401 and make
// nothing. The expectations are written here from GitHub's payload documentation, not from the
// mapping code under test.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signHex } from '../../src/webhook/verify.ts';
import { githubHeaders, hookEnv, managerOf, NS, octokitExamples, pool, post, runCreates, SECRET, type OctokitExample } from './helpers.ts';

const webhook = { webhook: { provider: 'github' as const, secretRefs: [{ name: 'hook-secret', key: 'token' }] } };
const TRUSTED = ['OWNER', 'MEMBER', 'COLLABORATOR'];
const PR_ACTIONS = ['opened', 'synchronize', 'reopened'];

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

type Expected =
  | { kind: 'build'; metadata: Record<string, unknown>; held: boolean; pr?: string }
  | { kind: 'comment' }
  | { kind: 'ignore' };

/** What GitHub's documentation says a delivery means for a CI system, field by field. */
function expected(event: string, p: Json): Expected {
  const repo = { repo: p.repository?.full_name, repoUrl: p.repository?.clone_url, actor: p.sender?.login };
  if (event === 'push') {
    if (p.deleted) return { kind: 'ignore' };
    const ref: string = p.ref;
    if (ref.startsWith('refs/tags/')) return { kind: 'build', held: false, metadata: clean({ trigger: 'hook', provider: 'github', event: 'tag', ref, tag: ref.slice(10), commitSha: p.after, ...repo }) };
    if (!ref.startsWith('refs/heads/')) return { kind: 'ignore' };
    const files = [...new Set((p.commits as Json[]).flatMap((c) => [...c.added, ...c.modified, ...c.removed] as string[]))];
    return { kind: 'build', held: false, metadata: clean({ trigger: 'hook', provider: 'github', event: 'push', ref, branch: ref.slice(11), commitSha: p.after, ...repo, changedFiles: files }) };
  }
  if (event === 'pull_request') {
    if (!PR_ACTIONS.includes(p.action)) return { kind: 'ignore' };
    const pr = p.pull_request;
    const fork = pr.head.repo?.full_name !== pr.base.repo.full_name;
    return {
      kind: 'build',
      held: fork && !TRUSTED.includes(pr.author_association),
      pr: String(pr.number),
      metadata: clean({ trigger: 'hook', provider: 'github', event: 'pull_request', ref: `refs/pull/${pr.number}/head`, branch: pr.head.ref, commitSha: pr.head.sha, prNumber: String(pr.number), prBaseRef: pr.base.ref, ...repo }),
    };
  }
  if (event === 'issue_comment' && p.action === 'created' && p.issue?.pull_request) return { kind: 'comment' };
  return { kind: 'ignore' };
}

function clean(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ''));
}

function deliveryId(ex: OctokitExample): string {
  return `${ex.event}-${ex.index}-0b1c2d3e`;
}

describe('GitHub: every @octokit/webhooks-examples payload', () => {
  it('signed correctly: accepted with the payload’s metadata, or ignored with a reason; never 5xx', async () => {
    const env = await hookEnv(webhook);
    const examples = octokitExamples();
    expect(examples.length).toBeGreaterThan(300);
    const failures: string[] = [];
    const counts = { accepted: 0, held: 0, comments: 0, ignored: 0, fivexx: 0 };
    const builds = new Map<string, { ex: OctokitExample; want: Extract<Expected, { kind: 'build' }> }>();

    await pool(examples, 4, async (ex) => {
      const body = JSON.stringify(ex.payload);
      const res = await post(env.url(), body, githubHeaders(ex.event, body, SECRET, deliveryId(ex)));
      const want = expected(ex.event, ex.payload);
      const where = `${ex.event}#${ex.index} (${String(ex.payload.action ?? '')})`;
      if (res.status >= 500) counts.fivexx++;
      if (want.kind === 'build') {
        if (res.status !== 201 || res.body.created !== true) failures.push(`${where}: want 201 created, got ${res.status} ${JSON.stringify(res.body)}`);
        else counts.accepted++;
        if (want.held) counts.held++;
        if ((res.body.held === true) !== want.held) failures.push(`${where}: held ${String(res.body.held)}, want ${want.held}`);
        builds.set(deliveryId(ex), { ex, want });
      } else if (want.kind === 'comment') {
        if (res.status !== 200 && res.status !== 202) failures.push(`${where}: comment answered ${res.status}`);
        else counts.comments++;
      } else if (res.status !== 202 || typeof res.body.ignored !== 'string' || res.body.ignored.length === 0) {
        failures.push(`${where}: want 202 with a reason, got ${res.status} ${JSON.stringify(res.body)}`);
      } else counts.ignored++;
    });
    expect(failures).toEqual([]);
    expect(counts.fivexx).toBe(0);

    // Each Run carries exactly the payload's fields, found by the delivery it came from.
    const runs = env.runs() as Json[];
    expect(runs).toHaveLength(builds.size);
    for (const run of runs) {
      const b = builds.get(run.metadata.annotations['kayci.dev/delivery']);
      expect(b, run.metadata.name).toBeDefined();
      const where = `${b!.ex.event}#${b!.ex.index}`;
      expect(run.spec.metadata, where).toEqual(b!.want.metadata);
      expect(run.spec.hold === true, where).toBe(b!.want.held);
      expect(run.spec.untrusted === true, where).toBe(b!.want.held);
      expect(run.metadata.labels['kayci.dev/pull-request'], where).toBe(b!.want.pr);
      expect(run.metadata.name).toMatch(/^svc-[0-9a-f]{12}$/);
    }
    // The mapped events are all here: pushes to a branch, a tag, and each pull request action that runs.
    const events = new Set(runs.map((r) => `${r.spec.metadata.event}`));
    expect([...events].sort()).toEqual(['pull_request', 'push', 'tag']);
    console.log(`[webhook] ${examples.length} octokit examples: ${counts.accepted} accepted (${counts.held} held), ${counts.comments} comments read, ${counts.ignored} ignored with a reason, ${counts.fivexx} 5xx; ${runs.length} Runs`);

    // issue_comment examples are comments on issues; on a pull request (issue.pull_request set),
    // a trusted commenter's `/test build` repeats the pull request's last run, for `build` only.
    const m = managerOf(env);
    const prRuns = runs.filter((r) => r.metadata.labels['kayci.dev/pull-request'] === '2');
    await env.server.waitFor(() => m.context.runs.list(NS).filter((r) => r.metadata?.labels?.['kayci.dev/pull-request'] === '2').length === prRuns.length, 5000, 'pull request runs cached');
    const heads = new Set(prRuns.map((r) => r.spec.metadata.commitSha));
    const comments = examples.filter((ex) => ex.event === 'issue_comment' && ex.payload.action === 'created');
    expect(comments.length).toBeGreaterThan(0);
    let started = 0;
    for (const ex of comments) {
      const p = structuredClone(ex.payload) as Json;
      p.issue.number = 2;
      p.issue.pull_request = { url: 'https://api.github.com/repos/Codertocat/Hello-World/pulls/2' };
      p.comment.body = 'Looks good.\r\n/test build';
      const body = JSON.stringify(p);
      const id = `${deliveryId(ex)}-on-pr`;
      const res = await post(env.url(), body, githubHeaders('issue_comment', body, SECRET, id));
      const trusted = TRUSTED.includes(p.comment.author_association);
      if (!trusted) {
        expect(res.status).toBe(202);
        continue;
      }
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect((res.body.actions as string[])[0]).toMatch(/^\/test: started svc-[0-9a-f]{12} \(build\)$/);
      const name = /svc-[0-9a-f]{12}/.exec((res.body.actions as string[])[0]!)![0];
      const run = env.server.store.get('runs', NS, name) as Json;
      expect(run.spec.jobs).toEqual(['build']);
      expect(heads.has(run.spec.metadata.commitSha)).toBe(true);
      expect(run.spec.metadata).toMatchObject({ prNumber: '2', event: 'pull_request', actor: p.comment.user.login, repo: 'Codertocat/Hello-World' });
      started++;
    }
    expect(started).toBeGreaterThan(0);
    console.log(`[webhook] ${comments.length} octokit issue_comment examples put on pull request #2 with "/test build": ${started} Runs of build`);
  });

  it('tampered with: 401, no Run, no 5xx', async () => {
    const env = await hookEnv(webhook);
    const examples = octokitExamples();
    const tampers: [string, (body: Buffer, i: number) => { body: Buffer | string; signature?: string }][] = [
      ['wrong secret', (b) => ({ body: b, signature: signHex(b, `${SECRET}!`) })],
      ['flipped byte', (b, i) => {
        const f = Buffer.from(b);
        const at = (i * 7919) % f.length;
        f[at] = f[at]! ^ 0x01;
        return { body: f, signature: signHex(b, SECRET) };
      }],
      ['re-serialized JSON', (b) => ({ body: JSON.stringify(JSON.parse(b.toString('utf8')), null, 2), signature: signHex(b, SECRET) })],
      ['missing header', (b) => ({ body: b })],
      ['uppercase hex', (b) => ({ body: b, signature: `sha256=${signHex(b, SECRET).slice(7).toUpperCase()}` })],
      ['short', (b) => ({ body: b, signature: signHex(b, SECRET).slice(0, -1) })],
      ['empty', (b) => ({ body: b, signature: '' })],
      ['sha1=', (b) => ({ body: b, signature: `sha1=${createHmac('sha1', SECRET).update(b).digest('hex')}` })],
    ];
    const cases = examples.flatMap((ex, i) => tampers.map(([what, tamper]) => ({ ex, i, what, tamper })));
    const statuses = new Map<number, number>();
    const wrong: string[] = [];
    await pool(cases, 8, async ({ ex, i, what, tamper }) => {
      const original = Buffer.from(JSON.stringify(ex.payload));
      const { body, signature } = tamper(original, i);
      const headers: Record<string, string> = { 'x-github-event': ex.event, 'x-github-delivery': `tampered-${i}-${what.replace(/\W/g, '')}` };
      if (signature !== undefined) headers['x-hub-signature-256'] = signature;
      const res = await post(env.url(), body, headers);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status !== 401) wrong.push(`${ex.event}#${ex.index} ${what}: ${res.status}`);
    });
    expect(wrong).toEqual([]);
    expect(statuses.get(401)).toBe(cases.length);
    expect(env.runs()).toHaveLength(0);
    expect(runCreates(env)).toBe(0);
    console.log(`[webhook] ${examples.length} octokit examples × ${tampers.length} tamperings (${tampers.map(([w]) => w).join(', ')}): ${statuses.get(401) ?? 0} of ${cases.length} answered 401, 0 Runs, 0 run creates, ${[...statuses].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0)} 5xx`);
  });
});
