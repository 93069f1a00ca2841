// Nothing in a payload decides where kayci sends a request: every URL in every octokit example
// and GitLab's documented payloads is pointed at an "attacker" server on loopback, the deliveries
// (and comment commands that make kayci look up a GitLab access level) go through the real
// endpoint with real outgoing HTTP, and the attacker server receives nothing. The lookups go to
// the Trigger's configured API URL only.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { phaseOf } from '../controller/setup.ts';
import { githubHeaders, gitlabHeaders, hookEnv, managerOf, NS, octokitExamples, pool, post, secretObject, SECRET, triggerObject } from './helpers.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Recorder {
  readonly url: string;
  readonly requests: { method: string; url: string }[];
  close(): Promise<void>;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

async function recorder(answer: (req: IncomingMessage) => { status: number; body: string }): Promise<Recorder> {
  const requests: { method: string; url: string }[] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '' });
    req.resume();
    const { status, body } = answer(req);
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((r) => server.close(() => r())) };
}

const URLISH = /^(https?:\/\/|git@|ssh:\/\/|git:\/\/)/;

/** A copy of the payload with every URL-like string pointing at `base`; answers how many were changed. */
function plant(payload: unknown, base: string): { payload: unknown; planted: number } {
  let planted = 0;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string' && URLISH.test(v)) {
      planted++;
      return `${base}/planted/${encodeURIComponent(v).slice(0, 200)}`;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return { payload: walk(payload), planted };
}

describe('URLs planted in payloads', () => {
  it('receive no request, whatever the delivery', async () => {
    const attacker = await recorder(() => ({ status: 200, body: '{"access_level":50}' }));
    const api = await recorder((req) => (req.method === 'GET' ? { status: 200, body: '{"access_level":40}' } : { status: 201, body: '{}' }));
    const secretRefs = [{ name: 'hook-secret', key: 'token' }];
    const feedback = { apiUrl: `${api.url}/api/v4`, tokenSecretRef: { name: 'api-token', key: 'token' } };
    const env = await hookEnv({ webhook: { provider: 'github', secretRefs }, feedback: { ...feedback, apiUrl: api.url } });
    env.server.store.create(secretObject('api-token', { token: 'api-token-value' }));
    env.server.store.create(triggerObject('gl', { webhook: { provider: 'gitlab', secretRefs }, feedback }));
    const m = managerOf(env);
    await env.server.waitFor(() => m.context.triggers.get(NS, 'gl'), 5000, 'trigger cached');

    let planted = 0;
    let sent = 0;
    const examples = octokitExamples();
    await pool(examples, 4, async (ex, i) => {
      const p = plant(ex.payload, attacker.url);
      planted += p.planted;
      const body = JSON.stringify(p.payload);
      const res = await post(env.url(), body, githubHeaders(ex.event, body, SECRET, `planted-${i}`));
      expect(res.status).toBeLessThan(500);
      sent++;
    });
    // GitLab: the documented payloads, a fork merge request (its author's access is looked up)
    // and a note with a command (the commenter's access is looked up).
    const fixture = (name: string) => JSON.parse(readFileSync(new URL(`fixtures/gitlab/${name}.json`, import.meta.url), 'utf8')) as Json;
    const mr = fixture('merge-request');
    mr.object_attributes.source_project_id = 99;
    const note = fixture('note-merge-request');
    note.object_attributes.note = '/test';
    note.project = mr.project;
    note.merge_request.iid = mr.object_attributes.iid;
    const gitlab: [string, Json][] = [['Push Hook', fixture('push')], ['Tag Push Hook', fixture('tag-push')], ['Merge Request Hook', mr], ['Note Hook', note]];
    for (const [i, [event, payload]] of gitlab.entries()) {
      const p = plant(payload, attacker.url);
      planted += p.planted;
      if (event === 'Note Hook') await env.server.waitFor(() => m.context.runs.list(NS).some((r) => r.spec.metadata?.provider === 'gitlab' && r.spec.metadata.prNumber === '1'), 5000, 'merge request run cached');
      const res = await post(env.url('gl'), JSON.stringify(p.payload), gitlabHeaders(event, SECRET, `planted-gitlab-${i}`));
      expect(res.status, `${event}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
      sent++;
    }

    // Every Run finishes (and reports, where feedback does), then the attacker is asked.
    const runs = env.runs();
    expect(runs.length).toBeGreaterThan(10);
    for (const r of runs) {
      if (r.spec && (r.spec as Json).hold) continue;
      await phaseOf(env.server, r.metadata!.name!);
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(attacker.requests).toEqual([]);
    const lookups = api.requests.filter((r) => r.method === 'GET');
    expect(lookups.length).toBeGreaterThanOrEqual(2);
    for (const l of lookups) expect(l.url).toMatch(/^\/api\/v4\/projects\/gitlabhq%2Fgitlab-test\/members\/all\/\d+$/);
    console.log(`[webhook] planted URLs: ${planted} URLs in ${sent} deliveries pointed at an attacker server → ${attacker.requests.length} requests to it; ${runs.length} Runs; ${api.requests.length} requests to the Trigger's API URL (${lookups.length} access lookups)`);
  });
});
