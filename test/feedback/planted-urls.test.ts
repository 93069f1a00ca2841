// Attacker URLs planted in payloads receive 0 requests: GitHub's own push and pull_request
// examples (@octokit/webhooks-examples), every URL-looking string in them pointed at an
// "attacker" server on loopback, are signed and sent through the real webhook endpoint. The Runs
// they make run to the end and their statuses go to the API the Trigger names — and only there.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { phaseOf } from '../controller/setup.ts';
import { githubHeaders, hookEnv, post } from '../webhook/helpers.ts';
import { fakeForge, githubChecker } from './forge.ts';

interface Example {
  readonly name: string;
  readonly examples: Record<string, unknown>[];
}

const require = createRequire(import.meta.url);
const EXAMPLES = require('@octokit/webhooks-examples') as Example[];
const URLISH = /^([a-z][a-z0-9+.-]*:\/\/|git@|\/\/)/i;

/** A deep copy with every URL-looking string replaced by one on `attacker`; counts them. */
function plant(value: unknown, attacker: string, counter: { n: number }, path = ''): unknown {
  if (typeof value === 'string') {
    if (!URLISH.test(value) && !value.includes('://')) return value;
    counter.n++;
    return `${attacker}/planted${path}`;
  }
  if (Array.isArray(value)) return value.map((v, i) => plant(v, attacker, counter, `${path}/${i}`));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plant(v, attacker, counter, `${path}/${k}`)]));
  return value;
}

describe('planted URLs', () => {
  it('push and pull_request examples with every URL pointing at an attacker: 0 requests there, statuses at the configured API', async () => {
    const attacker = await fakeForge();
    const api = await fakeForge();
    const env = await hookEnv({
      webhook: { provider: 'github', secretRefs: [{ name: 'hook-secret', key: 'token' }] },
      feedback: { apiUrl: `${api.url}/api/v3`, tokenSecretRef: { name: 'hook-secret', key: 'token' }, logsUrl: 'https://logs.example.com/{run}/{job}' },
    });
    await env.server.waitFor(() => env.managers[0]!.leader.isLeader(), 10_000, 'leadership');
    const counter = { n: 0 };
    const runs: string[] = [];
    let payloads = 0;
    for (const { name, examples } of EXAMPLES.filter((e) => e.name === 'push' || e.name === 'pull_request')) {
      for (const example of examples) {
        const planted = plant(example, attacker.url, counter) as Record<string, unknown>;
        // Nothing URL-like is left, in any field, at any depth.
        expect(JSON.stringify(planted).match(/https?:\/\/(?!127\.0\.0\.1)/g)).toBeNull();
        const body = JSON.stringify(planted);
        const res = await post(env.url(), body, githubHeaders(name, body));
        expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
        payloads++;
        if (res.status === 201) runs.push(String(res.body.run));
      }
    }
    // The branch and tag pushes, and the opened, reopened and synchronized pull requests.
    expect(runs.length).toBe(10);
    for (const run of runs) expect(await phaseOf(env.server, run)).toBe('Succeeded');
    const overallFinal = (run: string) => api.requests.some((r) => {
      const b = r.body as { context: string; state: string; target_url?: string };
      return b.context === 'kayci/svc' && b.state === 'success' && b.target_url === `https://logs.example.com/${run}/`;
    });
    await env.server.waitFor(() => runs.every(overallFinal), 20_000, 'every Run\'s final status');
    await env.managers[0]!.feedback.idle();

    expect(attacker.requests).toEqual([]);
    const github = githubChecker();
    for (const r of api.requests) {
      expect(github.check(r, '/api/v3')).toEqual([]);
      expect(r.path).toMatch(/^\/api\/v3\/repos\/Codertocat\/Hello-World\/statuses\/[0-9a-f]{40}$/);
    }
    console.log(`[feedback] ${counter.n} URLs planted in ${payloads} push and pull_request examples (${runs.length} Runs): ${attacker.requests.length} requests to the attacker, ${api.requests.length} status requests to the configured API, all valid against @octokit/openapi ${github.version}`);
  });
});
