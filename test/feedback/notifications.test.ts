// Notifications end to end: when a Run of a Trigger ends in a phase a notification is `on`, one
// message goes to the Slack-compatible webhook whose URL is in a Secret, and one to the Matrix
// room through the configured homeserver — once, however many times the Run changes afterwards.
import { describe, expect, it } from 'vitest';
import { environment, NS, phaseOf, pipelineObject, runObject } from '../controller/setup.ts';
import { secretObject, triggerObject } from '../webhook/helpers.ts';
import type { KubeObject } from '../harness/fake-apiserver/index.ts';
import { fakeForge } from './forge.ts';

const c = { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.37', command: ['true'] }] } } };

function run(name: string, sha: string): KubeObject {
  return runObject(name, 'svc', { metadata: { trigger: 'notify', provider: 'github', event: 'push', repo: 'acme/svc', commitSha: sha, branch: 'main', ref: 'refs/heads/main' } });
}

describe('notifications', () => {
  it('Slack on Failed (the default), Matrix on Succeeded and Failed: each once, to the configured addresses', async () => {
    const chat = await fakeForge();
    const env = await environment();
    env.server.store.create(pipelineObject('svc', { jobs: [{ name: 'build', template: c }, { name: 'test', needs: ['build'], template: c }] } as never));
    env.server.store.create(secretObject('slack', { url: `${chat.url}/services/T000/B000/XXXXSECRET` }));
    env.server.store.create(secretObject('matrix', { token: 'syt_matrix_token' }));
    env.server.store.create(triggerObject('notify', {
      notifications: [
        { slack: { urlSecretRef: { name: 'slack', key: 'url' } } },
        { on: ['Succeeded', 'Failed'], matrix: { homeserver: `${chat.url}/synapse/`, roomId: '!ops:example.org', tokenSecretRef: { name: 'matrix', key: 'token' } } },
      ],
    }));
    env.server.jobs.behave((job) => (job.metadata?.labels?.['kayci.dev/run'] === 'broken' && job.metadata?.labels?.['kayci.dev/job'] === 'test' ? { outcome: 'fail', exitCode: 2 } : undefined));
    const m = await env.start();
    await env.server.waitFor(() => m.context.triggers.get(NS, 'notify'), 5000, 'trigger cached');

    env.server.store.create(run('broken', 'a'.repeat(40)));
    env.server.store.create(run('fine', 'b'.repeat(40)));
    expect(await phaseOf(env.server, 'broken')).toBe('Failed');
    expect(await phaseOf(env.server, 'fine')).toBe('Succeeded');
    await env.server.waitFor(() => chat.requests.length >= 3, 10_000, 'notifications');
    await m.feedback.idle();

    // Later changes of finished Runs (labels, annotations) notify nobody again.
    for (const name of ['broken', 'fine']) {
      env.server.store.mutate('runs', NS, name, (draft) => {
        draft.metadata!.annotations = { ...draft.metadata!.annotations, touched: 'yes' };
      });
    }
    await env.server.waitFor(() => ['broken', 'fine'].every((n) => m.context.runs.get(NS, n)?.metadata?.annotations?.touched === 'yes'), 5000, 'updates seen');
    await m.feedback.idle();

    const slack = chat.requests.filter((r) => r.path.startsWith('/services/'));
    const matrix = chat.requests.filter((r) => r.path.startsWith('/synapse/'));
    expect(chat.requests).toHaveLength(3);
    expect(slack).toHaveLength(1);
    expect(slack[0]).toMatchObject({ method: 'POST', path: '/services/T000/B000/XXXXSECRET' });
    expect((slack[0]!.body as { text: string }).text).toMatch(/^kayci: svc run broken failed \(branch main, commit a{12}\): failed: test/);
    expect(matrix).toHaveLength(2);
    for (const r of matrix) {
      expect(r.method).toBe('PUT');
      expect(r.path).toMatch(/^\/synapse\/_matrix\/client\/v3\/rooms\/!ops%3Aexample\.org\/send\/m\.room\.message\/[0-9a-f]{32}$/);
      expect(r.headers.authorization).toBe('Bearer syt_matrix_token');
      expect(r.body).toMatchObject({ msgtype: 'm.text' });
    }
    expect(matrix.map((r) => (r.body as { body: string }).body.split(':')[1]!.trim()).sort()).toEqual(['svc run broken failed (branch main, commit aaaaaaaaaaaa)', 'svc run fine succeeded (branch main, commit bbbbbbbbbbbb)']);
    expect(m.metrics.feedback.get({ kind: 'slack', result: 'ok' })).toBe(1);
    expect(m.metrics.feedback.get({ kind: 'matrix', result: 'ok' })).toBe(2);
  });
});
