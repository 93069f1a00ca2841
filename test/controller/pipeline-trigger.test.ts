// The Pipeline and Trigger reconcilers end to end against the fake API server: retention (N
// succeeded, N failed — cancelled counts as failed — and a TTL after finishing, with the clock
// injected), the garbage collection of what deleted Runs owned, status.lastRun; Trigger
// readiness; cron Runs — one per tick, named after it, never twice across restarts at and around
// tick boundaries, one for a long outage — and what a scheduled Run carries; deleting a Pipeline
// deletes its Runs and their Jobs.
import { describe, expect, it } from 'vitest';
import type { PipelineSpec, PipelineStatus } from '../../src/api/v1alpha1/pipeline.ts';
import type { Condition } from '../../src/api/v1alpha1/meta.ts';
import type { RunSpec } from '../../src/api/v1alpha1/run.ts';
import type { TriggerSpec, TriggerStatus } from '../../src/api/v1alpha1/trigger.ts';
import { joinName } from '../../src/plan/names.ts';
import type { Env } from './setup.ts';
import { environment, layered, NS, phaseOf, pipelineObject, runObject } from './setup.ts';
import type { KubeObject } from '../harness/fake-apiserver/index.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A clock tests move by hand, shared by the fake API server and the controller. */
function manualClock(start: string) {
  let t = Date.parse(start);
  return {
    now: () => new Date(t),
    set: (iso: string | number) => {
      t = typeof iso === 'number' ? iso : Date.parse(iso);
    },
    advance: (ms: number) => {
      t += ms;
    },
    get ms() {
      return t;
    },
  };
}

function oneJob(extra: Partial<PipelineSpec> = {}): PipelineSpec {
  return { jobs: [{ name: 'only', template: { template: { spec: { containers: [{ name: 'main', image: 'busybox:1.37', command: ['true'] }] } } } }], ...extra } as PipelineSpec;
}

function triggerObject(name: string, spec: Partial<TriggerSpec> & { pipelineRef: { name: string } }): KubeObject {
  return { apiVersion: 'kayci.dev/v1alpha1', kind: 'Trigger', metadata: { name, namespace: NS }, spec } as unknown as KubeObject;
}

const runsOf = (env: Env, pipeline?: string) => env.server.store.list('runs', NS).filter((r) => !pipeline || (r.spec as RunSpec).pipelineRef.name === pipeline);
const names = (objects: KubeObject[]) => objects.map((o) => o.metadata!.name!).sort();
const pipelineStatus = (env: Env, name: string) => env.server.store.get('pipelines', NS, name)?.status as PipelineStatus | undefined;
const ready = (env: Env, trigger: string) => (env.server.store.get('triggers', NS, trigger)?.status as TriggerStatus | undefined)?.conditions?.find((c) => c.type === 'Ready');
const owned = (env: Env, resource: string, run: string) => env.server.store.list(resource, NS).filter((o) => o.metadata?.labels?.['kayci.dev/run'] === run || o.metadata?.ownerReferences?.some((r) => r.kind === 'Run' && r.name === run));

/** Touches an object so that its reconciler looks at it again (a moved clock is no event). */
function nudge(env: Env, resource: string, name: string): void {
  env.server.store.mutate(resource, NS, name, (o) => {
    o.metadata!.annotations = { ...o.metadata!.annotations, nudge: String(Date.now()) };
  });
}

