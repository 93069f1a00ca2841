// Webhook test setup: a controller with its webhook endpoint on loopback, against the fake API
// server, with a Pipeline, a Trigger and its Secrets; and senders that sign like GitHub, GitLab
// and kayci's generic webhook.
import { createHash, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import type { PipelineSpec } from '../../src/api/v1alpha1/pipeline.ts';
import type { TriggerSpec } from '../../src/api/v1alpha1/trigger.ts';
import type { Manager, ManagerOptions } from '../../src/controller/manager.ts';
import { signHex } from '../../src/webhook/verify.ts';
import type { KubeObject } from '../harness/fake-apiserver/index.ts';
import { environment, NS, pipelineObject, type Env } from '../controller/setup.ts';

export { NS };
export const SECRET = 'It\'s a Secret to Everybody';

export interface HookEnv extends Env {
  readonly url: (trigger?: string, namespace?: string) => string;
  readonly runs: () => KubeObject[];
}

export function twoJobs(): PipelineSpec {
  const c = (job: string) => ({ template: { spec: { containers: [{ name: job, image: 'busybox:1.37', command: ['true'], env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'deploy', key: 'token' } } }] }] } } });
  // Runs are counted by the tests: retention must not delete any while they do.
  return { retention: { succeeded: 10_000, failed: 10_000 }, jobs: [{ name: 'build', template: c('build') }, { name: 'test', needs: ['build'], template: c('test') }] } as PipelineSpec;
}

export function secretObject(name: string, data: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: NS }, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) } as unknown as KubeObject;
}

export function triggerObject(name: string, spec: Partial<TriggerSpec>): KubeObject {
  return { apiVersion: 'kayci.dev/v1alpha1', kind: 'Trigger', metadata: { name, namespace: NS }, spec: { pipelineRef: { name: 'svc' }, ...spec } } as unknown as KubeObject;
}

/** A controller serving webhooks for Trigger `hook` (provider as given) of Pipeline `svc`. */
export async function hookEnv(webhook: Partial<TriggerSpec>, options: Partial<ManagerOptions> = {}, pipeline: PipelineSpec = twoJobs()): Promise<HookEnv> {
  const env = await environment();
  env.server.store.create(pipelineObject('svc', pipeline));
  env.server.store.create(secretObject('hook-secret', { token: SECRET }));
  env.server.store.create(triggerObject('hook', webhook));
  const m = await env.start({ port: 0, host: '127.0.0.1', ...options } as Partial<ManagerOptions>);
  await env.server.waitFor(() => m.context.triggers.get(NS, 'hook'), 5000, 'trigger cached');
  return {
    ...env,
    url: (trigger = 'hook', namespace = NS) => `http://127.0.0.1:${m.port}/hooks/${namespace}/${trigger}`,
    runs: () => env.server.store.list('runs', NS),
  };
}

export interface Response {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** POSTs raw bytes with the given headers; answers status and parsed JSON body. */
export function post(url: string, body: Buffer | string, headers: Record<string, string>): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: Record<string, unknown> = {};
        try {
          parsed = JSON.parse(text) as Record<string, unknown>;
        } catch {
          parsed = { text };
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

export function githubHeaders(event: string, body: Buffer | string, secret = SECRET, delivery: string = randomUUID()): Record<string, string> {
  return { 'x-github-event': event, 'x-github-delivery': delivery, 'x-hub-signature-256': signHex(body, secret), 'user-agent': 'GitHub-Hookshot/test' };
}

export function gitlabHeaders(event: string, token = SECRET, uuid: string = randomUUID()): Record<string, string> {
  return { 'x-gitlab-event': event, 'x-gitlab-token': token, 'x-gitlab-event-uuid': uuid, 'idempotency-key': uuid };
}

export function genericHeaders(body: Buffer | string, secret = SECRET, delivery: string = createHash('sha256').update(body).digest('hex')): Record<string, string> {
  return { 'x-kayci-signature-256': signHex(body, secret), 'x-kayci-delivery': delivery };
}

/** The Manager serving the webhooks of a HookEnv. */
export function managerOf(env: Env): Manager {
  return env.managers[0]!;
}

export interface OctokitExample {
  /** The X-GitHub-Event name. */
  readonly event: string;
  readonly index: number;
  readonly payload: Record<string, unknown>;
}

/** Every example of @octokit/webhooks-examples, in the package's order. */
export function octokitExamples(): OctokitExample[] {
  const all = createRequire(import.meta.url)('@octokit/webhooks-examples') as { name: string; examples: Record<string, unknown>[] }[];
  return all.flatMap((group) => group.examples.map((payload, index) => ({ event: group.name, index, payload })));
}

/** Calls fn on every item, at most `concurrency` at a time; answers the results in order. */
export async function pool<T, R>(items: readonly T[], concurrency: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}

/** POSTs to the runs resource the API server answered with `status` (all when omitted). */
export function runCreates(env: Env, status?: number): number {
  return env.server.requestsMatching({ verb: 'create', resource: 'runs', ...(status === undefined ? {} : { status }) }).length;
}
