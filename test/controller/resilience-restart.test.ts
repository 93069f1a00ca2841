// Controller restarts at seeded points of two 50-job Runs (10 layers × 5, results handed from
// layer to layer; one Run has a failing job): each restart is a new Manager with empty caches,
// some of them right after a create committed without its answer, or a status write in flight,
// or with the new replica's first list of Jobs failing. Every Run must end as if nothing had
// happened, with no Job made twice and nothing left behind.
import { describe, expect, it } from 'vitest';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { Manager } from '../../src/controller/manager.ts';
import { environment, layered, NS, phaseOf, pipelineObject, runObject } from './setup.ts';
import { jobLedger, kill, leftovers, loseOne, orphans, pick, quantiles, seeded, statusOf } from './resilience-helpers.ts';

const SEED = 20240611;
const jobLabel = (j: { metadata?: { labels?: Record<string, string> } }) => j.metadata?.labels?.['kayci.dev/job'] ?? '';

type Kind = 'plain' | 'lost-create' | 'lost-status' | 'list-fault';

describe('controller restarts', () => {
  it('20 restarts with empty caches during 50-job Runs: right phases, no duplicate or orphan Jobs', async () => {
    const env = await environment();
    const { server } = env;
    const ledger = jobLedger(server);
    const random = seeded(SEED + 1);
    server.jobs.behave((job) => {
      const name = jobLabel(job);
      if (job.metadata.labels?.['kayci.dev/run'] === 'r-bad' && name === 'l4-2') return { outcome: 'fail', afterMs: 20 };
      return { messages: { main: `out=${name}\n` }, afterMs: 20 + Math.floor(random() * 40) };
    });
    server.store.create(pipelineObject('dag', layered(10, 5, true)));
    // Creates take a while, so a restart can fall between two creates of one reconcile.
    server.faults.inject({ verb: 'create', resource: 'jobs', delayMs: 25 });
    let manager: Manager = await env.start({ identity: 'replica-0' });
    const started = Date.now();
    server.store.create(runObject('r-ok', 'dag'));
    server.store.create(runObject('r-bad', 'dag'));

    // 50 Jobs for r-ok, 25 for r-bad (layers 5–9 are skipped): restart after K of the 75 creations.
    const points = pick(seeded(SEED), 20, 1, 74);
    const kinds = new Map<number, Kind>([[2, 'lost-create'], [7, 'lost-status'], [11, 'list-fault'], [15, 'lost-create'], [17, 'lost-status']]);
    const restartMs: number[] = [];
    const at: number[] = [];
    let lost = 0;
    const done = (run: string) => ['Succeeded', 'Failed'].includes(String(statusOf(server, run).phase));
    for (const [i, k] of points.entries()) {
      const kind = kinds.get(i) ?? 'plain';
      await server.waitFor(() => ledger.total >= k || (done('r-ok') && done('r-bad')), 30_000, `Job creation #${k}`);
      // The next Job create (or status write) is stored, and its answer never arrives; the replica dies.
      if (kind === 'lost-create') lost += await loseOne(server, { verb: 'create', resource: 'jobs' }, () => done('r-ok'));
      if (kind === 'lost-status') lost += await loseOne(server, { verb: ['update', 'patch'], resource: 'runs', subresource: 'status' }, () => done('r-ok'));
      if (kind === 'list-fault') {
        // The status says a job is running, and the next replica's first lists of Jobs fail.
        await server.waitFor(() => done('r-ok') || statusOf(server, 'r-ok').jobs?.some((j) => j.phase === 'Running'), 30_000, 'a running job');
      }
      const t = Date.now();
      at.push(ledger.total);
      await kill(manager);
      if (kind === 'list-fault') server.faults.inject({ verb: 'list', resource: 'jobs', status: 500, times: 3 });
      manager = await env.start({ identity: `replica-${i + 1}` });
      restartMs.push(Date.now() - t);
      // Each restart interrupts a replica at work (two of them before it even leads).
      if (i !== 0 && i !== 9) await server.waitFor(() => manager.leader.isLeader(), 10_000, 'the new replica to lead');
    }

    expect(await phaseOf(server, 'r-ok', 60_000)).toBe('Succeeded');
    expect(await phaseOf(server, 'r-bad', 60_000)).toBe('Failed');
    const seconds = (Date.now() - started) / 1000;

    const ok = statusOf(server, 'r-ok');
    expect(ok.jobs).toHaveLength(50);
    for (const j of ok.jobs!) expect(j).toMatchObject({ phase: 'Succeeded', attempts: 1, results: { out: j.name }, completionTime: expect.any(String) });
    expect(ok).toMatchObject({ reason: 'AllSucceeded', completionTime: expect.any(String) });

    const bad = statusOf(server, 'r-bad');
    const byPhase = (phase: string) => bad.jobs!.filter((j) => j.phase === phase).map((j) => j.name).sort();
    expect(byPhase('Failed')).toEqual(['l4-2']);
    expect(byPhase('Succeeded')).toHaveLength(24);
    expect(byPhase('Succeeded').every((n) => Number(n.slice(1, n.indexOf('-'))) <= 4)).toBe(true);
    expect(byPhase('Skipped')).toEqual(layered(10, 5).jobs.map((j) => j.name).filter((n) => Number(n.slice(1, n.indexOf('-'))) >= 5).sort());
    expect(bad.jobs!.filter((j) => j.phase === 'Skipped').every((j) => j.reason === 'NeedsFailed')).toBe(true);
    expect(bad).toMatchObject({ reason: 'JobFailed', completionTime: expect.any(String) });

    expect(lost).toBe(4);
    // Every Job object ever stored: one per (Run, job), and only for jobs that ran.
    expect(ledger.duplicates()).toEqual([]);
    expect(ledger.createdFor('r-ok')).toBe(50);
    expect(ledger.createdFor('r-bad')).toBe(25);
    // Results crossed every restart: layer l reads what layer l-1 wrote.
    for (const job of server.store.list('jobs', NS) as unknown as IJob[]) {
      const l = Number(jobLabel(job).slice(1, jobLabel(job).indexOf('-')));
      const env = Object.fromEntries((job.spec!.template.spec!.containers[0]!.env ?? []).map((e) => [e.name, e.value]));
      for (let w = 0; l > 0 && w < 5; w++) expect(env[`KAYCI_RESULT_L${l - 1}_${w}_OUT`]).toBe(`l${l - 1}-${w}`);
    }
    expect(orphans(server)).toEqual([]);
    expect(server.store.list('configmaps', NS).filter((c) => c.metadata.name?.endsWith('-env')).map((c) => c.metadata.name).sort()).toEqual(['r-bad-env', 'r-ok-env']);

    // Deleting the Runs deletes everything they own.
    server.store.delete('runs', NS, 'r-ok');
    server.store.delete('runs', NS, 'r-bad');
    await server.waitFor(() => leftovers(server) === 0, 10_000, 'the garbage collector');
    expect(orphans(server)).toEqual([]);

    const creates = server.requestsMatching({ verb: 'create', resource: 'jobs' });
    const r = quantiles(restartMs);
    console.log(
      `restarts: ${restartMs.length} at Job creations [${points.join(', ')}] (seed ${SEED}), done at [${at.join(', ')}]; ` +
        `restart (kill + start + sync) min/median/max ${r.min}/${r.median}/${r.max} ms; both Runs done in ${seconds.toFixed(2)} s; ` +
        `Jobs stored ${ledger.total} (r-ok ${ledger.createdFor('r-ok')}, r-bad ${ledger.createdFor('r-bad')}), duplicates ${ledger.duplicates().length}; ` +
        `Job creates sent ${creates.length} (201: ${creates.filter((c) => c.status === 201).length}, AlreadyExists: ${creates.filter((c) => c.status === 409).length}, lost: ${creates.filter((c) => c.fault === 'lost').length}); ` +
        `status writes lost ${server.requestsMatching({ verb: ['update', 'patch'], resource: 'runs', subresource: 'status' }).filter((c) => c.fault === 'lost').length}; orphans 0`,
    );
    ledger.stop();
  }, 90_000);
});
