// The reporter on its own, with an injected Send and hand-made caches: only the leader sends,
// leadership gained means everything current is posted once more (as after a restart), finished
// Runs long past are left alone, bad destinations are refused, and a Send that throws or hangs
// never reaches the caller.
import { describe, expect, it } from 'vitest';
import type { RunObject, TriggerObject } from '../../src/controller/context.ts';
import { FeedbackReporter, type FeedbackReporterOptions } from '../../src/controller/feedback/reporter.ts';
import type { OutgoingRequest, Send } from '../../src/feedback/http.ts';
import { jsonLogger } from '../../src/controller/log.ts';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const c = { template: { spec: { containers: [{ name: 'main', image: 'busybox' }] } } };

function run(name: string, status?: RunObject['status'], repo = 'acme/svc'): RunObject {
  return {
    apiVersion: 'kayci.dev/v1alpha1',
    kind: 'Run',
    metadata: { name, namespace: 'ci', uid: `uid-${name}` },
    spec: { pipelineRef: { name: 'svc' }, pipelineSpec: { jobs: [{ name: 'build', template: c }] }, metadata: { trigger: 'hook', repo, commitSha: 'a'.repeat(40), branch: 'main' } },
    status,
  } as unknown as RunObject;
}

const trigger = {
  apiVersion: 'kayci.dev/v1alpha1',
  kind: 'Trigger',
  metadata: { name: 'hook', namespace: 'ci' },
  spec: {
    pipelineRef: { name: 'svc' },
    webhook: { provider: 'github', secretRefs: [{ name: 's', key: 'k' }] },
    feedback: { apiUrl: 'https://ghe.example.com/api/v3', tokenSecretRef: { name: 'gh', key: 'token' } },
    notifications: [{ slack: { urlSecretRef: { name: 'slack', key: 'url' } } }],
  },
} as unknown as TriggerObject;

function setup(runs: RunObject[], extra: Partial<FeedbackReporterOptions> = {}) {
  const sent: OutgoingRequest[] = [];
  const logs: Record<string, unknown>[] = [];
  let leader = false;
  const send: Send = async (r) => {
    sent.push(r);
    return { status: 201, body: '{}' };
  };
  const secrets = { value: async (_ns: string, ref: { name: string }) => (ref.name === 'gh' ? 'tok' : ref.name === 'slack' ? 'https://hooks.example.com/services/x' : undefined) };
  const reporter = new FeedbackReporter({
    runs: { list: () => runs },
    triggers: { get: (_ns, name) => (name === 'hook' ? trigger : undefined) },
    secrets,
    send,
    log: jsonLogger((l) => logs.push(JSON.parse(l) as Record<string, unknown>), 'debug'),
    isLeader: () => leader,
    now: () => new Date(NOW),
    leaderPollMs: 5,
    ...extra,
  });
  return { reporter, sent, logs, lead: (v: boolean) => (leader = v) };
}

/** Polls `cond` (no timing asserted: only a bound against hanging forever). */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
}

const contexts = (sent: OutgoingRequest[]) => sent.map((r) => `${(r.body as { context: string; state: string }).context}=${(r.body as { state: string }).state}`);

