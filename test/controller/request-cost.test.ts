// What the controller's work costs in API requests, counted by the fake API server: a one-job Run
// created with its snapshot (as webhooks and cron create it) is one Job create and one Run status
// write, and nothing else of the Run's; Pipeline status follows its Runs without conflicts.
import { describe, expect, it } from 'vitest';
import type { PipelineSpec } from '../../src/api/v1alpha1/pipeline.ts';
import type { PipelineObject } from '../../src/controller/context.ts';
import { runObject as newRun } from '../../src/controller/runs.ts';
import type { RequestRecord } from '../harness/fake-apiserver/index.ts';
import { environment, NS, phaseOf, pipelineObject } from './setup.ts';

const oneJob = { jobs: [{ name: 'only', template: { template: { spec: { containers: [{ name: 'main', image: 'busybox:1.37', command: ['true'] }] } } } }] } as PipelineSpec;

/** `verb resource[/sub][ →code]` of the controller's requests (no watches, lists or leases). */
function costs(requests: readonly RequestRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of requests) {
    if (r.verb === 'watch' || r.verb === 'list' || r.resource === 'leases.coordination.k8s.io') continue;
    const key = `${r.verb} ${r.resource}${r.subresource ? `/${r.subresource}` : ''}${r.status >= 200 && r.status < 300 ? '' : ` →${r.status}`}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

describe('request cost', () => {
  it('a one-job Run costs one Job create and one Run status write', async () => {
    const env = await environment();
    const pipeline = env.server.store.create(pipelineObject('one', oneJob)) as unknown as PipelineObject;
    // "Running" is deferred past the job's end, as in production (the default setup writes it at once).
    await env.start({ settings: { deferRunningMs: 60_000 } });
    await env.server.waitFor(() => env.server.store.get('pipelines', NS, 'one')?.status, 5000, 'the Pipeline status');
    const since = Date.now();
    env.server.store.create(newRun({ pipeline, name: 'r1', metadata: { provider: 'generic' } }) as never);
    expect(await phaseOf(env.server, 'r1')).toBe('Succeeded');
    // Late events of the finished Run (its own status write, the Job's last update) cost nothing more.
    await new Promise((r) => setTimeout(r, 300));
    const runCost = Object.fromEntries(Object.entries(costs(env.server.requestsMatching({ since }))).filter(([k]) => !k.includes('pipelines')));
    console.log('one-job Run:', JSON.stringify(runCost));
    expect(runCost).toEqual({ 'create jobs.batch': 1, 'patch runs.kayci.dev/status': 1 });
  }, 30_000);

  it('Pipeline status follows a burst of Runs with a few patches, no conflicts, no feedback loop', async () => {
    const env = await environment();
    const pipeline = env.server.store.create(pipelineObject('burst', oneJob)) as unknown as PipelineObject;
    await env.start({ settings: { deferRunningMs: 60_000 } });
    await env.server.waitFor(() => env.server.store.get('pipelines', NS, 'burst')?.status, 5000, 'the Pipeline status');
    const since = Date.now();
    const n = 20;
    for (let i = 0; i < n; i++) env.server.store.create(newRun({ pipeline, name: `b${String(i).padStart(2, '0')}`, metadata: { provider: 'generic' }, now: new Date(since + i) }) as never);
    for (let i = 0; i < n; i++) expect(await phaseOf(env.server, `b${String(i).padStart(2, '0')}`)).toBe('Succeeded');
    // The last Run's final phase reaches the Pipeline after the debounce (2 s).
    const lastRun = () => (env.server.store.get('pipelines', NS, 'burst')?.status as { lastRun?: { name?: string; phase?: string } } | undefined)?.lastRun;
    await env.server.waitFor(() => lastRun()?.name === 'b19' && lastRun()?.phase === 'Succeeded', 10_000, 'lastRun b19 Succeeded');
    // Quiet afterwards: no reconcile is fed by the controller's own status patch.
    await new Promise((r) => setTimeout(r, 2500));
    const cost = costs(env.server.requestsMatching({ since }));
    console.log(`${n} one-job Runs:`, JSON.stringify(cost));
    expect(cost['create jobs.batch']).toBe(n);
    expect(cost['patch runs.kayci.dev/status']).toBe(n);
    expect(cost['update runs.kayci.dev/status']).toBeUndefined();
    expect(Object.keys(cost).filter((k) => k.includes('→'))).toEqual([]);
    expect(cost['update pipelines.kayci.dev/status']).toBeUndefined();
    // One patch per debounced batch of phase changes (Runs created, Runs finished), not one per event.
    expect(cost['patch pipelines.kayci.dev/status']).toBeGreaterThanOrEqual(1);
    expect(cost['patch pipelines.kayci.dev/status']).toBeLessThanOrEqual(4);
    expect(lastRun()).toEqual({ name: 'b19', phase: 'Succeeded', creationTime: expect.any(String) });
  }, 60_000);

  it('a chain of jobs: each status write starts from the previous one, never a Conflict with itself', async () => {
    const env = await environment();
    const chain = { jobs: Array.from({ length: 30 }, (_, i) => ({ ...oneJob.jobs[0]!, name: `s${i}`, needs: i > 0 ? [`s${i - 1}`] : undefined })) } as PipelineSpec;
    const pipeline = env.server.store.create(pipelineObject('chain', chain)) as unknown as PipelineObject;
    await env.start();
    const since = Date.now();
    env.server.store.create(newRun({ pipeline, name: 'c1', metadata: { provider: 'generic' } }) as never);
    expect(await phaseOf(env.server, 'c1')).toBe('Succeeded');
    const writes = env.server.requestsMatching({ resource: 'runs', subresource: 'status', since });
    console.log(`30-job chain: ${writes.length} status writes, ${writes.filter((r) => r.status === 409).length} answered 409`);
    expect(writes.filter((r) => r.status !== 200)).toEqual([]);
    // About a write per job started (Running) and one per job finished: no retries.
    expect(writes.length).toBeLessThanOrEqual(3 * 30);
  }, 30_000);

  it('a leader renews its lease with one update, and reads it only after a conflict', async () => {
    const env = await environment();
    const manager = await env.start();
    await env.server.waitFor(() => manager.leader.isLeader(), 5000, 'leadership');
    const leases = (since: number) => env.server.requestsMatching({ resource: 'leases', since });
    const since = Date.now();
    await env.server.waitFor(() => leases(since).filter((r) => r.verb === 'update').length >= 5, 10_000, '5 renewals');
    expect(leases(since).filter((r) => r.verb !== 'update' || r.status !== 200)).toEqual([]);

    // Another writer changes the lease: the next renewal is a 409, then one read, then renewals again.
    const touched = Date.now();
    env.server.store.mutate('leases', 'kayci-system', 'kayci-controller', (l) => void (l.metadata!.annotations = { touched: 'yes' }));
    await env.server.waitFor(() => leases(touched).filter((r) => r.verb === 'update' && r.status === 200).length >= 3, 10_000, '3 renewals after the conflict');
    // (A renewal already on its way when the lease was changed may come first.)
    const after = leases(touched).map((r) => `${r.verb} ${r.status}`);
    const conflict = after.indexOf('update 409');
    expect(after.slice(0, conflict).every((r) => r === 'update 200')).toBe(true);
    expect(after.slice(conflict, conflict + 3)).toEqual(['update 409', 'get 200', 'update 200']);
    expect(after.slice(conflict + 3).every((r) => r === 'update 200')).toBe(true);
    expect(manager.leader.isLeader()).toBe(true);
  }, 30_000);
});