describe('Pipeline reconciler: retention', () => {
  it('keeps the newest N succeeded and N failed Runs (cancelled counts as failed); the GC removes what the others owned', async () => {
    const clock = manualClock('2030-01-01T00:00:00Z');
    const env = await environment({ now: clock.now });
    env.server.jobs.behave((job) => {
      const run = String(job.metadata?.labels?.['kayci.dev/run']);
      if (run.startsWith('f')) return { outcome: 'fail' };
      if (run.startsWith('c')) return { outcome: 'hang' };
      return undefined;
    });
    env.server.store.create(pipelineObject('kept', { ...layered(1, 2), retention: { succeeded: 2, failed: 2 } } as PipelineSpec));
    await env.start({ now: clock.now });
    // One at a time, a minute apart, so that "newest" is unambiguous.
    const order = ['s1', 'f1', 'c1', 's2', 's3', 'f2', 's4', 'c2'];
    for (const name of order) {
      clock.advance(60_000);
      env.server.store.create(runObject(name, 'kept'));
      if (name.startsWith('c')) {
        await env.server.waitFor(() => owned(env, 'jobs', name).length === 2, 10_000, `${name}'s jobs`);
        env.server.store.mutate('runs', NS, name, (r) => {
          (r.spec as RunSpec).cancel = true;
        });
      }
      expect(await phaseOf(env.server, name)).toBe(name.startsWith('s') ? 'Succeeded' : name.startsWith('f') ? 'Failed' : 'Cancelled');
    }
    // Kept: the 2 newest succeeded (s3, s4) and the 2 newest failed or cancelled (f2, c2).
    await env.server.waitFor(() => names(runsOf(env)).join() === 'c2,f2,s3,s4', 10_000, 'retention');
    const gone = ['s1', 's2', 'f1', 'c1'];
    // Deleting a Run deletes its Jobs, their Pods and the ConfigMap (owner references).
    await env.server.waitFor(() => gone.every((r) => owned(env, 'jobs', r).length === 0 && owned(env, 'pods', r).length === 0 && owned(env, 'configmaps', r).length === 0), 10_000, 'garbage collection');
    for (const r of ['s3', 's4', 'f2', 'c2']) expect(env.server.store.get('configmaps', NS, `${r}-env`), r).toBeDefined();
    await env.server.waitFor(() => pipelineStatus(env, 'kept')?.lastRun?.name === 'c2', 5000, 'lastRun c2');
    expect(pipelineStatus(env, 'kept')!.lastRun).toEqual({ name: 'c2', phase: 'Cancelled', creationTime: '2030-01-01T00:08:00Z' });
  }, 30_000);

  it('deletes Runs ttlSecondsAfterFinished after they finished, not before', async () => {
    const clock = manualClock('2030-01-01T00:00:00Z');
    const env = await environment();
    env.server.store.create(pipelineObject('ttl', oneJob({ retention: { ttlSecondsAfterFinished: 600 } })));
    await env.start({ now: clock.now });
    env.server.store.create(runObject('early', 'ttl'));
    expect(await phaseOf(env.server, 'early')).toBe('Succeeded');
    clock.advance(300_000);
    env.server.store.create(runObject('later', 'ttl'));
    expect(await phaseOf(env.server, 'later')).toBe('Succeeded');
    expect(Date.parse(String((env.server.store.get('runs', NS, 'early')!.status as { completionTime: string }).completionTime))).toBe(Date.parse('2030-01-01T00:00:00Z'));

    clock.set('2030-01-01T00:09:59Z'); // 599 s after `early` finished
    nudge(env, 'pipelines', 'ttl');
    await sleep(300);
    expect(names(runsOf(env))).toEqual(['early', 'later']);

    clock.set('2030-01-01T00:10:01Z');
    nudge(env, 'pipelines', 'ttl');
    await env.server.waitFor(() => names(runsOf(env)).join() === 'later', 5000, '`early` deleted');

    clock.set('2030-01-01T00:15:01Z');
    nudge(env, 'pipelines', 'ttl');
    await env.server.waitFor(() => runsOf(env).length === 0, 5000, '`later` deleted');
    await env.server.waitFor(() => env.server.store.list('jobs', NS).length === 0, 5000, 'jobs collected');
  });
});

describe('Pipeline reconciler: status.lastRun', () => {
  it('names the newest Run — by its creator\'s created-at time within a second — with its phase, as soon as it exists', async () => {
    const env = await environment();
    env.server.jobs.behave(() => ({ outcome: 'hang' }));
    env.server.store.create(pipelineObject('last', oneJob()));
    await env.start();
    const at = Date.now();
    // Created in the same second, `zz-older` first: the names sort the other way round.
    const created = (name: string, ms: number) => ({ ...runObject(name, 'last'), metadata: { name, namespace: NS, annotations: { 'kayci.dev/created-at': new Date(ms).toISOString() } } }) as KubeObject;
    env.server.store.create(created('zz-older', at));
    env.server.store.create(created('aa-newer', at + 5));
    await env.server.waitFor(() => pipelineStatus(env, 'last')?.lastRun?.name === 'aa-newer', 5000, 'lastRun aa-newer');
    await env.server.waitFor(() => pipelineStatus(env, 'last')?.lastRun?.phase === 'Running', 5000, 'lastRun Running');
    env.server.store.mutate('runs', NS, 'aa-newer', (r) => {
      (r.spec as RunSpec).cancel = true;
    });
    await env.server.waitFor(() => pipelineStatus(env, 'last')?.lastRun?.phase === 'Cancelled', 5000, 'lastRun Cancelled');
    expect(pipelineStatus(env, 'last')!.lastRun).toEqual({ name: 'aa-newer', phase: 'Cancelled', creationTime: env.server.store.get('runs', NS, 'aa-newer')!.metadata!.creationTimestamp });
  });
});