describe('feedback reporter', () => {
  it('posts nothing while not leading; on gaining leadership posts everything current once', async () => {
    const r1 = run('r1', { phase: 'Running', jobs: [{ name: 'build', phase: 'Running' }] });
    const { reporter, sent, lead } = setup([r1]);
    reporter.observe(r1);
    await reporter.idle();
    expect(sent).toEqual([]);
    lead(true);
    reporter.observe(r1);
    await reporter.idle();
    expect(contexts(sent)).toEqual(['kayci/svc/build=pending', 'kayci/svc=pending']);
    expect(sent[0]!.url).toBe(`https://ghe.example.com/api/v3/repos/acme/svc/statuses/${'a'.repeat(40)}`);
    expect(sent[0]!.headers.Authorization).toBe('Bearer tok');
    // The same Run again: nothing changed, nothing sent.
    reporter.observe(r1);
    await reporter.idle();
    expect(sent).toHaveLength(2);
    // Leadership lost and regained (a failover, a restart): everything current once more.
    lead(false);
    reporter.observe(r1);
    lead(true);
    reporter.observe(r1);
    await reporter.idle();
    expect(sent).toHaveLength(4);
    reporter.stop();
  });

  it('a new reporter (a restart) posts what is current once; Runs finished long ago are left alone', async () => {
    const done = (name: string, minutesAgo: number) => run(name, { phase: 'Succeeded', startTime: new Date(NOW - minutesAgo * 60_000 - 5000).toISOString(), completionTime: new Date(NOW - minutesAgo * 60_000).toISOString(), jobs: [{ name: 'build', phase: 'Succeeded' }] });
    const runs = [done('recent', 2), done('old', 180), run('going', { phase: 'Running' })];
    const { reporter, sent, lead } = setup(runs);
    // No event at all: the leadership check alone posts what the cache holds.
    lead(true);
    await until(() => sent.length > 0);
    await reporter.idle();
    const names = sent.filter((s) => s.method === 'POST' && s.url.includes('/statuses/')).map((s) => (s.body as { description: string }).description);
    expect(names).toEqual(['succeeded', 'succeeded in 5 s', 'waiting to start', 'running']);
    // The Slack notification is for failures only.
    const slack = sent.filter((s) => s.url.startsWith('https://hooks.example.com/'));
    expect(slack).toHaveLength(0);
    reporter.stop();
  });

  it('notifies once per phase; a failover re-announces only Runs that just ended', async () => {
    const failed = (name: string, secondsAgo: number) => run(name, { phase: 'Failed', reason: 'JobFailed', message: 'failed: build', completionTime: new Date(NOW - secondsAgo * 1000).toISOString(), jobs: [{ name: 'build', phase: 'Failed' }] });
    const runs = [failed('now', 1), failed('earlier', 3600)];
    const { reporter, sent, lead } = setup(runs);
    lead(true);
    for (const r of runs) reporter.observe(r);
    for (const r of runs) reporter.observe(r);
    await reporter.idle();
    const slack = sent.filter((s) => s.url.startsWith('https://hooks.example.com/'));
    expect(slack.map((s) => (s.body as { text: string }).text.split(':')[1]!.trim())).toEqual(['svc run now failed (branch main, commit aaaaaaaaaaaa)']);
    reporter.stop();
  });

  it('refuses a repository that is not owner/name, once per Run, and sends nothing', async () => {
    const bad = run('bad', { phase: 'Running' }, 'evil.example.com/x/y');
    const { reporter, sent, logs, lead } = setup([]);
    lead(true);
    reporter.observe(bad);
    reporter.observe({ ...bad, status: { phase: 'Failed' } } as RunObject);
    await reporter.idle();
    expect(sent.filter((s) => s.url.includes('/statuses/'))).toEqual([]);
    expect(logs.filter((l) => l.msg === 'commit statuses not posted')).toHaveLength(1);
    reporter.stop();
  });

  it('a Send that throws synchronously or a missing token never escapes; a Run without trigger, repo or commit posts nothing', async () => {
    const r1 = run('r1', { phase: 'Running' });
    const throwing: Send = () => {
      throw new Error('boom');
    };
    const { reporter, logs, lead } = setup([r1], { send: throwing, retry: { attempts: 2, baseMs: 1, maxMs: 1 } });
    lead(true);
    expect(() => reporter.observe(r1)).not.toThrow();
    await reporter.idle();
    expect(logs.filter((l) => l.msg === 'commit status not posted')).toHaveLength(2);
    reporter.stop();

    const quiet = setup([]);
    quiet.lead(true);
    const noTrigger = run('x');
    noTrigger.spec.metadata = { repo: 'acme/svc', commitSha: 'a'.repeat(40) };
    const noRepo = run('y');
    noRepo.spec.metadata = { trigger: 'hook', commitSha: 'a'.repeat(40) };
    const noSha = run('z');
    noSha.spec.metadata = { trigger: 'hook', repo: 'acme/svc' };
    for (const r of [noTrigger, noRepo, noSha]) quiet.reporter.observe(r);
    await quiet.reporter.idle();
    expect(quiet.sent).toEqual([]);
    quiet.reporter.stop();
  });
});
