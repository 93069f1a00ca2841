// 200 concurrent Runs through storms of 409 Conflict, 429 TooManyRequests and 500 answers (and
// creates that commit but lose their answer) on every write the controller makes: every Run
// still reaches its phase with every job's final status, no Job is made twice, and the client's
// token bucket holds the request rate however many retries the storm causes.
import { describe, expect, it } from 'vitest';
import type { PipelineSpec } from '../../src/api/v1alpha1/pipeline.ts';
import type { TokenBucket } from '../../src/controller/kube/rate-limit.ts';
import type { FaultSpec } from '../harness/fake-apiserver/index.ts';
import { environment, NS, pipelineObject, runObject } from './setup.ts';
import { jobLedger, maxInWindow, orphans, recordingLogger, seeded, statusOf } from './resilience-helpers.ts';

const SEED = 7;
const RUNS = 200;
const QPS = 100;
const BURST = 100;

const job = (name: string, needs?: string[]) => ({ name, needs, template: { template: { spec: { containers: [{ name: 'main', image: 'busybox:1.37', command: ['true'] }] } } } });
/** a, then b and c; in `bad`, b fails and c (which needs b) is skipped. */
const keep = { succeeded: 1000, failed: 1000 };
const good = { jobs: [job('a'), job('b', ['a']), job('c', ['a'])], retention: keep } as PipelineSpec;
const bad = { jobs: [job('a'), job('b', ['a']), job('c', ['b'])], retention: keep } as PipelineSpec;