describe('Trigger reconciler: readiness', () => {
  const webhook = { provider: 'github' as const, secretRefs: [{ name: 'gh', key: 'secret' }] };

  it('PipelineNotFound until the Pipeline exists — noticed at once, not at the next recheck', async () => {
    const env = await environment();
    env.server.store.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'gh', namespace: NS }, data: { secret: Buffer.from('s3cr3t').toString('base64') } } as KubeObject);
    env.server.store.create(triggerObject('push', { pipelineRef: { name: 'later' }, webhook }));
    await env.start({ settings: { deferRunningMs: 0, triggerRecheckMs: 60_000 } });
    await env.server.waitFor(() => ready(env, 'push')?.reason === 'PipelineNotFound', 5000, 'PipelineNotFound');
    expect(ready(env, 'push')).toMatchObject({ status: 'False', message: `no Pipeline later in namespace ${NS}`, observedGeneration: 1 });
    env.server.store.create(pipelineObject('later', oneJob()));
    await env.server.waitFor(() => ready(env, 'push')?.status === 'True', 3000, 'Ready after the Pipeline appeared');
    // Deleting the Pipeline is noticed too.
    env.server.store.delete('pipelines', NS, 'later');
    await env.server.waitFor(() => ready(env, 'push')?.reason === 'PipelineNotFound', 3000, 'PipelineNotFound after deletion');
  });

  it('SecretNotFound, SecretKeyNotFound, InvalidSchedule; True when everything exists', async () => {
    const env = await environment();
    env.server.store.create(pipelineObject('p', oneJob()));
    env.server.store.create(triggerObject('push', { pipelineRef: { name: 'p' }, webhook }));
    env.server.store.create(triggerObject('bad-cron', { pipelineRef: { name: 'p' }, schedule: { cron: '61 * * * *' } }));
    env.server.store.create(triggerObject('good-cron', { pipelineRef: { name: 'p' }, schedule: { cron: '0 3 * * *', timeZone: 'Europe/Berlin' } }));
    // Secrets cannot be watched (they are read by name): the Trigger is looked at again every recheck.
    await env.start({ settings: { deferRunningMs: 0, triggerRecheckMs: 100 } });
    await env.server.waitFor(() => ready(env, 'push')?.reason === 'SecretNotFound', 5000, 'SecretNotFound');
    expect(ready(env, 'push')).toMatchObject({ status: 'False', message: expect.stringContaining('Secret gh does not exist') });
    expect(ready(env, 'bad-cron')).toMatchObject({ status: 'False', reason: 'InvalidSchedule' });
    expect(ready(env, 'bad-cron')!.message).toMatch(/61/);
    expect(ready(env, 'good-cron')).toMatchObject({ status: 'True', reason: 'Ready' });

    env.server.store.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'gh', namespace: NS }, data: { other: Buffer.from('x').toString('base64') } } as KubeObject);
    await env.server.waitFor(() => ready(env, 'push')?.reason === 'SecretKeyNotFound', 5000, 'SecretKeyNotFound');
    expect(ready(env, 'push')!.message).toContain('Secret gh has no key secret');
    const before = ready(env, 'push')!.lastTransitionTime;

    env.server.store.mutate('secrets', NS, 'gh', (s) => {
      (s as unknown as { data: Record<string, string> }).data.secret = Buffer.from('s3cr3t').toString('base64');
    });
    await env.server.waitFor(() => ready(env, 'push')?.status === 'True', 5000, 'Ready');
    const condition = ready(env, 'push') as Condition;
    expect(condition).toMatchObject({ type: 'Ready', status: 'True', reason: 'Ready', observedGeneration: 1 });
    expect(Date.parse(condition.lastTransitionTime!)).toBeGreaterThanOrEqual(Date.parse(before!));
    // Rechecks that find nothing new write nothing.
    const writes = env.server.requestsMatching({ verb: 'update', resource: 'triggers', subresource: 'status' }).length;
    await sleep(400);
    expect(env.server.requestsMatching({ verb: 'update', resource: 'triggers', subresource: 'status' }).length).toBe(writes);
  });
});

describe('Trigger reconciler: cron', () => {
  const TICK = 5 * 60_000;
  const tickName = (ms: number) => joinName('nightly', String(ms / 1000));
  const lastSchedule = (env: Env) => Date.parse(String((env.server.store.get('triggers', NS, 'nightly')?.status as TriggerStatus | undefined)?.lastScheduleTime));

  async function cronEnv() {
    const clock = manualClock('2030-01-01T00:00:30Z');
    const env = await environment({ now: clock.now });
    // Every Run the API server ever stored, by name, and every create it answered.
    const added: string[] = [];
    env.server.onChange((e) => {
      if (e.type === 'ADDED' && e.resource === 'runs.kayci.dev') added.push(e.object.metadata!.name!);
    });
    env.server.store.create(pipelineObject('p', oneJob({ params: [{ name: 'target' }, { name: 'level', default: 'full' }] })));
    env.server.store.create(triggerObject('nightly', { pipelineRef: { name: 'p' }, schedule: { cron: '*/5 * * * *', branch: 'main' }, params: [{ name: 'target', value: 'prod' }] }));
    let n = 0;
    const start = () => env.start({ now: clock.now, identity: `replica-${n++}`, settings: { deferRunningMs: 0, triggerRecheckMs: 50 } });
    const created = () => env.server.requestsMatching({ verb: 'create', resource: 'runs', status: 201 }).length;
    return { clock, env, added, start, created };
  }

  it('one Run per tick, named after it, carrying schedule metadata, the branch and the Trigger\'s params', async () => {
    const { clock, env, added, start, created } = await cronEnv();
    await start();
    await sleep(300);
    expect(added).toEqual([]);
    clock.set('2030-01-01T00:04:59.999Z');
    await sleep(200);
    expect(added).toEqual([]);
    const t1 = Date.parse('2030-01-01T00:05:00Z');
    clock.set(t1);
    await env.server.waitFor(() => added.length === 1, 3000, 'the first tick\'s Run');
    expect(added).toEqual([tickName(t1)]);
    expect(await phaseOf(env.server, tickName(t1))).toBe('Succeeded');
    const run = env.server.store.get('runs', NS, tickName(t1))!;
    expect(run.spec).toMatchObject({ pipelineRef: { name: 'p' }, metadata: { trigger: 'nightly', provider: 'schedule', event: 'schedule', branch: 'main', ref: 'refs/heads/main' }, params: [{ name: 'target', value: 'prod' }] });
    expect(run.metadata!.labels).toMatchObject({ 'kayci.dev/pipeline': 'p', 'kayci.dev/trigger': 'nightly' });
    expect(run.metadata!.ownerReferences).toEqual([expect.objectContaining({ kind: 'Pipeline', name: 'p' })]);
    // What the job sees (a single-job Run gets the run-wide variables inline).
    const job = env.server.store.list('jobs', NS).find((j) => j.metadata?.labels?.['kayci.dev/run'] === tickName(t1))!;
    const vars = Object.fromEntries(((job.spec as { template: { spec: { containers: { env: { name: string; value: string }[] }[] } } }).template.spec.containers[0]!.env).map((e) => [e.name, e.value]));
    expect(vars).toMatchObject({ KAYCI_EVENT: 'schedule', KAYCI_PROVIDER: 'schedule', KAYCI_BRANCH: 'main', KAYCI_REF: 'refs/heads/main', KAYCI_TRIGGER: 'nightly', KAYCI_PARAM_TARGET: 'prod', KAYCI_PARAM_LEVEL: 'full', KAYCI_RUN: tickName(t1) });
    await env.server.waitFor(() => lastSchedule(env) === t1, 3000, 'lastScheduleTime');

    clock.set('2030-01-01T00:07:00Z');
    await sleep(200);
    clock.set(t1 + TICK + 1);
    await env.server.waitFor(() => added.length === 2, 3000, 'the second tick\'s Run');
    await sleep(300);
    expect(added).toEqual([tickName(t1), tickName(t1 + TICK)]);
    expect(created()).toBe(2);
  });

  it('restarts at and around tick boundaries never create a tick\'s Run twice; a long outage makes one Run', async () => {
    const { clock, env, added, start, created } = await cronEnv();
    const base = Date.parse('2030-01-01T00:05:00Z');
    // Each step: a fresh replica (empty cache) starts at tick k + offset, and stops.
    const offsets = [-1, 0, 1, 40, 999, -1, 0, 0, 250];
    let manager = await start();
    for (let k = 0; k < offsets.length; k++) {
      await manager.stop();
      clock.set(base + Math.floor(k / 2) * TICK + offsets[k]!);
      manager = await start();
      await sleep(150);
    }
    // The crash that matters: the Run is created, the lastScheduleTime write never lands.
    const fault = env.server.faults.inject({ verb: 'update', resource: 'triggers', subresource: 'status', status: 500 });
    clock.set(base + 5 * TICK);
    await env.server.waitFor(() => added.includes(tickName(base + 5 * TICK)), 3000, 'tick 5');
    await sleep(200);
    await manager.stop();
    fault.remove();
    manager = await start(); // same tick, lastScheduleTime still the one before
    await env.server.waitFor(() => lastSchedule(env) === base + 5 * TICK, 3000, 'lastScheduleTime of tick 5');

    const ticks = [0, 1, 2, 3, 4, 5].map((k) => tickName(base + k * TICK));
    expect([...added].sort()).toEqual([...ticks].sort());
    expect(created()).toBe(ticks.length);
    const duplicates = env.server.requestsMatching({ verb: 'create', resource: 'runs', status: 409 }).length;

    // A three-hour outage: one Run, for the latest tick missed.
    await manager.stop();
    clock.set(base + 5 * TICK + 3 * 3600_000 + 2 * 60_000);
    manager = await start();
    const latest = base + 5 * TICK + 3 * 3600_000;
    await env.server.waitFor(() => added.includes(tickName(latest)), 3000, 'the latest missed tick');
    await sleep(300);
    expect(added.length).toBe(ticks.length + 1);
    // And after ten days away, still one.
    await manager.stop();
    clock.advance(10 * 24 * 3600_000);
    manager = await start();
    await env.server.waitFor(() => added.length === ticks.length + 2, 3000, 'one Run after ten days');
    await sleep(300);
    expect(added.length).toBe(ticks.length + 2);
    expect(new Set(added).size).toBe(added.length);
    console.log(`cron: ${offsets.length + 3} restarts, ${added.length} Runs created once each, ${duplicates} creates answered AlreadyExists`);
  }, 30_000);

  it('deleting the Pipeline deletes its Runs (owner references) and their Jobs; the Trigger says PipelineNotFound', async () => {
    const { clock, env, added, start } = await cronEnv();
    env.server.store.create(pipelineObject('other', oneJob()));
    await start();
    clock.set('2030-01-01T00:05:00Z');
    await env.server.waitFor(() => added.length === 1, 3000, 'a scheduled Run');
    const scheduled = added[0]!;
    env.server.store.create(runObject('manual', 'p', { params: [{ name: 'target', value: 'dev' }] }));
    env.server.store.create(runObject('unrelated', 'other'));
    for (const r of [scheduled, 'manual', 'unrelated']) expect(await phaseOf(env.server, r)).toBe('Succeeded');
    expect(env.server.store.list('jobs', NS)).toHaveLength(3);
    env.server.store.delete('pipelines', NS, 'p');
    await env.server.waitFor(() => names(runsOf(env)).join() === 'unrelated', 5000, 'Runs of p deleted');
    await env.server.waitFor(() => env.server.store.list('jobs', NS).length === 1 && env.server.store.list('pods', NS).length === 1, 5000, 'their Jobs and Pods deleted');
    expect(env.server.store.list('jobs', NS)[0]!.metadata!.labels!['kayci.dev/run']).toBe('unrelated');
    await env.server.waitFor(() => ready(env, 'nightly')?.reason === 'PipelineNotFound', 3000, 'PipelineNotFound');
    // No Runs for a Pipeline that is gone, whatever the clock says.
    clock.set('2030-01-01T00:10:00Z');
    await sleep(300);
    expect(added.filter((r) => r.startsWith('nightly-'))).toHaveLength(1);
  });
});