describe('API fault storms', () => {
  it(`${RUNS} concurrent Runs through 409/429/500 storms on every write`, async () => {
    const random = seeded(SEED);
    const env = await environment({ random });
    const { server } = env;
    const ledger = jobLedger(server);
    server.jobs.behave((j) => ({
      outcome: j.metadata.labels?.['kayci.dev/pipeline'] === 'bad' && j.metadata.labels['kayci.dev/job'] === 'b' ? 'fail' : 'succeed',
      afterMs: 20 + Math.floor(random() * 40),
    }));
    server.store.create(pipelineObject('good', good));
    server.store.create(pipelineObject('bad', bad));
    const { log, records } = recordingLogger();
    const manager = await env.start({ qps: QPS, burst: BURST, log });
    await server.waitFor(() => manager.leader.isLeader(), 5000, 'leadership');
    // When the bucket granted each request (the lease client shares the bucket).
    const limiter = (manager.context.client as unknown as { options: { limiter: TokenBucket } }).options.limiter;
    const take = limiter.take.bind(limiter);
    const grants: { time: number }[] = [];
    limiter.take = async () => {
      await take();
      grants.push({ time: Date.now() });
    };

    // Every write the controller makes: snapshot and Run status patches (a patch of runs matches
    // /status too), ConfigMaps, Jobs, Pipeline status, the lease.
    const writes: FaultSpec[] = [
      { verb: ['patch', 'update'], resource: 'runs' },
      { verb: 'create', resource: 'configmaps' },
      { verb: 'create', resource: 'jobs' },
      { verb: ['patch', 'update'], resource: 'pipelines', subresource: 'status' },
      { verb: 'update', resource: 'leases' },
    ];
    const faults = writes.flatMap((w) => [
      server.faults.inject({ ...w, status: 409, probability: 0.06 }),
      server.faults.inject({ ...w, status: 429, probability: 0.06, retryAfterSeconds: 1 }),
      server.faults.inject({ ...w, status: 500, probability: 0.06 }),
    ]);
    const lose = server.faults.loseResponse({ verb: 'create', resource: 'jobs', probability: 0.03 });

    const names = Array.from({ length: RUNS }, (_, i) => `s-${String(i).padStart(3, '0')}`);
    const pipelineOf = (i: number) => (i % 5 === 4 ? 'bad' : 'good');
    const started = Date.now();
    names.forEach((n, i) => server.store.create(runObject(n, pipelineOf(i))));
    const finished = new Set<string>();
    const final = (n: string) => finished.has(n) || (['Succeeded', 'Failed', 'Cancelled'].includes(String(statusOf(server, n).phase)) && !!finished.add(n));
    await server.waitFor(() => names.every(final), 60_000, 'every Run to finish').catch((e: unknown) => {
      const stuck = names.filter((n) => !final(n));
      throw new Error(`${String(e)}; ${stuck.length} stuck, e.g. ${stuck.slice(0, 3).map((n) => `${n}: ${JSON.stringify(statusOf(server, n))}`).join('; ')}`);
    });
    const seconds = (Date.now() - started) / 1000;
    const injected = faults.reduce((n, f) => n + f.hits, 0);
    for (const f of faults) f.remove();
    lose.remove();

    const jobs = server.store.list('jobs', NS);
    for (const [i, n] of names.entries()) {
      const status = statusOf(server, n);
      const isBad = pipelineOf(i) === 'bad';
      expect(status.phase, n).toBe(isBad ? 'Failed' : 'Succeeded');
      expect(status.completionTime, n).toBeDefined();
      const phases = Object.fromEntries(status.jobs!.map((j) => [j.name, j.phase]));
      expect(phases, n).toEqual(isBad ? { a: 'Succeeded', b: 'Failed', c: 'Skipped' } : { a: 'Succeeded', b: 'Succeeded', c: 'Succeeded' });
      for (const j of status.jobs!) {
        if (j.phase === 'Skipped') {
          expect(j.reason, `${n}/${j.name}`).toBe('NeedsFailed');
          continue;
        }
        // The status agrees with the Job the API server holds: no transition was lost.
        expect(j.completionTime, `${n}/${j.name}`).toBeDefined();
        const object = jobs.find((o) => o.metadata.name === j.jobName)!;
        const conditions = (object.status as { conditions?: { type: string; status: string }[] }).conditions ?? [];
        expect(conditions.some((c) => c.type === (j.phase === 'Succeeded' ? 'Complete' : 'Failed') && c.status === 'True'), `${n}/${j.name}`).toBe(true);
      }
    }
    expect(ledger.duplicates()).toEqual([]);
    expect(ledger.total).toBe(RUNS * 3 - RUNS / 5);
    expect(orphans(server)).toEqual([]);

    // The token bucket grants at most burst + qps·T requests in any T seconds (watches are
    // long-lived, not counted). The server sees them a little later than they were granted, and
    // by varying delays (one event loop runs the controller and this server): 50 ms of such
    // jitter is allowed for, i.e. qps × 0.05 more in a window.
    const calls = server.requests.filter((r) => r.verb !== 'watch');
    const peak = maxInWindow(calls, 1000);
    const peak5 = maxInWindow(calls, 5000);
    const count = (status: number) => calls.filter((r) => r.status === status).length;
    const creates = calls.filter((r) => r.verb === 'create' && r.resource === 'jobs.batch');
    console.log(
      `storm: ${RUNS} Runs (${RUNS / 5} failing) done in ${seconds.toFixed(2)} s; ${calls.length} requests, ${injected} faults injected ` +
        `(409: ${count(409)} incl. AlreadyExists, 429: ${count(429)}, 500: ${count(500)}), ${lose.hits} create answers lost; ` +
        `peak ${peak} requests in 1 s, ${peak5} in 5 s (granted: ${maxInWindow(grants, 1000)} and ${maxInWindow(grants, 5000)}) (bucket: qps ${QPS}, burst ${BURST}: ${QPS + BURST} and ${5 * QPS + BURST}), mean ${(calls.length / seconds).toFixed(1)}/s; ` +
        `Job creates ${creates.length} for ${ledger.total} Jobs (AlreadyExists ${creates.filter((r) => r.status === 409 && r.fault === undefined).length}), duplicates 0; ` +
        `status writes ${calls.filter((r) => r.subresource === 'status' && r.resource === 'runs.kayci.dev').length}; leadership lost ${records.filter((r) => r.msg === 'lost leadership').length} times; reconcile errors ${records.filter((r) => r.msg === 'reconcile failed; retrying').length}; stuck Runs 0`,
    );
    expect(maxInWindow(grants, 1000)).toBeLessThanOrEqual(BURST + QPS);
    expect(maxInWindow(grants, 5000)).toBeLessThanOrEqual(BURST + 5 * QPS);
    expect(peak).toBeLessThanOrEqual(BURST + QPS * 1.05);
    expect(peak5).toBeLessThanOrEqual(BURST + QPS * 5.05);
    // Alone, the replica never lets go of its lease, whatever the storm does to renewals.
    expect(records.filter((r) => r.msg === 'lost leadership')).toEqual([]);
    ledger.stop();
  }, 90_000);
});
